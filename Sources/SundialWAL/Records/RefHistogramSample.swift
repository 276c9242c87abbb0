public import SundialCore

/// One integer native-histogram sample of a histogram-samples record (type 7, or 9 for custom
/// buckets).
public struct RefHistogramSample: Sendable, Hashable {
    /// The series the sample belongs to.
    public var ref: SeriesRef
    /// Timestamp in milliseconds since the epoch.
    public var t: Timestamp
    /// The histogram (delta-encoded buckets).
    public var h: Histogram

    public init(ref: SeriesRef, t: Timestamp, h: Histogram) {
        self.ref = ref
        self.t = t
        self.h = h
    }
}

/// One float native-histogram sample of a float-histogram-samples record (type 8, or 10 for
/// custom buckets).
public struct RefFloatHistogramSample: Sendable, Hashable {
    public var ref: SeriesRef
    public var t: Timestamp
    /// The histogram (absolute bucket counts).
    public var fh: FloatHistogram

    public init(ref: SeriesRef, t: Timestamp, fh: FloatHistogram) {
        self.ref = ref
        self.t = t
        self.fh = fh
    }
}
