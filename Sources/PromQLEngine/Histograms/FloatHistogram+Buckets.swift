#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import SundialCore

/// One bucket of a native histogram with its bounds (Prometheus `histogram.Bucket[float64]`).
public struct HistogramBucket: Sendable, Equatable {
    /// Lower and upper bound. Positive buckets are `(lower, upper]`, negative buckets `[lower, upper)`,
    /// the zero bucket `[lower, upper]`; custom buckets `(lower, upper]` with `lower = -Inf` for the first.
    public var lower: Double
    public var upper: Double
    public var count: Double
    /// The bucket index (0 for the zero bucket).
    public var index: Int32
    public var lowerInclusive: Bool
    public var upperInclusive: Bool
}

/// Bucket layout helpers. Layout facts from Prometheus `model/histogram` (docs/native_histograms.md,
/// "Schema"): the upper bound of exponential bucket `i` is `2^(i·2^-schema)`; custom-bucket schema
/// -53 has bucket `i` ending at `customValues[i]` (the bucket after the last value ends at +Inf).
extension FloatHistogram {
    /// True for the custom-bucket schema (NHCB).
    public var usesCustomBuckets: Bool { schema == customBucketsSchema }

    /// Upper bound of exponential bucket `index` at `schema` (the last finite bucket ends at
    /// `Double.greatestFiniteMagnitude`, the one after it at +Inf, as upstream's `getBound`).
    public static func exponentialBound(_ index: Int32, schema: Int32) -> Double {
        if schema < 0 {
            let exp = Int(index) << Int(-schema)
            if exp == 1024 { return .greatestFiniteMagnitude }
            if exp > 1024 { return .infinity }
            if exp < -1100 { return 0 }
            return scalbn(1.0, Int32(exp))
        }
        let perOctave = Int32(1) << schema
        let fracIdx = index & (perOctave - 1)
        let exp = Int(index >> schema) + 1
        // frac in [0.5, 1): 2^(fracIdx / 2^schema - 1).
        let frac = fracIdx == 0 ? 0.5 : exp2(Double(fracIdx) / Double(perOctave) - 1)
        if frac == 0.5 && exp == 1025 { return .greatestFiniteMagnitude }
        if exp > 1025 { return .infinity }
        if exp < -1100 { return 0 }
        return scalbn(frac, Int32(exp))
    }

    /// `(index, count)` of every bucket of one side, in span order (ascending index).
    public func bucketEntries(negative: Bool) -> [(index: Int32, count: Double)] {
        let spans = negative ? negativeSpans : positiveSpans
        let counts = negative ? negativeBuckets : positiveBuckets
        var out: [(index: Int32, count: Double)] = []
        out.reserveCapacity(counts.count)
        var idx: Int32 = 0
        var k = 0
        for (si, s) in spans.enumerated() {
            idx = si == 0 ? s.offset : idx &+ s.offset
            for _ in 0..<Int(s.length) {
                guard k < counts.count else { return out }
                out.append((idx, counts[k]))
                k += 1
                idx &+= 1
            }
        }
        return out
    }

    /// Spans and counts for `entries` (ascending index, no duplicates). With `dropEmpty`, zero
    /// counts are left out (Prometheus `Compact(0)`).
    public static func layout(_ entries: [(index: Int32, count: Double)], dropEmpty: Bool) -> ([HistogramSpan], [Double]) {
        var spans: [HistogramSpan] = []
        var counts: [Double] = []
        counts.reserveCapacity(entries.count)
        var nextIdx: Int32 = 0
        for e in entries {
            if dropEmpty && e.count == 0 { continue }
            if let last = spans.indices.last, e.index == nextIdx {
                spans[last].length += 1
            } else {
                let offset = spans.isEmpty ? e.index : e.index &- nextIdx
                spans.append(HistogramSpan(offset: offset, length: 1))
            }
            counts.append(e.count)
            nextIdx = e.index &+ 1
        }
        return (spans, counts)
    }

    /// Sets one side's buckets from `entries` (ascending index).
    mutating func setEntries(_ entries: [(index: Int32, count: Double)], negative: Bool, dropEmpty: Bool = false) {
        let (s, c) = FloatHistogram.layout(entries, dropEmpty: dropEmpty)
        if negative {
            negativeSpans = s
            negativeBuckets = c
        } else {
            positiveSpans = s
            positiveBuckets = c
        }
    }

    /// The histogram without empty buckets and with maximal spans (Prometheus `Compact(0)`).
    public func compacted() -> FloatHistogram {
        var h = self
        h.setEntries(bucketEntries(negative: false), negative: false, dropEmpty: true)
        h.setEntries(bucketEntries(negative: true), negative: true, dropEmpty: true)
        return h
    }

    /// Bounds of positive/custom bucket `index`.
    func positiveBounds(_ index: Int32) -> (Double, Double) {
        if usesCustomBuckets {
            let i = Int(index)
            let lower = i <= 0 ? -Double.infinity : (i - 1 < customValues.count ? customValues[i - 1] : .infinity)
            let upper = i >= 0 && i < customValues.count ? customValues[i] : .infinity
            return (lower, upper)
        }
        return (FloatHistogram.exponentialBound(index &- 1, schema: schema),
                FloatHistogram.exponentialBound(index, schema: schema))
    }

    /// Positive (or custom) buckets ascending, every bucket of the spans.
    public func positiveBucketList() -> [HistogramBucket] {
        bucketEntries(negative: false).map { e in
            let (l, u) = positiveBounds(e.index)
            return HistogramBucket(lower: l, upper: u, count: e.count, index: e.index,
                                   lowerInclusive: false, upperInclusive: true)
        }
    }

    /// Negative buckets ascending by index (so from the zero bucket outwards: descending values).
    public func negativeBucketList() -> [HistogramBucket] {
        bucketEntries(negative: true).map { e in
            let (l, u) = positiveBounds(e.index)
            return HistogramBucket(lower: -u, upper: -l, count: e.count, index: e.index,
                                   lowerInclusive: true, upperInclusive: false)
        }
    }

    /// The zero bucket.
    public var zeroBucket: HistogramBucket {
        HistogramBucket(lower: -zeroThreshold, upper: zeroThreshold, count: zeroCount, index: 0,
                        lowerInclusive: true, upperInclusive: true)
    }

    /// Every bucket from the lowest to the highest value: negative buckets, the zero bucket
    /// (exponential schemas, when it has a width or a count), positive buckets (Prometheus
    /// `AllBucketIterator`).
    public func allBuckets() -> [HistogramBucket] {
        var out: [HistogramBucket] = []
        if !usesCustomBuckets {
            out.append(contentsOf: negativeBucketList().reversed())
            if zeroThreshold != 0 || zeroCount != 0 { out.append(zeroBucket) }
        }
        out.append(contentsOf: positiveBucketList())
        return out
    }
}

extension FloatHistogram: CustomStringConvertible {
    /// Prometheus's `FloatHistogram.String()`: `{count:N, sum:S, [l,u):c, ..., [-z,z]:c, (l,u]:c, ...}`
    /// with only non-empty buckets.
    public var description: String {
        var s = "{count:\(GoFormat.shortestG(count)), sum:\(GoFormat.shortestG(sum))"
        for b in negativeBucketList().reversed() where b.count != 0 { s += ", " + FloatHistogram.describe(b) }
        if zeroCount != 0 { s += ", " + FloatHistogram.describe(zeroBucket) }
        for b in positiveBucketList() where b.count != 0 { s += ", " + FloatHistogram.describe(b) }
        return s + "}"
    }

    static func describe(_ b: HistogramBucket) -> String {
        (b.lowerInclusive ? "[" : "(") + GoFormat.shortestG(b.lower) + "," + GoFormat.shortestG(b.upper)
            + (b.upperInclusive ? "]" : ")") + ":" + GoFormat.shortestG(b.count)
    }
}
