/// Native histogram types shared by storage, ingestion and PromQL.
///
/// The fields and their meaning follow Prometheus's `model/histogram` package and the remote-write
/// protobuf (`prompb.Histogram`, io.prometheus.write.v2.Histogram): exponential bucket schemas
/// -4...8 (bucket upper bounds `(2^(2^-schema))^index`), the custom-bucket schema -53 (NHCB, bounds in
/// `customValues`), a zero bucket `[-zeroThreshold, zeroThreshold]`, and buckets laid out by spans.

/// A run of consecutive buckets: `offset` buckets after the previous span's end (for the first span,
/// the absolute index of its first bucket), then `length` buckets (Prometheus `histogram.Span`).
public struct HistogramSpan: Sendable, Hashable {
    /// Gap to the previous span, or the first bucket's index for the first span. May be negative.
    public var offset: Int32
    /// Number of buckets in the span.
    public var length: UInt32
    @inlinable public init(offset: Int32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}

/// What the producer says about counter resets (Prometheus `histogram.CounterResetHint`; the raw
/// values are those of the chunk header and the remote-write `ResetHint` enum).
public enum CounterResetHint: UInt8, Sendable, Hashable {
    /// Unknown: the reader has to detect resets by comparing with the previous histogram.
    case unknown = 0
    /// This histogram follows a counter reset.
    case counterReset = 1
    /// Definitely no counter reset since the previous histogram.
    case notCounterReset = 2
    /// A gauge histogram: counter resets do not apply.
    case gauge = 3
}

/// The custom-buckets schema (native histograms with custom buckets, NHCB): bucket upper bounds are
/// `customValues`, the last bucket is `+Inf`.
public let customBucketsSchema: Int32 = -53

/// An integer native histogram as scrapers produce it (Prometheus `histogram.Histogram`).
/// Bucket counts are **delta-encoded**: each entry of `positiveBuckets`/`negativeBuckets` is the
/// difference to the previous bucket's absolute count (the first entry is absolute), in span order.
public struct Histogram: Sendable, Hashable {
    public var counterResetHint: CounterResetHint
    /// -4...8 for exponential buckets, ``customBucketsSchema`` for custom buckets.
    public var schema: Int32
    /// Width of the zero bucket: it holds observations in `[-zeroThreshold, zeroThreshold]`.
    public var zeroThreshold: Double
    public var zeroCount: UInt64
    /// Total number of observations (including NaN observations, which are in no bucket).
    public var count: UInt64
    public var sum: Double
    public var positiveSpans: [HistogramSpan]
    public var negativeSpans: [HistogramSpan]
    /// Delta-encoded counts, one per bucket of `positiveSpans`.
    public var positiveBuckets: [Int64]
    /// Delta-encoded counts, one per bucket of `negativeSpans`.
    public var negativeBuckets: [Int64]
    /// Upper bounds of the custom buckets (schema -53 only), ascending, without `+Inf`.
    public var customValues: [Double]

    public init(counterResetHint: CounterResetHint = .unknown, schema: Int32, zeroThreshold: Double = 0,
                zeroCount: UInt64 = 0, count: UInt64, sum: Double,
                positiveSpans: [HistogramSpan] = [], negativeSpans: [HistogramSpan] = [],
                positiveBuckets: [Int64] = [], negativeBuckets: [Int64] = [], customValues: [Double] = []) {
        self.counterResetHint = counterResetHint
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.count = count
        self.sum = sum
        self.positiveSpans = positiveSpans
        self.negativeSpans = negativeSpans
        self.positiveBuckets = positiveBuckets
        self.negativeBuckets = negativeBuckets
        self.customValues = customValues
    }

    /// Delta-encoded bucket counts (as in `positiveBuckets`) to absolute float counts.
    public static func absoluteCounts(_ deltas: [Int64]) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(deltas.count)
        var running: Int64 = 0
        for d in deltas {
            running &+= d
            out.append(Double(running))
        }
        return out
    }

    /// The same histogram with absolute float bucket counts (Prometheus `Histogram.ToFloat`).
    public func toFloat() -> FloatHistogram {
        let absolute = Histogram.absoluteCounts
        return FloatHistogram(counterResetHint: counterResetHint, schema: schema, zeroThreshold: zeroThreshold,
                              zeroCount: Double(zeroCount), count: Double(count), sum: sum,
                              positiveSpans: positiveSpans, negativeSpans: negativeSpans,
                              positiveBuckets: absolute(positiveBuckets), negativeBuckets: absolute(negativeBuckets),
                              customValues: customValues)
    }
}

/// A float native histogram (Prometheus `histogram.FloatHistogram`): what PromQL computes with and
/// what test scripts load. Bucket counts are **absolute**, one per bucket of the spans.
public struct FloatHistogram: Sendable, Hashable {
    public var counterResetHint: CounterResetHint
    /// -4...8 for exponential buckets, ``customBucketsSchema`` for custom buckets.
    public var schema: Int32
    public var zeroThreshold: Double
    public var zeroCount: Double
    public var count: Double
    public var sum: Double
    public var positiveSpans: [HistogramSpan]
    public var negativeSpans: [HistogramSpan]
    /// Absolute counts, one per bucket of `positiveSpans`.
    public var positiveBuckets: [Double]
    /// Absolute counts, one per bucket of `negativeSpans`.
    public var negativeBuckets: [Double]
    /// Upper bounds of the custom buckets (schema -53 only), ascending, without `+Inf`.
    public var customValues: [Double]

    public init(counterResetHint: CounterResetHint = .unknown, schema: Int32, zeroThreshold: Double = 0,
                zeroCount: Double = 0, count: Double, sum: Double,
                positiveSpans: [HistogramSpan] = [], negativeSpans: [HistogramSpan] = [],
                positiveBuckets: [Double] = [], negativeBuckets: [Double] = [], customValues: [Double] = []) {
        self.counterResetHint = counterResetHint
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.count = count
        self.sum = sum
        self.positiveSpans = positiveSpans
        self.negativeSpans = negativeSpans
        self.positiveBuckets = positiveBuckets
        self.negativeBuckets = negativeBuckets
        self.customValues = customValues
    }
}
