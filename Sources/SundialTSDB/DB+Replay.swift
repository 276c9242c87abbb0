import Dispatch
import SundialCore
import SundialFileIO
import SundialWAL
import Synchronization

/// What replaying the WAL into the head did.
public struct ReplayStatistics: Sendable {
    /// Series records applied (duplicates of a known label set included).
    public var series = 0
    /// Samples applied to the head.
    public var samples = 0
    /// Samples dropped: out of order or duplicate against what was already replayed (as
    /// Prometheus drops them on replay), or for a series ref never defined.
    public var droppedSamples = 0
    /// Samples whose series ref had no series record.
    public var unknownRefSamples = 0
    /// Deleted intervals applied to the head from tombstone records (intervals of unknown series
    /// or ending before the head's minimum valid time are skipped).
    public var tombstones = 0
    /// The WAL reader's statistics (checkpoint, segments, repair).
    public var wal: ReplayStats? = nil
    /// Wall time of the replay in nanoseconds.
    public var nanoseconds: UInt64 = 0
}

/// Per-record totals of the replay shards.
final class ReplayShardResults: Sendable {
    struct Totals {
        var applied = 0, dropped = 0, unknown = 0, cuts = 0
        var mint = Int64.max, maxt = Int64.min
        /// Sum of the touched series refs (kept only so the touching loads are not optimised away).
        var touched: UInt64 = 0
    }
    let totals = Mutex(Totals())
    func add(applied: Int, dropped: Int, unknown: Int, cuts: Int, mint: Int64, maxt: Int64, touched: UInt64) {
        totals.withLock { t in
            t.touched &+= touched
            t.applied += applied
            t.dropped += dropped
            t.unknown += unknown
            t.cuts += cuts
            t.mint = Swift.min(t.mint, mint)
            t.maxt = Swift.max(t.maxt, maxt)
        }
    }
    var value: Totals { totals.withLock { $0 } }
}

/// The series of one WAL replay by logged ref: a dense array for refs below ``denseLimit``
/// (refs are sequential), a dictionary above. Written only by the replaying thread between
/// samples records; copies are read concurrently by the shard threads, without locks and without
/// reference counting per sample (the entries are unmanaged references to series that
/// ``strong`` keeps alive for as long as any copy of the table exists).
struct ReplayRefTable: @unchecked Sendable {
    /// Refs below this are kept in the dense array (at most 128 MiB of slots).
    static let denseLimit: UInt64 = 1 << 24
    private var dense: [Unmanaged<MemSeries>?] = []
    private var sparse: [UInt64: MemSeries] = [:]
    /// Owns every series in ``dense``.
    private var strong: [MemSeries] = []

    /// Maps `ref` to `series` (a later record for the same ref wins, as in Prometheus).
    mutating func set(_ ref: UInt64, _ series: MemSeries) {
        guard ref < ReplayRefTable.denseLimit else {
            sparse[ref] = series
            return
        }
        let i = Int(ref)
        if i >= dense.count {
            dense.append(contentsOf: repeatElement(nil, count: Swift.max(i + 1 - dense.count, dense.count / 2)))
        }
        strong.append(series)
        dense[i] = Unmanaged.passUnretained(series)
    }

    /// The series of `ref`, or nil.
    func series(_ ref: UInt64) -> MemSeries? {
        guard ref < ReplayRefTable.denseLimit else { return sparse[ref] }
        return Int(ref) < dense.count ? dense[Int(ref)]?.takeUnretainedValue() : nil
    }

    /// Loads the series of `ref` into the cache (returns its ref, 0 when unknown).
    @inline(__always)
    func touch(_ ref: UInt64) -> UInt64 {
        guard ref < ReplayRefTable.denseLimit, Int(ref) < dense.count, let u = dense[Int(ref)] else { return 0 }
        return u._withUnsafeGuaranteedRef { $0.ref.rawValue }
    }

    /// Calls `body` with the series of `ref` without retaining it; nil when the ref is unknown.
    @inline(__always)
    func withSeries<R>(_ ref: UInt64, _ body: (MemSeries) -> R) -> R? {
        if ref < ReplayRefTable.denseLimit {
            guard Int(ref) < dense.count, let u = dense[Int(ref)] else { return nil }
            return u._withUnsafeGuaranteedRef(body)
        }
        guard let s = sparse[ref] else { return nil }
        return body(s)
    }
}

extension DB {
    /// Threads that apply one large samples record during replay (the machines have 2 cores).
    static let replayShards = 2
    /// Records with fewer samples are applied on the replaying thread (a fork/join costs more).
    static let replayParallelThreshold = 1024

    /// Replays the WAL directory `dir` into `head` exactly: series records create series with
    /// their logged refs, samples records append in log order, metadata records restore the
    /// latest metadata per metric family (Prometheus `Head.loadWAL`).
    static func replay(_ dir: String, into head: Head, log: @escaping @Sendable (String) -> Void) throws -> ReplayStatistics {
        var stats = ReplayStatistics()
        let start = ContinuousClock.now
        // Series by logged ref, aliases included: a ref whose label set was already defined
        // under another ref (Prometheus keeps a `multiRef` map for these) maps to the first series.
        var refs = ReplayRefTable()
        var mint = Int64.max
        var maxt = Int64.min
        let range = head.options.chunkRange
        let spc = head.options.samplesPerChunk
        let walStats = try SundialWAL.replay(directory: dir, log: { log($0) }) { record in
            switch record {
            case .series(let list):
                for s in list {
                    let (series, _) = head.create(s.labels, hash: s.labels.stableHash, ref: s.ref, logged: true)
                    refs.set(s.ref.rawValue, series)
                    stats.series += 1
                }
            case .samples(let list):
                // Records of many samples are split by series ref across `replayShards` threads,
                // so each series stays in one thread and keeps its log order. The ref table is
                // only read here (series records are applied between samples records).
                let shards = list.count >= DB.replayParallelThreshold ? DB.replayShards : 1
                let results = ReplayShardResults()
                let table = refs
                let apply: @Sendable (Int) -> Void = { shard in
                    var applied = 0, dropped = 0, unknown = 0, cuts = 0
                    var lo = Int64.max, hi = Int64.min
                    let mod = UInt64(shards)
                    // Touch this shard's series first: independent loads that the CPU overlaps,
                    // so the appends below find them in cache instead of waiting for memory one
                    // series at a time (the head's working set is far larger than the caches).
                    var touched: UInt64 = 0
                    for smp in list {
                        let r = smp.ref.rawValue
                        if shards > 1 && Int(r % mod) != shard { continue }
                        touched &+= table.touch(r)
                    }
                    for smp in list {
                        let r = smp.ref.rawValue
                        if shards > 1 && Int(r % mod) != shard { continue }
                        let outcome = table.withSeries(r) { series in
                            series.state.withLock { $0.append(smp.t, smp.v, chunkRange: range, samplesPerChunk: spc) }
                        }
                        switch outcome {
                        case .some(.appended), .some(.appendedNewChunk):
                            if outcome == .appendedNewChunk { cuts += 1 }
                            applied += 1
                            if smp.t < lo { lo = smp.t }
                            if smp.t > hi { hi = smp.t }
                        case .some(.rejected):
                            dropped += 1
                        case .none:
                            unknown += 1
                        }
                    }
                    results.add(applied: applied, dropped: dropped, unknown: unknown, cuts: cuts, mint: lo, maxt: hi, touched: touched)
                }
                if shards > 1 {
                    DispatchQueue.concurrentPerform(iterations: shards, execute: apply)
                } else {
                    apply(0)
                }
                let r = results.value
                stats.samples += r.applied
                stats.droppedSamples += r.dropped
                stats.unknownRefSamples += r.unknown
                if r.mint < mint { mint = r.mint }
                if r.maxt > maxt { maxt = r.maxt }
                if r.cuts != 0 { head.chunkCountAtomic.wrappingAdd(r.cuts, ordering: .relaxed) }
            case .metadata(let list):
                for m in list {
                    guard let s = refs.series(m.ref.rawValue) ?? head.series(m.ref), let name = s.labels.metricName else { continue }
                    head.storeMetadata(MetricMetadata(metricFamily: name, type: m.type, help: m.help, unit: m.unit))
                }
            case .tombstones(let list):
                // Deleted intervals apply to whatever the series holds, whenever it was appended
                // (queriers filter), so record order against samples does not matter.
                stats.tombstones += head.applyReplayedTombstones(list.map { t in
                    (ref: (refs.series(t.ref.rawValue) ?? head.series(t.ref))?.ref ?? t.ref,
                     interval: DeletedInterval(minTime: t.minTime, maxTime: t.maxTime))
                })
            case .exemplars, .unsupported:
                break
            }
        }
        stats.droppedSamples += stats.unknownRefSamples
        stats.wal = walStats
        if stats.samples > 0 {
            head.extendTimeRange(mint, maxt)
            head.samplesAppended.wrappingAdd(stats.samples, ordering: .relaxed)
        }
        let elapsed = ContinuousClock.now - start
        stats.nanoseconds = UInt64(elapsed.components.seconds) * 1_000_000_000 + UInt64(elapsed.components.attoseconds / 1_000_000_000)
        if stats.series > 0 || stats.samples > 0 || walStats.repaired != nil {
            log("WAL replay of \(dir): \(stats.series) series, \(stats.samples) samples, \(stats.droppedSamples) dropped, in \(elapsed)")
        }
        return stats
    }

    /// Replays a copy of the WAL (so that a damaged tail is repaired in the copy only).
    static func replayReadOnly(_ dir: String, into head: Head, log: @escaping @Sendable (String) -> Void) throws -> ReplayStatistics {
        guard FileSystem.isDirectory(dir) else { return ReplayStatistics() }
        let tmp = "\(FileSystem.parentDirectory(of: dir))/.wal-readonly-\(UInt64.random(in: 0...UInt64.max))"
        try FileSystem.createDirectory(tmp)
        defer { try? FileSystem.removeTree(tmp) }
        try copyTree(dir, to: tmp)
        return try replay(tmp, into: head, log: log)
    }

    static func copyTree(_ from: String, to: String) throws {
        for name in try FileSystem.listDirectory(from) {
            let src = from + "/" + name
            let dst = to + "/" + name
            if FileSystem.isDirectory(src) {
                try FileSystem.createDirectory(dst)
                try copyTree(src, to: dst)
            } else {
                let f = try DiskFile(path: src, mode: .read)
                defer { try? f.close() }
                try FileSystem.atomicReplace(dst, with: try f.readAll())
            }
        }
    }
}
