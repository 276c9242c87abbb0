/// One decoded sample of an integer histogram chunk: buckets delta-encoded as in the chunk
/// (empty for a stale sample, whose sum is the stale marker).
public struct HistogramChunkSample: Sendable, Equatable {
    public var t: Int64
    public var count: UInt64
    public var zeroCount: UInt64
    public var sum: Double
    public var positive: [Int64]
    public var negative: [Int64]
    public init(t: Int64, count: UInt64, zeroCount: UInt64, sum: Double, positive: [Int64], negative: [Int64]) {
        self.t = t
        self.count = count
        self.zeroCount = zeroCount
        self.sum = sum
        self.positive = positive
        self.negative = negative
    }
    /// True when the sum is the stale marker.
    public var isStale: Bool { sum.bitPattern == HistogramChunkEncoder.staleNaNBits }
}

/// One decoded sample of a float histogram chunk: absolute bucket counts (empty when stale).
public struct FloatHistogramChunkSample: Sendable, Equatable {
    public var t: Int64
    public var count: Double
    public var zeroCount: Double
    public var sum: Double
    public var positive: [Double]
    public var negative: [Double]
    public init(t: Int64, count: Double, zeroCount: Double, sum: Double, positive: [Double], negative: [Double]) {
        self.t = t
        self.count = count
        self.zeroCount = zeroCount
        self.sum = sum
        self.positive = positive
        self.negative = negative
    }
    public var isStale: Bool { sum.bitPattern == HistogramChunkEncoder.staleNaNBits }
}

/// Decodes histogram chunks written by ``HistogramChunkEncoder`` / ``FloatHistogramChunkEncoder``
/// or by Prometheus. Corrupt bytes throw ``DecodeError`` (with the byte offset), never trap.
public enum HistogramChunkDecoder {
    /// Sample count, header and layout of chunk data, and a reader positioned at the first sample.
    static func start(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> (Int, HistogramChunkHeader, HistogramChunkLayout, BitReader) {
        guard bytes.count >= 3 else { throw DecodeError(.truncated, offset: bytes.count, "histogram chunk shorter than its header") }
        let n = Int(bytes[0]) << 8 | Int(bytes[1])
        let header = HistogramChunkHeader(rawValue: bytes[2] & 0xC0) ?? .unknown
        var r = BitReader(offset: 3)
        let layout = try HistogramBits.readLayout(&r, bytes)
        // Every sample takes at least one bit per field.
        if n > bytes.count * 8 { throw DecodeError(.invalid, offset: 0, "histogram chunk: \(n) samples in \(bytes.count) bytes") }
        return (n, header, layout, r)
    }

    /// The layout and header of chunk data without decoding samples.
    public static func layout(_ data: [UInt8]) throws(DecodeError) -> (count: Int, header: HistogramChunkHeader, layout: HistogramChunkLayout) {
        let result: Result<(Int, HistogramChunkHeader, HistogramChunkLayout), DecodeError> = data.withUnsafeBytes { raw in
            do throws(DecodeError) {
                let (n, h, l, _) = try start(raw)
                return .success((n, h, l))
            } catch {
                return .failure(error)
            }
        }
        let (n, h, l) = try result.get()
        return (n, h, l)
    }

    /// Every sample of an integer histogram chunk (encoding 2), with its header and layout.
    public static func decodeIntegers(_ data: [UInt8]) throws(DecodeError) -> (HistogramChunkHeader, HistogramChunkLayout, [HistogramChunkSample]) {
        let result: Result<(HistogramChunkHeader, HistogramChunkLayout, [HistogramChunkSample]), DecodeError> = data.withUnsafeBytes { raw in
            do throws(DecodeError) {
                return .success(try decodeIntegers(raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func decodeIntegers(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> (HistogramChunkHeader, HistogramChunkLayout, [HistogramChunkSample]) {
        var (n, header, layout, r) = try start(bytes)
        let np = layout.positiveBucketCount, nn = layout.negativeBucketCount
        var out: [HistogramChunkSample] = []
        out.reserveCapacity(n)
        var t: Int64 = 0, td: Int64 = 0
        var c: UInt64 = 0, cd: Int64 = 0
        var z: UInt64 = 0, zd: Int64 = 0
        var sum = 0.0
        var leading: UInt8 = 0xff, trailing: UInt8 = 0
        var pos = [Int64](repeating: 0, count: np), neg = [Int64](repeating: 0, count: nn)
        var pd = pos, nd = neg
        for i in 0..<n {
            if i == 0 {
                t = try HistogramBits.readVarbitInt(&r, bytes)
                c = try HistogramBits.readVarbitUint(&r, bytes)
                z = try HistogramBits.readVarbitUint(&r, bytes)
                sum = Double(bitPattern: try r.readBits(64, bytes))
                if sum.bitPattern != HistogramChunkEncoder.staleNaNBits {
                    for k in 0..<np { pos[k] = try HistogramBits.readVarbitInt(&r, bytes) }
                    for k in 0..<nn { neg[k] = try HistogramBits.readVarbitInt(&r, bytes) }
                }
            } else {
                let a = try HistogramBits.readVarbitInt(&r, bytes)
                let b = try HistogramBits.readVarbitInt(&r, bytes)
                let e = try HistogramBits.readVarbitInt(&r, bytes)
                if i == 1 {
                    td = a; cd = b; zd = e
                } else {
                    td = td &+ a; cd = cd &+ b; zd = zd &+ e
                }
                t = t &+ td
                c = c &+ UInt64(bitPattern: cd)
                z = z &+ UInt64(bitPattern: zd)
                sum = try HistogramBits.readXOR(&r, bytes, sum, &leading, &trailing)
                if sum.bitPattern != HistogramChunkEncoder.staleNaNBits {
                    for k in 0..<np {
                        let v = try HistogramBits.readVarbitInt(&r, bytes)
                        pd[k] = i == 1 ? v : pd[k] &+ v
                        pos[k] = pos[k] &+ pd[k]
                    }
                    for k in 0..<nn {
                        let v = try HistogramBits.readVarbitInt(&r, bytes)
                        nd[k] = i == 1 ? v : nd[k] &+ v
                        neg[k] = neg[k] &+ nd[k]
                    }
                }
            }
            let stale = sum.bitPattern == HistogramChunkEncoder.staleNaNBits
            out.append(HistogramChunkSample(t: t, count: c, zeroCount: z, sum: sum,
                                            positive: stale ? [] : pos, negative: stale ? [] : neg))
        }
        return (header, layout, out)
    }

    /// Every sample of a float histogram chunk (encoding 3), with its header and layout.
    public static func decodeFloats(_ data: [UInt8]) throws(DecodeError) -> (HistogramChunkHeader, HistogramChunkLayout, [FloatHistogramChunkSample]) {
        let result: Result<(HistogramChunkHeader, HistogramChunkLayout, [FloatHistogramChunkSample]), DecodeError> = data.withUnsafeBytes { raw in
            do throws(DecodeError) {
                return .success(try decodeFloats(raw))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func decodeFloats(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> (HistogramChunkHeader, HistogramChunkLayout, [FloatHistogramChunkSample]) {
        var (n, header, layout, r) = try start(bytes)
        let np = layout.positiveBucketCount, nn = layout.negativeBucketCount
        var out: [FloatHistogramChunkSample] = []
        out.reserveCapacity(n)
        var t: Int64 = 0, td: Int64 = 0
        var c = 0.0, z = 0.0, sum = 0.0
        var pos = [Double](repeating: 0, count: np), neg = [Double](repeating: 0, count: nn)
        var leading = [UInt8](repeating: 0xff, count: 3 + np + nn)
        var trailing = [UInt8](repeating: 0, count: 3 + np + nn)
        for i in 0..<n {
            if i == 0 {
                t = try HistogramBits.readVarbitInt(&r, bytes)
                c = Double(bitPattern: try r.readBits(64, bytes))
                z = Double(bitPattern: try r.readBits(64, bytes))
                sum = Double(bitPattern: try r.readBits(64, bytes))
                if sum.bitPattern != HistogramChunkEncoder.staleNaNBits {
                    for k in 0..<np { pos[k] = Double(bitPattern: try r.readBits(64, bytes)) }
                    for k in 0..<nn { neg[k] = Double(bitPattern: try r.readBits(64, bytes)) }
                }
            } else {
                let a = try HistogramBits.readVarbitInt(&r, bytes)
                td = i == 1 ? a : td &+ a
                t = t &+ td
                c = try HistogramBits.readXOR(&r, bytes, c, &leading[0], &trailing[0])
                z = try HistogramBits.readXOR(&r, bytes, z, &leading[1], &trailing[1])
                sum = try HistogramBits.readXOR(&r, bytes, sum, &leading[2], &trailing[2])
                if sum.bitPattern != HistogramChunkEncoder.staleNaNBits {
                    for k in 0..<np { pos[k] = try HistogramBits.readXOR(&r, bytes, pos[k], &leading[3 + k], &trailing[3 + k]) }
                    for k in 0..<nn { neg[k] = try HistogramBits.readXOR(&r, bytes, neg[k], &leading[3 + np + k], &trailing[3 + np + k]) }
                }
            }
            let stale = sum.bitPattern == HistogramChunkEncoder.staleNaNBits
            out.append(FloatHistogramChunkSample(t: t, count: c, zeroCount: z, sum: sum,
                                                 positive: stale ? [] : pos, negative: stale ? [] : neg))
        }
        return (header, layout, out)
    }
}
