/// Encodes an integer native-histogram chunk (Prometheus chunk encoding 2, `HistogramAppender`),
/// byte for byte as Prometheus writes it (chunks.md §"Histogram chunk data"):
///
/// - sample 0: `t <varbit_int>`, `count <varbit_uint>`, `zero_count <varbit_uint>`, `sum <64 bits>`,
///   then each positive and each negative bucket (delta-encoded as in the histogram) `<varbit_int>`;
/// - sample 1: deltas to sample 0 (`<varbit_int>`), the sum XOR-encoded;
/// - samples 2...: deltas of deltas, the sum XOR-encoded.
///
/// A sample whose sum is the stale marker writes no buckets (and leaves the bucket state alone),
/// as Prometheus does. Every sample must have the chunk layout's bucket counts; the caller (the
/// head) cuts a new chunk or recodes when the layout changes.
///
/// A value type; not thread-safe.
public struct HistogramChunkEncoder: Sendable {
    public private(set) var layout: HistogramChunkLayout
    var w: BitWriter
    /// Number of samples appended.
    public private(set) var count: Int = 0
    public private(set) var lastTimestamp: Int64 = 0
    var tDelta: Int64 = 0
    public private(set) var lastCount: UInt64 = 0
    var cntDelta: Int64 = 0
    public private(set) var lastZeroCount: UInt64 = 0
    var zcntDelta: Int64 = 0
    public private(set) var lastSum: Double = 0
    var leading: UInt8 = 0xff
    var trailing: UInt8 = 0
    /// Delta-encoded buckets of the last non-stale sample.
    public private(set) var lastPositive: [Int64] = []
    public private(set) var lastNegative: [Int64] = []
    var pDelta: [Int64] = []
    var nDelta: [Int64] = []

    /// The bit pattern of Prometheus's stale marker.
    public static let staleNaNBits: UInt64 = 0x7ff0_0000_0000_0002

    /// An empty chunk with `layout` and the counter-reset `header`.
    public init(layout: HistogramChunkLayout, header: HistogramChunkHeader) {
        self.layout = layout
        w = BitWriter(bytes: [0, 0, header.rawValue], freeBits: 0)
        HistogramBits.writeLayout(&w, layout)
        lastPositive = [Int64](repeating: 0, count: layout.positiveBucketCount)
        lastNegative = [Int64](repeating: 0, count: layout.negativeBucketCount)
        pDelta = lastPositive
        nDelta = lastNegative
    }

    /// The counter-reset header.
    public var header: HistogramChunkHeader { HistogramChunkHeader(rawValue: w.bytes[2] & 0xC0) ?? .unknown }

    /// Appends a sample. `positive`/`negative` are delta-encoded bucket counts with exactly the
    /// layout's bucket counts (ignored for a stale sample).
    /// - Precondition: the bucket counts match the layout (the head guarantees it).
    public mutating func append(t: Int64, count c: UInt64, zeroCount z: UInt64, sum: Double,
                                positive: [Int64], negative: [Int64]) {
        let stale = sum.bitPattern == HistogramChunkEncoder.staleNaNBits
        precondition(stale || (positive.count == lastPositive.count && negative.count == lastNegative.count),
                     "histogram buckets do not match the chunk layout")
        switch count {
        case 0:
            HistogramBits.writeVarbitInt(&w, t)
            HistogramBits.writeVarbitUint(&w, c)
            HistogramBits.writeVarbitUint(&w, z)
            w.writeBits(sum.bitPattern, count: 64)
            if !stale {
                for b in positive { HistogramBits.writeVarbitInt(&w, b) }
                for b in negative { HistogramBits.writeVarbitInt(&w, b) }
            }
        case 1:
            let td = t &- lastTimestamp
            let cd = Int64(bitPattern: c &- lastCount)
            let zd = Int64(bitPattern: z &- lastZeroCount)
            HistogramBits.writeVarbitInt(&w, td)
            HistogramBits.writeVarbitInt(&w, cd)
            HistogramBits.writeVarbitInt(&w, zd)
            HistogramBits.writeXOR(&w, sum, lastSum, &leading, &trailing)
            if !stale {
                for i in positive.indices {
                    let d = positive[i] &- lastPositive[i]
                    HistogramBits.writeVarbitInt(&w, d)
                    pDelta[i] = d
                }
                for i in negative.indices {
                    let d = negative[i] &- lastNegative[i]
                    HistogramBits.writeVarbitInt(&w, d)
                    nDelta[i] = d
                }
            }
            tDelta = td
            cntDelta = cd
            zcntDelta = zd
        default:
            let td = t &- lastTimestamp
            let cd = Int64(bitPattern: c &- lastCount)
            let zd = Int64(bitPattern: z &- lastZeroCount)
            HistogramBits.writeVarbitInt(&w, td &- tDelta)
            HistogramBits.writeVarbitInt(&w, cd &- cntDelta)
            HistogramBits.writeVarbitInt(&w, zd &- zcntDelta)
            HistogramBits.writeXOR(&w, sum, lastSum, &leading, &trailing)
            if !stale {
                for i in positive.indices {
                    let d = positive[i] &- lastPositive[i]
                    HistogramBits.writeVarbitInt(&w, d &- pDelta[i])
                    pDelta[i] = d
                }
                for i in negative.indices {
                    let d = negative[i] &- lastNegative[i]
                    HistogramBits.writeVarbitInt(&w, d &- nDelta[i])
                    nDelta[i] = d
                }
            }
            tDelta = td
            cntDelta = cd
            zcntDelta = zd
        }
        lastTimestamp = t
        lastCount = c
        lastZeroCount = z
        lastSum = sum
        if !stale {
            lastPositive = positive
            lastNegative = negative
        }
        count += 1
    }

    /// The chunk data so far (sample count in the first two bytes), as Prometheus stores it.
    public var bytes: [UInt8] {
        var b = w.bytes
        b[0] = UInt8(truncatingIfNeeded: count >> 8)
        b[1] = UInt8(truncatingIfNeeded: count)
        return b
    }
}

/// Encodes a float native-histogram chunk (Prometheus chunk encoding 3, `FloatHistogramAppender`;
/// chunks.md §"Float histogram chunk data"): the layout as for encoding 2; sample 0 has
/// `t <varbit_int>` and count, zero count, sum and every (absolute) bucket as 64 raw bits;
/// later samples the timestamp delta / delta of delta and every value XOR-encoded against the
/// previous one, each with its own leading/trailing window. Stale samples write no buckets.
///
/// Prometheus 2.42 has no float-histogram chunks (they came with 2.44's float histogram
/// storage); this follows the newer spec, which 2.42 cannot read.
public struct FloatHistogramChunkEncoder: Sendable {
    public private(set) var layout: HistogramChunkLayout
    var w: BitWriter
    public private(set) var count: Int = 0
    public private(set) var lastTimestamp: Int64 = 0
    var tDelta: Int64 = 0
    /// Last count, zero count, sum, then buckets (positive, negative) with their XOR windows.
    public private(set) var lastCount: Double = 0
    public private(set) var lastZeroCount: Double = 0
    public private(set) var lastSum: Double = 0
    public private(set) var lastPositive: [Double] = []
    public private(set) var lastNegative: [Double] = []
    /// Leading/trailing windows: count, zero count, sum, positive buckets, negative buckets.
    var leading: [UInt8]
    var trailing: [UInt8]

    public init(layout: HistogramChunkLayout, header: HistogramChunkHeader) {
        self.layout = layout
        w = BitWriter(bytes: [0, 0, header.rawValue], freeBits: 0)
        HistogramBits.writeLayout(&w, layout)
        lastPositive = [Double](repeating: 0, count: layout.positiveBucketCount)
        lastNegative = [Double](repeating: 0, count: layout.negativeBucketCount)
        let n = 3 + lastPositive.count + lastNegative.count
        leading = [UInt8](repeating: 0xff, count: n)
        trailing = [UInt8](repeating: 0, count: n)
    }

    public var header: HistogramChunkHeader { HistogramChunkHeader(rawValue: w.bytes[2] & 0xC0) ?? .unknown }

    /// Appends a sample with absolute bucket counts matching the layout (ignored when stale).
    public mutating func append(t: Int64, count c: Double, zeroCount z: Double, sum: Double,
                                positive: [Double], negative: [Double]) {
        let stale = sum.bitPattern == HistogramChunkEncoder.staleNaNBits
        precondition(stale || (positive.count == lastPositive.count && negative.count == lastNegative.count),
                     "histogram buckets do not match the chunk layout")
        if count == 0 {
            HistogramBits.writeVarbitInt(&w, t)
            w.writeBits(c.bitPattern, count: 64)
            w.writeBits(z.bitPattern, count: 64)
            w.writeBits(sum.bitPattern, count: 64)
            if !stale {
                for b in positive { w.writeBits(b.bitPattern, count: 64) }
                for b in negative { w.writeBits(b.bitPattern, count: 64) }
            }
        } else {
            let td = t &- lastTimestamp
            HistogramBits.writeVarbitInt(&w, count == 1 ? td : td &- tDelta)
            tDelta = td
            HistogramBits.writeXOR(&w, c, lastCount, &leading[0], &trailing[0])
            HistogramBits.writeXOR(&w, z, lastZeroCount, &leading[1], &trailing[1])
            HistogramBits.writeXOR(&w, sum, lastSum, &leading[2], &trailing[2])
            if !stale {
                for i in positive.indices {
                    HistogramBits.writeXOR(&w, positive[i], lastPositive[i], &leading[3 + i], &trailing[3 + i])
                }
                let base = 3 + positive.count
                for i in negative.indices {
                    HistogramBits.writeXOR(&w, negative[i], lastNegative[i], &leading[base + i], &trailing[base + i])
                }
            }
        }
        lastTimestamp = t
        lastCount = c
        lastZeroCount = z
        lastSum = sum
        if !stale {
            lastPositive = positive
            lastNegative = negative
        }
        count += 1
    }

    public var bytes: [UInt8] {
        var b = w.bytes
        b[0] = UInt8(truncatingIfNeeded: count >> 8)
        b[1] = UInt8(truncatingIfNeeded: count)
        return b
    }
}
