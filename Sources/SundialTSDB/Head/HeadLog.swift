import SundialCore

/// One commit's content as the head hands it to its ``HeadLog``: the series records still to be
/// logged, and the accepted samples in append order (columnar).
public struct HeadCommitBatch: Sendable {
    /// Series whose record is not yet in the log (created by this batch or by a concurrent one
    /// that has not committed yet). Writing a series record twice is harmless.
    public var newSeries: [MemSeries] = []
    /// The series of each sample.
    public var series: [MemSeries] = []
    /// Sample timestamps (ms).
    public var timestamps: [Int64] = []
    /// Sample values (exact bits).
    public var values: [Double] = []
    /// Metadata recorded in this batch, each with a series of its metric family (if the head has
    /// one), since the Prometheus WAL keys metadata by series ref.
    public var metadata: [(series: MemSeries, metadata: MetricMetadata)] = []

    /// Number of samples.
    public var count: Int { timestamps.count }

    /// The series of each native-histogram sample (see `HeadAppender+Histogram.swift`).
    public var histogramSeries: [MemSeries] = []
    /// Native-histogram sample timestamps (ms).
    public var histogramTimestamps: [Int64] = []
    /// Native-histogram samples, integer or float, in append order.
    public var histogramValues: [HeadHistogramValue] = []
    /// Number of native-histogram samples.
    public var histogramCount: Int { histogramTimestamps.count }

    public init() {}
}

/// Where a head writes each commit before applying it: the write-ahead log, in a ``DB``.
///
/// Contract of ``commit(_:apply:)``: write the batch's records, then call `apply` exactly once
/// (which makes the batch visible in memory), then return only when the records are durable per
/// the log's sync mode. If writing fails, throw without calling `apply`: nothing of the batch may
/// become visible. Called concurrently by many appenders.
public protocol HeadLog: Sendable {
    func commit(_ batch: HeadCommitBatch, apply: () -> Void) throws

    /// ``commit(_:apply:)`` with the durability wait as a suspension instead of a blocked thread
    /// (same contract: write, then `apply` exactly once, then return when durable).
    func commitAsync(_ batch: HeadCommitBatch, apply: () -> Void) async throws
}

extension HeadLog {
    /// Default for logs whose commit does not wait on I/O: ``commit(_:apply:)`` on the calling thread.
    public func commitAsync(_ batch: HeadCommitBatch, apply: () -> Void) async throws {
        try commit(batch, apply: apply)
    }
}
