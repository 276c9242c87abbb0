/// Builds one Prometheus XOR ("Gorilla") float chunk, byte for byte as Prometheus 2.42 writes it.
///
/// Layout (Prometheus `tsdb/docs/format/chunks.md` §XOR chunk data, `tsdb/chunkenc/xor.go`):
/// ```
/// ┌──────────────────┬─────────────┬──────────────┬──────────────────┬──────────────┬─────┐
/// │ num_samples <2B> │ ts_0 varint │ v_0 <64 bits>│ ts_1 - ts_0 uvar │ v_1 xor      │ ... │
/// └──────────────────┴─────────────┴──────────────┴──────────────────┴──────────────┴─────┘
/// ```
/// From the third sample on, each timestamp is a delta of deltas in one of the buckets
/// `0` (dod = 0), `10`+14 bits, `110`+17 bits, `1110`+20 bits, `1111`+64 bits, where an n-bit
/// bucket holds `-(2^(n-1) - 1) ... 2^(n-1)` (Prometheus `bitRange`). Each value is XORed with the
/// previous one: `0` (same value), `10` + meaningful bits in the previous leading/trailing window,
/// or `11` + leading zeros (5 bits, clamped to 31) + meaningful-bit count (6 bits, 64 stored as
/// 0) + the meaningful bits. The stream is zero-padded to a whole byte.
///
/// The appender owns its buffer; ``reset()`` reuses it for the next chunk. Appending allocates
/// only when the buffer grows. Not thread-safe: the owner (a head series) serializes access.
public struct XORChunkAppender: Sendable {
    @usableFromInline var writer: BitWriter
    @usableFromInline var n: Int
    @usableFromInline var t: Int64
    @usableFromInline var v: UInt64
    @usableFromInline var tDelta: UInt64
    /// Leading zeros of the current value window; 0xff before the first window is set.
    @usableFromInline var leading: UInt8
    @usableFromInline var trailing: UInt8

    /// The largest sample count the 16-bit header can hold.
    public static let maxSamples = Int(UInt16.max)

    /// An empty chunk (header only).
    @inlinable
    public init() {
        writer = BitWriter(bytes: [0, 0], freeBits: 0)
        n = 0
        t = 0
        v = 0
        tDelta = 0
        leading = 0xff
        trailing = 0
    }

    /// An empty chunk whose buffer reserves `capacity` bytes.
    @inlinable
    public init(reservingCapacity capacity: Int) {
        self.init()
        writer.bytes.reserveCapacity(capacity)
    }

    /// Continues an existing chunk (Prometheus `XORChunk.Appender`): decodes it to recover the
    /// encoder state, so later appends produce exactly the bytes a single appender would have.
    /// - Throws: ``DecodeError`` when `bytes` is not a well-formed XOR chunk.
    public init(resuming bytes: [UInt8]) throws(DecodeError) {
        var it = XORChunkIterator(bytes)
        while it.next() {}
        if let e = it.error { throw e }
        self.init()
        n = it.state.numTotal
        if n == 0 { return }
        let usedBits = it.state.reader.bitPosition
        var body = bytes
        var free = body.count * 8 - usedBits
        if free > 8 {
            // Bytes beyond the stream (not written by an appender): drop them.
            let usedBytes = (usedBits + 7) / 8
            body.removeSubrange(usedBytes...)
            free = usedBytes * 8 - usedBits
        }
        // Padding bits must be zero so later writes can OR into the last byte.
        if free == 8 {
            body[body.count - 1] = 0
        } else if free > 0 {
            body[body.count - 1] &= ~UInt8((1 << free) - 1)
        }
        writer = BitWriter(bytes: body, freeBits: free)
        t = it.state.t
        v = it.state.v
        tDelta = it.state.tDelta
        // The reader's window equals the writer's whenever a window was ever written; before
        // that the writer's "unset" marker (0xff) must be restored.
        leading = it.state.windowSet ? it.state.leading : 0xff
        trailing = it.state.windowSet ? it.state.trailing : 0
    }

    /// Number of samples appended.
    @inlinable public var count: Int { n }

    /// The complete chunk bytes, sample-count header included. Its size is the chunk's on-disk data size.
    @inlinable public var bytes: [UInt8] { writer.bytes }

    /// Size of ``bytes`` without copying.
    @inlinable public var byteCount: Int { writer.bytes.count }

    /// Timestamp (ms) of the last appended sample; meaningless when ``count`` is 0.
    @inlinable public var lastTimestamp: Int64 { t }

    /// Value of the last appended sample (exact bits); meaningless when ``count`` is 0.
    @inlinable public var lastValue: Double { Double(bitPattern: v) }

    /// Empties the chunk, keeping the buffer's capacity.
    @inlinable
    public mutating func reset() {
        writer.bytes.removeAll(keepingCapacity: true)
        writer.bytes.append(0)
        writer.bytes.append(0)
        writer.freeBits = 0
        n = 0
        t = 0
        v = 0
        tDelta = 0
        leading = 0xff
        trailing = 0
    }

    /// Hands the chunk bytes over (exact-size copy) and empties the appender for reuse.
    public mutating func finish() -> [UInt8] {
        let out = Array(writer.bytes)
        reset()
        return out
    }

    /// Appends a sample. Timestamps should increase (the head enforces it), but any Int64
    /// sequence round-trips exactly, with wrapping arithmetic as Go's.
    /// - Precondition: ``count`` < ``maxSamples``.
    @inlinable
    public mutating func append(timestamp: Int64, value: Double) {
        precondition(n < XORChunkAppender.maxSamples, "XOR chunk is full (65535 samples)")
        let bits = value.bitPattern
        var newDelta: UInt64 = 0
        switch n {
        case 0:
            appendVarintBytes(UInt64(bitPattern: (timestamp &<< 1) ^ (timestamp >> 63)))
            writer.writeBits(bits, count: 64)
        case 1:
            newDelta = UInt64(bitPattern: timestamp &- t)
            appendVarintBytes(newDelta)
            writeValue(bits)
        default:
            newDelta = UInt64(bitPattern: timestamp &- t)
            let dod = Int64(bitPattern: newDelta &- tDelta)
            if dod == 0 {
                writer.writeBit(false)
            } else if dod >= -8191 && dod <= 8192 {
                writer.writeBits(0b10 &<< 14 | (UInt64(bitPattern: dod) & 0x3fff), count: 16)
            } else if dod >= -65535 && dod <= 65536 {
                writer.writeBits(0b110 &<< 17 | (UInt64(bitPattern: dod) & 0x1ffff), count: 20)
            } else if dod >= -524287 && dod <= 524288 {
                writer.writeBits(0b1110 &<< 20 | (UInt64(bitPattern: dod) & 0xfffff), count: 24)
            } else {
                writer.writeBits(0b1111, count: 4)
                writer.writeBits(UInt64(bitPattern: dod), count: 64)
            }
            writeValue(bits)
        }
        t = timestamp
        v = bits
        tDelta = newDelta
        n &+= 1
        writer.bytes[0] = UInt8(truncatingIfNeeded: n &>> 8)
        writer.bytes[1] = UInt8(truncatingIfNeeded: n)
    }

    /// Writes a uvarint's bytes into the bit stream (Prometheus writes them with `writeByte`).
    @inlinable
    mutating func appendVarintBytes(_ value: UInt64) {
        var x = value
        while x >= 0x80 {
            writer.writeByte(UInt8(truncatingIfNeeded: x) | 0x80)
            x &>>= 7
        }
        writer.writeByte(UInt8(x))
    }

    /// Prometheus `xorWrite`.
    @inlinable
    mutating func writeValue(_ bits: UInt64) {
        let delta = bits ^ v
        if delta == 0 {
            writer.writeBit(false)
            return
        }
        var newLeading = UInt8(truncatingIfNeeded: delta.leadingZeroBitCount)
        let newTrailing = UInt8(truncatingIfNeeded: delta.trailingZeroBitCount)
        // Clamp so the count fits in 5 bits.
        if newLeading >= 32 { newLeading = 31 }
        if leading != 0xff && newLeading >= leading && newTrailing >= trailing {
            // `10`: reuse the previous window.
            writer.writeBits(0b10, count: 2)
            writer.writeBits(delta &>> UInt64(trailing), count: 64 &- Int(leading) &- Int(trailing))
            return
        }
        leading = newLeading
        trailing = newTrailing
        let sigbits = 64 &- Int(newLeading) &- Int(newTrailing)
        // `11`, leading in 5 bits, sigbits in 6 bits (64 wraps to 0): 13 bits in one write.
        writer.writeBits(0b11 &<< 11 | UInt64(newLeading) &<< 6 | UInt64(sigbits & 0x3f), count: 13)
        writer.writeBits(delta &>> UInt64(newTrailing), count: sigbits)
    }
}
