/// Builds one Prometheus XOR ("Gorilla") float chunk with the bytes of ``XORChunkAppender``, for
/// the head's open chunks: the newest bits wait in a 64-bit register and three complete words
/// beside it, and reach the byte buffer 32 bytes at a time; the sample-count header is written
/// only when the bytes are taken. A sample of a typical series (~40 bits) therefore touches the
/// buffer, a separate allocation and so a likely cache miss, about once per six samples.
///
/// Layout and bucket rules: Prometheus `tsdb/docs/format/chunks.md` §XOR chunk data and
/// `tsdb/chunkenc/xor.go` (2.42), as documented on ``XORChunkAppender``. Bit stream rules:
/// `tsdb/chunkenc/bstream.go`: a `writeBits` of a whole number of bytes goes through `writeByte`,
/// which leaves a spare zero byte when the stream is byte-aligned; so the stream's length in bytes
/// is `ceil(bits / 8)`, plus one when the bit count is a multiple of 8 and the last write was a
/// whole number of bytes (``bytes`` reproduces it).
///
/// A value type that owns its buffer; ``reset()`` keeps the buffer's capacity for the next chunk,
/// ``resetReleasingBuffer()`` and ``finishReleasingBuffer()`` start over with a minimal one.
/// Not thread-safe: the owner (a head series) serializes access.
public struct XORChunkEncoder: Sendable {
    // Stored properties in the order of use per sample (Swift lays structs out in declaration
    // order): the counters and the register first, the buffer and the pending words last.
    @usableFromInline var n: UInt16
    /// Number of pending bits in ``acc`` (0...63).
    @usableFromInline var accBits: UInt8
    /// Number of complete words waiting in ``w0``...``w2`` (0...3).
    @usableFromInline var fullWords: UInt8
    /// Leading zeros of the current value window; 0xff before the first window is set.
    @usableFromInline var leading: UInt8
    @usableFromInline var trailing: UInt8
    /// The last write was a whole number of bytes (Prometheus's spare byte, see the type doc).
    @usableFromInline var lastWriteWholeBytes: Bool
    /// Predicted final size of ``stream`` in 32-byte units past its 2-byte header, 0 for none (see
    /// `XORChunkEncoder+Capacity.swift`). Sits in what was padding before ``acc``: costs no byte.
    @usableFromInline var capacityUnits: UInt8
    /// Pending bits, left-aligned: the first pending bit is bit 63.
    @usableFromInline var acc: UInt64
    @usableFromInline var t: Int64
    @usableFromInline var v: UInt64
    @usableFromInline var tDelta: UInt64
    /// Flushed stream bytes, the 2-byte header placeholder first (filled in by ``bytes``).
    @usableFromInline var stream: [UInt8]
    /// Complete 64-bit words not yet in ``stream`` (the buffer is written 32 bytes at a time).
    @usableFromInline var w0: UInt64
    @usableFromInline var w1: UInt64
    @usableFromInline var w2: UInt64

    /// The largest sample count the 16-bit header can hold.
    public static let maxSamples = Int(UInt16.max)

    /// An empty chunk.
    @inlinable
    public init() {
        stream = [0, 0]
        w0 = 0
        w1 = 0
        w2 = 0
        fullWords = 0
        acc = 0
        t = 0
        v = 0
        tDelta = 0
        n = 0
        accBits = 0
        leading = 0xff
        trailing = 0
        lastWriteWholeBytes = false
        capacityUnits = 0
    }

    /// Number of samples appended.
    @inlinable public var count: Int { Int(n) }

    /// Timestamp (ms) of the last appended sample; meaningless when ``count`` is 0.
    @inlinable public var lastTimestamp: Int64 { t }

    /// Bits of the last appended sample's value; meaningless when ``count`` is 0.
    @inlinable public var lastValueBits: UInt64 { v }

    /// Size in bytes of ``bytes``, without building them.
    @inlinable public var byteCount: Int {
        let bits = Int(accBits)
        var size = stream.count &+ Int(fullWords) &* 8 &+ (bits &+ 7) / 8
        if bits & 7 == 0 && lastWriteWholeBytes { size &+= 1 }
        return size
    }

    /// The complete chunk bytes (sample-count header included), exactly as
    /// ``XORChunkAppender/bytes`` would hold them for the same samples. Builds a new array.
    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(byteCount)
        out.append(contentsOf: stream)
        out[0] = UInt8(truncatingIfNeeded: n &>> 8)
        out[1] = UInt8(truncatingIfNeeded: n)
        for (i, w) in [w0, w1, w2].enumerated() where i < Int(fullWords) { out.appendBE64(w) }
        var a = acc
        var left = Int(accBits)
        while left > 0 {
            out.append(UInt8(truncatingIfNeeded: a &>> 56))
            a = a &<< 8
            left &-= 8
        }
        if accBits & 7 == 0 && lastWriteWholeBytes { out.append(0) }
        return out
    }

    /// Empties the chunk, keeping the buffer's capacity.
    @inlinable
    public mutating func reset() {
        stream.removeAll(keepingCapacity: true)
        stream.append(0)
        stream.append(0)
        fullWords = 0
        acc = 0
        t = 0
        v = 0
        tDelta = 0
        n = 0
        accBits = 0
        leading = 0xff
        trailing = 0
        lastWriteWholeBytes = false
        capacityUnits = 0
    }

    /// Hands the chunk bytes over (an exact-size array) and empties the encoder for reuse.
    public mutating func finish() -> [UInt8] {
        let out = bytes
        reset()
        return out
    }

    /// Hands the chunk bytes over (an exact-size array) and empties the encoder with a new,
    /// minimal buffer, freeing the old one: for a head series whose next chunk may stay small
    /// (or never come), so the capacity grown for this chunk is not held on to. The next chunk
    /// grows its buffer again by a quarter at a time (a few reallocations per chunk).
    public mutating func finishReleasingBuffer() -> [UInt8] {
        let out = bytes
        resetReleasingBuffer()
        return out
    }

    /// Empties the chunk and replaces its buffer with a new, minimal one (the old one is freed
    /// when nothing else shares it).
    public mutating func resetReleasingBuffer() {
        reset()
        stream = [0, 0]
    }

    /// Bytes the stream buffer has room for (its allocated capacity, the header included); for
    /// memory accounting and tests.
    public var bufferCapacity: Int { stream.capacity }

    /// Appends the low `count` bits of `value`, most significant first.
    /// - Precondition: `1 <= count <= 64` (higher bits of `value` are ignored).
    @inlinable @inline(__always)
    mutating func writeBits(_ value: UInt64, count: Int) {
        let left = value &<< UInt64(64 &- count)  // count == 64: shift by 0
        let used = Int(accBits)
        let free = 64 &- used
        lastWriteWholeBytes = count & 7 == 0
        if count < free {
            acc |= left &>> UInt64(used)  // used < 64
            accBits = UInt8(truncatingIfNeeded: used &+ count)
            return
        }
        let word = acc | (left &>> UInt64(used))
        flush(word)
        let rest = count &- free
        // The bits of `left` not yet flushed; `free` may be 64 (nothing pending), and a shift by
        // 64 must give 0 (Swift masks shift amounts, so test it).
        acc = rest == 0 ? 0 : left &<< UInt64(free)
        accBits = UInt8(truncatingIfNeeded: rest)
    }

    /// Appends one bit.
    @inlinable @inline(__always)
    mutating func writeBit(_ bit: Bool) {
        let used = Int(accBits)
        lastWriteWholeBytes = false
        if bit { acc |= (UInt64(1) &<< 63) &>> UInt64(used) }
        if used == 63 {
            flush(acc)
            acc = 0
            accBits = 0
        } else {
            accBits = UInt8(truncatingIfNeeded: used &+ 1)
        }
    }

    /// Queues a complete word; every fourth one moves the four (32 bytes, big-endian) to the
    /// stream with one capacity check and one copy.
    @inlinable @inline(__always)
    mutating func flush(_ word: UInt64) {
        switch fullWords {
        case 0: w0 = word
        case 1: w1 = word
        case 2: w2 = word
        default:
            let words = (w0.bigEndian, w1.bigEndian, w2.bigEndian, word.bigEndian)
            let count = stream.count
            if stream.capacity &- count < 32 { growStream() }
            withUnsafeBytes(of: words) { stream.append(contentsOf: $0) }
            fullWords = 0
            return
        }
        fullWords &+= 1
    }

    /// Appends a sample. Any Int64 timestamp sequence round-trips (Go's wrapping arithmetic);
    /// the head makes timestamps increase.
    /// - Precondition: ``count`` < ``maxSamples``.
    @inlinable
    public mutating func append(timestamp: Int64, value: Double) {
        precondition(n < UInt16.max, "XOR chunk is full (65535 samples)")
        let bits = value.bitPattern
        var newDelta: UInt64 = 0
        switch n {
        case 0:
            appendVarintBytes(UInt64(bitPattern: (timestamp &<< 1) ^ (timestamp >> 63)))
            writeBits(bits, count: 64)
        case 1:
            newDelta = UInt64(bitPattern: timestamp &- t)
            appendVarintBytes(newDelta)
            writeValue(bits)
        default:
            newDelta = UInt64(bitPattern: timestamp &- t)
            let dod = Int64(bitPattern: newDelta &- tDelta)
            if dod == 0 {
                writeBit(false)
            } else if dod >= -8191 && dod <= 8192 {
                writeBits(0b10 &<< 14 | (UInt64(bitPattern: dod) & 0x3fff), count: 16)
            } else if dod >= -65535 && dod <= 65536 {
                writeBits(0b110 &<< 17 | (UInt64(bitPattern: dod) & 0x1ffff), count: 20)
            } else if dod >= -524287 && dod <= 524288 {
                writeBits(0b1110 &<< 20 | (UInt64(bitPattern: dod) & 0xfffff), count: 24)
            } else {
                writeBits(0b1111, count: 4)
                writeBits(UInt64(bitPattern: dod), count: 64)
            }
            writeValue(bits)
        }
        t = timestamp
        v = bits
        tDelta = newDelta
        n &+= 1
    }

    /// A uvarint's bytes, each through `writeByte` as Prometheus writes them.
    @inlinable
    mutating func appendVarintBytes(_ value: UInt64) {
        var x = value
        while x >= 0x80 {
            writeBits(x & 0x7f | 0x80, count: 8)
            x &>>= 7
        }
        writeBits(x, count: 8)
    }

    /// Prometheus `xorWrite`.
    @inlinable @inline(__always)
    mutating func writeValue(_ bits: UInt64) {
        let delta = bits ^ v
        if delta == 0 {
            writeBit(false)
            return
        }
        var newLeading = UInt8(truncatingIfNeeded: delta.leadingZeroBitCount)
        let newTrailing = UInt8(truncatingIfNeeded: delta.trailingZeroBitCount)
        if newLeading >= 32 { newLeading = 31 }
        if leading != 0xff && newLeading >= leading && newTrailing >= trailing {
            // `10` and the meaningful bits in the previous window, in one write when they fit.
            let sig = 64 &- Int(leading) &- Int(trailing)
            let payload = delta &>> UInt64(trailing)
            if sig <= 62 {
                writeBits(0b10 &<< UInt64(sig) | payload, count: sig &+ 2)
            } else {
                writeBits(0b10, count: 2)
                writeBits(payload, count: sig)
            }
            // Prometheus made two writes; the spare-byte rule looks at the last one.
            lastWriteWholeBytes = sig & 7 == 0
            return
        }
        leading = newLeading
        trailing = newTrailing
        let sig = 64 &- Int(newLeading) &- Int(newTrailing)
        let head = 0b11 &<< 11 | UInt64(newLeading) &<< 6 | UInt64(sig & 0x3f)
        if sig <= 51 {
            writeBits(head &<< UInt64(sig) | (delta &>> UInt64(newTrailing)), count: 13 &+ sig)
        } else {
            writeBits(head, count: 13)
            writeBits(delta &>> UInt64(newTrailing), count: sig)
        }
        lastWriteWholeBytes = sig & 7 == 0
    }
}
