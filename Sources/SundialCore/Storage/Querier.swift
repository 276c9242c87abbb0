/// Hints a querier may use to skip work (Prometheus `storage.SelectHints`). Times are ms; the
/// range `[start, end]` is closed. Storage must return correct data whatever the hints say.
public struct SelectHints: Sendable, Hashable {
    public var start: Timestamp
    public var end: Timestamp
    /// Query step in ms (0 for instant queries).
    public var step: Int64
    /// Range of the enclosing range selector in ms (0 if none).
    public var range: Int64
    /// Name of the enclosing function (e.g. "rate"), or nil. "series" means only labels are needed.
    public var function: String?
    /// Grouping labels of the enclosing aggregation.
    public var grouping: [String]
    /// True for `by`, false for `without`.
    public var by: Bool

    public init(start: Timestamp, end: Timestamp, step: Int64 = 0, range: Int64 = 0,
                function: String? = nil, grouping: [String] = [], by: Bool = false) {
        self.start = start
        self.end = end
        self.step = step
        self.range = range
        self.function = function
        self.grouping = grouping
        self.by = by
    }
}

/// A view of storage over a fixed time range, `[minTime, maxTime]` closed. Obtained from a
/// ``Queryable``; it pins what it reads (blocks stay readable) until ``close()``.
public protocol Querier: Sendable {
    /// Series matching every matcher, with samples restricted to the querier's range
    /// (the hints may narrow it). When `sorted` is true the series come in ``Labels`` order.
    /// - Throws: on I/O or corruption errors.
    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries]

    /// Sorted, distinct values of label `name` among series matching `matchers` (all series when empty).
    func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String]

    /// Sorted, distinct label names among series matching `matchers` (all series when empty).
    func labelNames(matchers: [LabelMatcher]) throws -> [String]

    /// Releases what the querier pinned. Calling it twice is harmless.
    func close()
}

/// Hands out queriers.
public protocol Queryable: Sendable {
    /// A querier over `[minTime, maxTime]` (closed, ms).
    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier
}

/// One series of a ``Querier/select(sorted:hints:matchers:)`` result.
///
/// Samples are delivered in batches into a caller-owned buffer so that the engine's inner loops run
/// over contiguous arrays (no existential call or allocation per sample).
public protocol StorageSeries: Sendable {
    var labels: Labels { get }
    /// Appends this series' samples with `minTime <= t <= maxTime`, in time order, to `buffer`
    /// (which is not cleared first). Deleted (tombstoned) samples are skipped.
    func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws

    /// True when the series may hold native-histogram samples in the querier's range. When false,
    /// ``histogramSamples(minTime:maxTime:into:)`` appends nothing and callers may skip it.
    var mayContainHistograms: Bool { get }

    /// Appends this series' native-histogram samples with `minTime <= t <= maxTime`, in time order, to
    /// `buffer` (not cleared first); tombstoned samples are skipped. A series may hold floats and
    /// histograms at different times: ``samples(minTime:maxTime:into:)`` returns only the floats, this
    /// only the histograms, and no timestamp appears in both.
    func histogramSamples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout HistogramSampleBuffer) throws

    /// A hint that ``samples(minTime:maxTime:into:)`` will be called soon: the series may start
    /// loading the memory it will decode (a cache prefetch), so that a loop over many series can
    /// hint a few ahead of the one it decodes. Never changes results; cheap; thread-safe.
    func prefetchSamples()
}

extension StorageSeries {
    /// No hint by default.
    public func prefetchSamples() {}
    /// Float-only storage: no histograms.
    public var mayContainHistograms: Bool { false }
    /// Float-only storage: appends nothing.
    public func histogramSamples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout HistogramSampleBuffer) throws {}
}

/// Native-histogram samples of one series: `timestamps[i]` (ms) goes with `histograms[i]`.
/// Owned by the caller and reused across series.
public struct HistogramSampleBuffer: Sendable {
    public var timestamps: [Timestamp]
    public var histograms: [FloatHistogram]
    public init() {
        timestamps = []
        histograms = []
    }
    @inlinable public var count: Int { timestamps.count }
    @inlinable public var isEmpty: Bool { timestamps.isEmpty }
    @inlinable public mutating func append(_ t: Timestamp, _ h: FloatHistogram) {
        timestamps.append(t)
        histograms.append(h)
    }
    @inlinable public mutating func removeAll() {
        timestamps.removeAll(keepingCapacity: true)
        histograms.removeAll(keepingCapacity: true)
    }
}

/// Columnar samples of one series: `timestamps[i]` (ms) and `values[i]` go together.
/// Owned by the caller and reused across series (`removeAll(keepingCapacity:)`).
public struct SampleBuffer: Sendable {
    public var timestamps: [Timestamp]
    public var values: [Double]
    public init() {
        timestamps = []
        values = []
    }
    public init(timestamps: [Timestamp], values: [Double]) {
        precondition(timestamps.count == values.count)
        self.timestamps = timestamps
        self.values = values
    }
    @inlinable public var count: Int { timestamps.count }
    @inlinable public var isEmpty: Bool { timestamps.isEmpty }
    @inlinable public mutating func append(_ t: Timestamp, _ v: Double) {
        timestamps.append(t)
        values.append(v)
    }
    @inlinable public mutating func removeAll() {
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }
    @inlinable public mutating func reserveCapacity(_ n: Int) {
        timestamps.reserveCapacity(n)
        values.reserveCapacity(n)
    }
}
