/// The decoding state of one XOR chunk (Prometheus `xorIterator`), advanced over bytes the
/// caller passes to each step. Shared by ``XORChunkIterator`` and ``XORChunk/decode(_:minTime:maxTime:timestamps:values:)``.
@usableFromInline
struct XORDecoderState: Sendable {
    @usableFromInline var reader: BitReader
    @usableFromInline var numTotal: Int
    @usableFromInline var numRead: Int
    @usableFromInline var t: Int64
    @usableFromInline var v: UInt64
    @usableFromInline var tDelta: UInt64
    @usableFromInline var leading: UInt8
    @usableFromInline var trailing: UInt8
    /// True once a `11` value control has set the window (used when resuming an appender).
    @usableFromInline var windowSet: Bool

    /// Reads the header. An input shorter than the 2-byte header throws.
    @inlinable
    init(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        guard bytes.count >= 2 else {
            throw DecodeError(.truncated, offset: 0, "XOR chunk shorter than its 2-byte header")
        }
        numTotal = Int(bytes[0]) << 8 | Int(bytes[1])
        reader = BitReader(offset: 2)
        numRead = 0
        t = 0
        v = 0
        tDelta = 0
        leading = 0
        trailing = 0
        windowSet = false
    }

    /// An exhausted state (used when the header itself was bad).
    @inlinable
    init() {
        reader = BitReader(offset: 2)
        numTotal = 0
        numRead = 0
        t = 0
        v = 0
        tDelta = 0
        leading = 0
        trailing = 0
        windowSet = false
    }

    /// Decodes the next sample into `t`/`v`. Returns false when all samples were read.
    @inlinable @inline(__always)
    mutating func next(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Bool {
        if numRead >= numTotal { return false }
        if numRead == 0 {
            t = try reader.readVarint(bytes)
            v = try reader.readBits(64, bytes)
            numRead = 1
            return true
        }
        if numRead == 1 {
            tDelta = try reader.readUVarint(bytes)
            t = t &+ Int64(bitPattern: tDelta)
            try readValue(bytes)
            numRead = 2
            return true
        }
        // Delta of delta: up to four prefix bits `0`, `10`, `110`, `1110`, `1111`.
        // With ≥ 4 bits buffered the prefix is the count of leading ones (at most 4), read at once;
        // the terminating `0` is consumed too unless the prefix is the full `1111`.
        var prefix = 0
        if reader.valid < 4 { reader.refill(bytes) }
        if reader.valid >= 4 {
            prefix = Swift.min((~reader.buffer).leadingZeroBitCount, 4)
            let used = prefix == 4 ? 4 : prefix &+ 1
            reader.buffer = reader.buffer &<< UInt64(used)
            reader.valid &-= used
        } else {
            while prefix < 4 {
                if !(try reader.readBit(bytes)) { break }
                prefix &+= 1
            }
        }
        var dod: Int64 = 0
        switch prefix {
        case 0:
            dod = 0
        case 4:
            dod = Int64(bitPattern: try reader.readBits(64, bytes))
        default:
            let size = prefix == 1 ? 14 : (prefix == 2 ? 17 : 20)
            var raw = try reader.readBits(size, bytes)
            // Values above 2^(size-1) are negative (two's complement in `size` bits).
            if raw > (1 &<< UInt64(size &- 1)) { raw = raw &- (1 &<< UInt64(size)) }
            dod = Int64(bitPattern: raw)
        }
        tDelta = UInt64(bitPattern: Int64(bitPattern: tDelta) &+ dod)
        t = t &+ Int64(bitPattern: tDelta)
        try readValue(bytes)
        numRead &+= 1
        return true
    }

    /// Prometheus `xorRead`.
    @inlinable @inline(__always)
    mutating func readValue(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        if !(try reader.readBit(bytes)) { return }
        if try reader.readBit(bytes) {
            let control = try reader.readBits(11, bytes)
            let l = UInt8(truncatingIfNeeded: control &>> 6)
            var size = UInt8(truncatingIfNeeded: control & 0x3f)
            if size == 0 { size = 64 }
            guard Int(l) + Int(size) <= 64 else {
                throw DecodeError(
                    .invalid, offset: reader.bitPosition / 8,
                    "XOR value window of \(l) leading zeros and \(size) significant bits exceeds 64 bits")
            }
            leading = l
            trailing = 64 &- l &- size
            windowSet = true
        }
        let meaningful = 64 &- Int(leading) &- Int(trailing)
        let bits = try reader.readBits(meaningful, bytes)
        v ^= bits &<< UInt64(trailing)
    }
}

/// Forward iterator over the samples of one XOR chunk, with seek (Prometheus `chunkenc.Iterator`).
///
/// Holds a reference to the chunk's bytes (no copy) and decodes one sample per ``next()`` without
/// allocating. Reuse one iterator across chunks with ``reset(_:)``. After ``next()`` returns false,
/// check ``error``: nil means the chunk ended normally. ``timestamp``/``value`` before the first
/// successful ``next()`` are unspecified. Not thread-safe; a value type, so copies iterate independently.
public struct XORChunkIterator: Sendable {
    @usableFromInline var data: [UInt8]
    @usableFromInline var state: XORDecoderState
    /// Why iteration stopped early (corrupt or truncated chunk), or nil.
    public var error: DecodeError? { failure }
    @usableFromInline var failure: DecodeError?

    /// An iterator over `bytes` (a complete chunk, header included).
    public init(_ bytes: [UInt8]) {
        data = bytes
        state = XORDecoderState()
        failure = nil
        reset(bytes)
    }

    /// Restarts on another chunk, reusing this iterator.
    public mutating func reset(_ bytes: [UInt8]) {
        data = bytes
        failure = nil
        do {
            state = try withDecodeBytes(bytes) { b throws(DecodeError) in try XORDecoderState(b) }
        } catch {
            self.failure = error
            state = XORDecoderState()
        }
    }

    /// The number of samples the chunk header declares.
    @inlinable public var sampleCount: Int { state.numTotal }

    /// Timestamp (ms) of the current sample.
    @inlinable public var timestamp: Int64 { state.t }

    /// Value of the current sample (exact bits, stale markers preserved).
    @inlinable public var value: Double { Double(bitPattern: state.v) }

    /// Advances to the next sample. Returns false at the end or on corruption (see ``error``).
    @inlinable
    public mutating func next() -> Bool {
        if error != nil { return false }
        do {
            return try withDecodeBytes(data) { b throws(DecodeError) in try state.next(b) }
        } catch {
            self.failure = error
            return false
        }
    }

    /// Advances to the first sample with timestamp ≥ `t` (Prometheus `Seek`); if the current
    /// sample already qualifies, stays on it. Returns false if no such sample exists.
    @inlinable
    public mutating func seek(to t: Int64) -> Bool {
        if error != nil { return false }
        if state.numRead > 0 && state.t >= t { return true }
        while next() {
            if state.t >= t { return true }
        }
        return false
    }
}

/// Whole-chunk decoding helpers for the Prometheus XOR chunk (see ``XORChunkAppender`` for the layout).
public enum XORChunk {
    /// The encoding byte of XOR chunks in chunk segment files and head chunks (`EncXOR = 1`).
    public static let encoding: UInt8 = 1

    /// Appends the decoded samples with `minTime <= t <= maxTime` (closed) to the two columns,
    /// in chunk order. Stops early once a timestamp exceeds `maxTime` (chunks are time-ordered).
    /// - Throws: ``DecodeError`` for a truncated or corrupt chunk; samples decoded before the
    ///   error may already have been appended.
    @inlinable
    public static func decode(
        _ data: UnsafeRawBufferPointer, minTime: Int64, maxTime: Int64,
        timestamps: inout [Int64], values: inout [Double]
    ) throws(DecodeError) {
        // A zero-padded copy lets the decoding loop refill without bounds checks (see
        // `XORChunk+BulkDecode.swift`); the copy costs a few percent of decoding the bytes.
        let length = data.count
        var failure: DecodeError?
        withUnsafeTemporaryAllocation(byteCount: length &+ padding, alignment: 8) { scratch in
            let base = scratch.baseAddress!
            if let src = data.baseAddress, length > 0 { base.copyMemory(from: src, byteCount: length) }
            (base + length).initializeMemory(as: UInt8.self, repeating: 0, count: padding)
            do throws(DecodeError) {
                try decodePadded(UnsafeRawPointer(base), length: length, minTime: minTime, maxTime: maxTime,
                                 timestamps: &timestamps, values: &values)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// ``decode(_:minTime:maxTime:timestamps:values:)`` over a byte array.
    @inlinable
    public static func decode(
        _ data: [UInt8], minTime: Int64, maxTime: Int64,
        timestamps: inout [Int64], values: inout [Double]
    ) throws(DecodeError) {
        try withDecodeBytes(data) { b throws(DecodeError) in
            try decode(b, minTime: minTime, maxTime: maxTime, timestamps: &timestamps, values: &values)
        }
    }

    /// The sample count in a chunk's header, or nil when the data is shorter than the header.
    @inlinable
    public static func sampleCount(_ data: [UInt8]) -> Int? {
        data.count >= 2 ? Int(data[0]) << 8 | Int(data[1]) : nil
    }
}

/// `Array.withUnsafeBytes` for typed-throwing bodies (the stdlib one is `rethrows`, which loses the type).
@inlinable
func withDecodeBytes<R>(
    _ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(DecodeError) -> R
) throws(DecodeError) -> R {
    let result: Result<R, DecodeError> = array.withUnsafeBytes { b in
        do throws(DecodeError) {
            return .success(try body(b))
        } catch {
            return .failure(error)
        }
    }
    return try result.get()
}
