import SundialCore
import SundialEncoding
import Synchronization

/// The in-memory head block: every series with its recent samples in XOR chunks, an inverted
/// index for queries, and appenders that validate and commit batches (Prometheus `tsdb.Head`).
///
/// Thread safety: all methods may be called concurrently. Appends lock only the stripes and
/// series they touch; head-wide counters and the time range are atomics.
///
/// Durability is not the head's business: a ``HeadLog`` (the WAL, in a ``DB``) receives each
/// commit's records before the batch is applied.
public final class Head: Sendable {
    /// The options the head was created with.
    public let options: HeadOptions
    let stripes: SeriesStripes
    let postings = HeadPostings()
    let interner = LabelInterner()
    let log: (any HeadLog)?

    /// Next series ref to hand out (refs start at 1; 0 is ``SeriesRef/none``).
    let lastRef = Atomic<UInt64>(0)
    /// Last appender id handed out (see ``SeriesState/pendingOwner``).
    let appenderIDs = Atomic<UInt32>(0)
    /// Oldest sample time in the head (ms), `Int64.max` when empty.
    let minTimeAtomic = Atomic<Int64>(.max)
    /// Newest sample time in the head (ms), `Int64.min` when empty.
    let maxTimeAtomic = Atomic<Int64>(.min)
    /// No sample before this time (ms) is accepted (the end of the newest persisted block).
    let minValidTimeAtomic = Atomic<Int64>(.min)

    let seriesCountAtomic = Atomic<Int>(0)
    let chunkCountAtomic = Atomic<Int>(0)
    let samplesAppended = Atomic<Int>(0)
    let outOfOrderCount = Atomic<Int>(0)
    let duplicateCount = Atomic<Int>(0)
    let outOfBoundsCount = Atomic<Int>(0)
    let metadataStore = Mutex<[String: MetricMetadata]>([:])
    /// Deleted intervals per series (see `Head+Tombstones.swift`).
    let tombstones = HeadTombstones()
    /// Emptied commit batches reused by appenders (see ``HeadCommitBatchPool``).
    let batchPool = HeadCommitBatchPool()
    /// Exemplars of the head's series (see `HeadAppender+Exemplar.swift`).
    public let exemplars: ExemplarStore

    /// A head with no series.
    /// - Parameter log: receives every commit's records before they are applied (nil: no log).
    public init(options: HeadOptions = HeadOptions(), log: (any HeadLog)? = nil) {
        self.options = options
        self.stripes = SeriesStripes(count: options.stripeCount)
        self.log = log
        self.exemplars = ExemplarStore(limit: options.maxExemplars)
    }

    // MARK: - Time range

    /// Oldest sample time (ms), or `Int64.max` when the head is empty.
    public var minTime: Int64 { minTimeAtomic.load(ordering: .relaxed) }
    /// Newest sample time (ms), or `Int64.min` when the head is empty.
    public var maxTime: Int64 { maxTimeAtomic.load(ordering: .relaxed) }
    /// True when the head holds no sample yet.
    public var isEmpty: Bool { maxTime == .min }

    /// The lower bound of the appendable window (closed): samples older than this are refused as
    /// out of bounds. `max(minValidTime, maxTime - chunkRange/2)` once the head has samples
    /// (Prometheus `appendableMinValidTime`); just ``minValidTime`` while it is empty.
    public var appendableMinValidTime: Int64 {
        let mv = minValidTime
        let maxt = maxTime
        if maxt == .min { return mv }
        return Swift.max(mv, maxt &- options.chunkRange / 2)
    }

    /// No sample older than this (ms) is accepted; raised when blocks are persisted.
    public var minValidTime: Int64 {
        get { minValidTimeAtomic.load(ordering: .relaxed) }
    }

    /// Raises ``minValidTime`` to `t` (never lowers it).
    public func setMinValidTime(_ t: Int64) {
        var cur = minValidTimeAtomic.load(ordering: .relaxed)
        while t > cur {
            let (ok, now) = minValidTimeAtomic.compareExchange(expected: cur, desired: t, ordering: .relaxed)
            if ok { break }
            cur = now
        }
    }

    /// Widens the head's time range to include `[mint, maxt]`.
    func extendTimeRange(_ mint: Int64, _ maxt: Int64) {
        var cur = minTimeAtomic.load(ordering: .relaxed)
        while mint < cur {
            let (ok, now) = minTimeAtomic.compareExchange(expected: cur, desired: mint, ordering: .relaxed)
            if ok { break }
            cur = now
        }
        cur = maxTimeAtomic.load(ordering: .relaxed)
        while maxt > cur {
            let (ok, now) = maxTimeAtomic.compareExchange(expected: cur, desired: maxt, ordering: .relaxed)
            if ok { break }
            cur = now
        }
    }

    // MARK: - Series

    /// Number of series in the head.
    public var seriesCount: Int { seriesCountAtomic.load(ordering: .relaxed) }

    /// The series with reference `ref`, or nil.
    public func series(_ ref: SeriesRef) -> MemSeries? { stripes.get(ref) }

    /// The series with exactly `labels`, or nil.
    public func series(labels: Labels) -> MemSeries? { stripes.get(hash: labels.stableHash, labels: labels) }

    /// The series for `labels`, created (with a fresh ref) if absent.
    /// - Returns: the series and whether it was created by this call.
    func getOrCreate(_ labels: Labels) -> (MemSeries, Bool) {
        let hash = labels.stableHash
        if let s = stripes.get(hash: hash, labels: labels) { return (s, false) }
        return create(labels, hash: hash, ref: nil, logged: false)
    }

    /// Creates a series with a given ref (WAL replay) or a fresh one. If a series with these
    /// labels exists already, returns it unchanged.
    func create(_ labels: Labels, hash: UInt64, ref: SeriesRef?, logged: Bool) -> (MemSeries, Bool) {
        let interned = interner.intern(labels)
        let (s, created) = stripes.getOrCreate(hash: hash, labels: labels) {
            let r: SeriesRef
            if let ref {
                r = ref
                // Keep fresh refs above every replayed one.
                var cur = lastRef.load(ordering: .relaxed)
                while ref.rawValue > cur {
                    let (ok, now) = lastRef.compareExchange(expected: cur, desired: ref.rawValue, ordering: .relaxed)
                    if ok { break }
                    cur = now
                }
            } else {
                r = SeriesRef(lastRef.wrappingAdd(1, ordering: .relaxed).newValue)
            }
            return MemSeries(ref: r, labels: interned, logged: logged)
        }
        if created {
            postings.add(s.ref, s.labels)
            seriesCountAtomic.wrappingAdd(1, ordering: .relaxed)
        }
        return (s, created)
    }

    // MARK: - Appending

    /// A new appender for one batch. Not thread-safe itself; use one per batch.
    public func appender() -> HeadAppender { HeadAppender(head: self) }

    /// Applies one sample to a series (caller does not hold its lock).
    /// - Returns: false when the sample was out of order against what is committed (dropped).
    @inline(__always)
    func apply(_ s: MemSeries, _ t: Int64, _ v: Double) -> Bool {
        let range = options.chunkRange
        let spc = options.samplesPerChunk
        let outcome = s.state.withLock { $0.append(t, v, chunkRange: range, samplesPerChunk: spc) }
        if outcome == .appendedNewChunk { chunkCountAtomic.wrappingAdd(1, ordering: .relaxed) }
        return outcome != .rejected
    }

    /// A fresh appender id (never 0 nor ``SeriesState/removedMark``; ids wrap after 2^32
    /// appenders, and only the ids of live, unfinished appenders are ever stored in series).
    func nextAppenderID() -> UInt32 {
        while true {
            let id = appenderIDs.wrappingAdd(1, ordering: .relaxed).newValue
            if id != 0 && id != SeriesState.removedMark { return id }
        }
    }

    /// The latest metadata recorded for `metricFamily`, if any.
    public func metadata(_ metricFamily: String) -> MetricMetadata? {
        metadataStore.withLock { $0[metricFamily] }
    }

    /// All metadata, by metric family.
    public func allMetadata() -> [String: MetricMetadata] { metadataStore.withLock { $0 } }

    func storeMetadata(_ m: MetricMetadata) { metadataStore.withLock { $0[m.metricFamily] = m } }

    // MARK: - Statistics

    /// Counters of the head (Prometheus exposes the same as `prometheus_tsdb_head_*`).
    public struct Stats: Sendable, Hashable {
        public var series: Int
        public var chunks: Int
        public var samplesAppended: Int
        public var outOfOrderSamples: Int
        public var duplicateSamples: Int
        public var outOfBoundsSamples: Int
        public var minTime: Int64
        public var maxTime: Int64
    }

    /// A snapshot of the counters (each read atomically; not a consistent cut across them).
    public var stats: Stats {
        Stats(
            series: seriesCount, chunks: chunkCountAtomic.load(ordering: .relaxed),
            samplesAppended: samplesAppended.load(ordering: .relaxed),
            outOfOrderSamples: outOfOrderCount.load(ordering: .relaxed),
            duplicateSamples: duplicateCount.load(ordering: .relaxed),
            outOfBoundsSamples: outOfBoundsCount.load(ordering: .relaxed),
            minTime: minTime, maxTime: maxTime)
    }
}
