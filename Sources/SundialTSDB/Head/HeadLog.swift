import SundialCore
import Synchronization

/// One commit's content as the head hands it to its ``HeadLog``: the series records still to be
/// logged, and the accepted samples in append order (columnar).
///
/// The float samples' series are held unretained (``series``); their lifetime is guaranteed by
/// the appender that staged them (see ``HeadAppender``, "Series lifetime"), and the log reads only
/// ``refs``. Batches are reused: an appender takes one from its head's ``HeadCommitBatchPool``
/// and gives it back emptied (capacity kept) after its commit or rollback.
public struct HeadCommitBatch: Sendable {
    /// Series whose record is not yet in the log (created by this batch or by a concurrent one
    /// that has not committed yet). Writing a series record twice is harmless.
    public var newSeries: [MemSeries] = []
    /// The series ref of each float sample (``SeriesRef/rawValue``).
    public var refs: [UInt64] = []
    /// The series of each float sample, unretained: valid while this batch's appender holds the
    /// series' pending mark (``SeriesState/pendingOwner``), i.e. until the batch is applied or
    /// rolled back. Series staged without the mark are also in ``retained``.
    var series: [Unmanaged<MemSeries>] = []
    /// Strong references to the series of ``series`` staged without this batch's pending mark (a
    /// concurrent batch held it, or garbage collection had removed the series); usually empty.
    var retained: [MemSeries] = []
    /// Sample timestamps (ms).
    public var timestamps: [Int64] = []
    /// Sample values (exact bits).
    public var values: [Double] = []
    /// Metadata recorded in this batch, each with a series of its metric family (if the head has
    /// one), since the Prometheus WAL keys metadata by series ref.
    public var metadata: [(series: MemSeries, metadata: MetricMetadata)] = []

    /// Number of float samples.
    public var count: Int { timestamps.count }

    /// The series of each native-histogram sample (see `HeadAppender+Histogram.swift`).
    public var histogramSeries: [MemSeries] = []
    /// Native-histogram sample timestamps (ms).
    public var histogramTimestamps: [Int64] = []
    /// Native-histogram samples, integer or float, in append order.
    public var histogramValues: [HeadHistogramValue] = []
    /// Number of native-histogram samples.
    public var histogramCount: Int { histogramTimestamps.count }

    /// Exemplars staged by this batch with their series (see `HeadAppender+Exemplar.swift`).
    public var exemplars: [(series: MemSeries, exemplar: Exemplar)] = []

    public init() {}

    /// Capacity in float samples (the largest column's), for the pool's size limit.
    var capacity: Int { Swift.max(timestamps.capacity, histogramTimestamps.capacity) }

    /// Empties every column, keeping the capacity of those held by nobody else.
    mutating func removeAll() {
        newSeries.removeAll(keepingCapacity: true)
        refs.removeAll(keepingCapacity: true)
        series.removeAll(keepingCapacity: true)
        retained.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        metadata.removeAll(keepingCapacity: true)
        histogramSeries.removeAll(keepingCapacity: true)
        histogramTimestamps.removeAll(keepingCapacity: true)
        histogramValues.removeAll(keepingCapacity: true)
        if !exemplars.isEmpty { exemplars.removeAll() }
    }
}

/// Emptied ``HeadCommitBatch``es kept for reuse, so that appenders do not grow (allocate and
/// copy) their columns anew for every batch.
///
/// Keeps at most ``maxBatches`` batches of at most ``maxSamples`` samples each (a huge batch
/// is dropped rather than held on to). Thread-safe (one short lock per take and per give).
final class HeadCommitBatchPool: Sendable {
    /// Batches kept at most: enough for the concurrent appenders of a busy server.
    static let maxBatches = 16
    /// Largest batch capacity (samples) kept: 64 K samples are ~1.6 MiB of columns.
    static let maxSamples = 1 << 16

    private let free = Mutex<[HeadCommitBatch]>([])

    /// An empty batch, reused when one is available.
    func take() -> HeadCommitBatch {
        free.withLock { $0.popLast() } ?? HeadCommitBatch()
    }

    /// Empties `batch` and keeps it for reuse (unless the pool is full or the batch too big).
    func give(_ batch: inout HeadCommitBatch) {
        guard batch.capacity <= HeadCommitBatchPool.maxSamples else { return }
        batch.removeAll()
        let kept = batch
        batch = HeadCommitBatch()
        free.withLock { if $0.count < HeadCommitBatchPool.maxBatches { $0.append(kept) } }
    }
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
