/// Why a single sample was refused by storage. The rest of its batch is unaffected.
/// Mirrors Prometheus's storage errors (`storage/interface.go`): out of order, duplicate
/// timestamp with a different value, out of the head's appendable window.
public struct AppendError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// Older than the series' newest sample (`out of order sample`).
        case outOfOrder = "out of order sample"
        /// Same timestamp as the newest sample but a different value (`duplicate sample for timestamp`).
        case duplicateTimestamp = "duplicate sample for timestamp"
        /// Before the head's appendable window (`out of bounds`).
        case outOfBounds = "out of bounds"
        /// More than the allowed distance in the future.
        case tooFarInFuture = "too far in the future"
        /// The label set is not acceptable (empty name, duplicate names, empty set...).
        case invalidLabels = "invalid labels"
        /// The native histogram is malformed (spans and buckets disagree, negative counts...) or this
        /// storage does not accept native histograms.
        case invalidHistogram = "invalid histogram"
    }
    public var reason: Reason
    public var labels: Labels
    public var timestamp: Timestamp
    /// Extra detail, e.g. which label is wrong.
    public var detail: String

    public init(_ reason: Reason, labels: Labels, timestamp: Timestamp, detail: String = "") {
        self.reason = reason
        self.labels = labels
        self.timestamp = timestamp
        self.detail = detail
    }

    public var description: String {
        var s = "\(reason.rawValue) for series \(labels) at timestamp \(timestamp)"
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }
}

/// Appends one batch of samples. Not thread-safe: one appender per batch (per request).
///
/// `append` validates and stages a sample; `commit` writes the batch to the WAL and then applies
/// it to memory, returning only when it is durable (per the database's fsync mode). A refused
/// sample throws ``AppendError`` and is not staged; the rest of the batch still commits.
/// After `commit` or `rollback` the appender must not be used again.
public protocol Appender: AnyObject {
    /// Stages a float sample. `ref` is a hint from an earlier append of the same series in this
    /// head (or ``SeriesRef/none``); the returned ref may be passed back for later samples of
    /// the same series to skip the label lookup.
    /// - Parameter labels: sorted, non-empty label set (the caller validates names).
    func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef

    /// Stages a float sample for the series `ref` names, without its labels: for callers that
    /// remember the refs storage returned (the remote-write series cache) and would otherwise
    /// retain each series' labels only to pass them along. Returns nil and stages nothing when
    /// `ref` is ``SeriesRef/none`` or storage does not know it (the series was removed, or this
    /// storage does not look series up by ref); the caller then calls
    /// ``append(ref:labels:timestamp:value:)``. Otherwise the same checks, refusals and result
    /// as that method.
    func append(ref: SeriesRef, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef?

    /// Stages a native-histogram sample: exactly one of `histogram` (integer, as scraped) and
    /// `floatHistogram` is non-nil (Prometheus `Appender.AppendHistogram`). Same `ref` contract and
    /// errors as the float `append`, plus ``AppendError/Reason/invalidHistogram``.
    func appendHistogram(ref: SeriesRef, labels: Labels, timestamp: Timestamp,
                         histogram: Histogram?, floatHistogram: FloatHistogram?) throws(AppendError) -> SeriesRef

    /// Records metric metadata (type, help, unit) for a metric family. Storage may keep only the latest.
    func appendMetadata(_ metadata: MetricMetadata)

    /// Stages an exemplar for an existing series (Prometheus `Appender.AppendExemplar`): the series
    /// is found by `ref` or else by `labels` and is never created. Written and stored with the
    /// batch at commit. Refusals (``ExemplarError``) leave the rest of the batch unaffected.
    /// The default (storage without exemplars) drops it and returns ``ExemplarAppendOutcome/notStored``.
    func appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar) throws(ExemplarError) -> ExemplarAppendOutcome

    /// Makes every staged sample durable and visible. Throws on an I/O failure, in which case
    /// nothing of the batch is visible.
    func commit() throws

    /// Discards every staged sample.
    func rollback()

    /// Like ``commit()``, but waits for durability by suspending the calling task instead of
    /// blocking its thread: the batch is written and applied synchronously, then the task resumes
    /// when the storage's group fsync covers it. Same visibility and error contract as ``commit()``.
    /// Call it from Swift concurrency (e.g. a request handler) so no thread parks on the fsync.
    func commitAsync() async throws
}

extension Appender {
    /// Default for storage whose ``commit()`` does not wait on I/O (in-memory, test doubles): calls
    /// ``commit()`` on the calling thread. Storage whose commit blocks on an fsync implements it.
    public func commitAsync() async throws { try commit() }

    /// Default for storage that does not look series up by ref alone: nil (the caller passes the
    /// labels to ``append(ref:labels:timestamp:value:)``).
    public func append(ref: SeriesRef, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef? { nil }

    /// Default for storage that keeps no exemplars: drops it.
    public func appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar) throws(ExemplarError) -> ExemplarAppendOutcome {
        .notStored
    }

    /// Default for appenders of float-only storage: refuses every histogram.
    public func appendHistogram(ref: SeriesRef, labels: Labels, timestamp: Timestamp,
                                histogram: Histogram?, floatHistogram: FloatHistogram?) throws(AppendError) -> SeriesRef {
        throw AppendError(.invalidHistogram, labels: labels, timestamp: timestamp,
                          detail: "this storage does not accept native histograms")
    }
}

/// Something that hands out appenders (the database, a tenant's database).
public protocol Appendable: Sendable {
    func appender() -> any Appender
}

/// Metric metadata as remote write and `/api/v1/metadata` carry it.
public struct MetricMetadata: Sendable, Hashable {
    public enum MetricType: String, Sendable, Hashable, CaseIterable {
        case unknown, counter, gauge, histogram, gaugehistogram, summary, info, stateset
    }
    public var metricFamily: String
    public var type: MetricType
    public var help: String
    public var unit: String
    public init(metricFamily: String, type: MetricType, help: String, unit: String) {
        self.metricFamily = metricFamily
        self.type = type
        self.help = help
        self.unit = unit
    }
}
