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
        var applied = 0, dropped = 0, cuts = 0
        var mint = Int64.max, maxt = Int64.min
    }
    let totals = Mutex(Totals())
    func add(applied: Int, dropped: Int, cuts: Int, mint: Int64, maxt: Int64) {
        totals.withLock { t in
            t.applied += applied
            t.dropped += dropped
            t.cuts += cuts
            t.mint = Swift.min(t.mint, mint)
            t.maxt = Swift.max(t.maxt, maxt)
        }
    }
    var value: Totals { totals.withLock { $0 } }
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
        // Series whose label set was already defined under another ref (Prometheus keeps a
        // `multiRef` map for these): samples logged under the alias go to the first series.
        var aliases: [UInt64: MemSeries] = [:]
        var mint = Int64.max
        var maxt = Int64.min
        let range = head.options.chunkRange
        let spc = head.options.samplesPerChunk
        var cachedRef: UInt64 = 0
        var cached: MemSeries? = nil
        var resolved: [MemSeries?] = []
        let walStats = try SundialWAL.replay(directory: dir, log: { log($0) }) { record in
            switch record {
            case .series(let list):
                for s in list {
                    let (series, _) = head.create(s.labels, hash: s.labels.stableHash, ref: s.ref, logged: true)
                    if series.ref != s.ref { aliases[s.ref.rawValue] = series }
                    stats.series += 1
                }
            case .samples(let list):
                // Resolve refs serially (aliases included), then apply: records of many samples
                // are split by series across `replayShards` threads, so each series stays in one
                // thread and keeps its log order.
                resolved.removeAll(keepingCapacity: true)
                for smp in list {
                    let r = smp.ref.rawValue
                    if r == cachedRef, let c = cached {
                        resolved.append(c)
                    } else if let s = head.series(smp.ref) ?? aliases[r] {
                        resolved.append(s)
                        cachedRef = r
                        cached = s
                    } else {
                        resolved.append(nil)
                        stats.unknownRefSamples += 1
                    }
                }
                let shards = list.count >= DB.replayParallelThreshold ? DB.replayShards : 1
                let results = ReplayShardResults()
                let work = resolved
                let apply: @Sendable (Int) -> Void = { shard in
                    var applied = 0, dropped = 0, cuts = 0
                    var lo = Int64.max, hi = Int64.min
                    for i in list.indices {
                        guard let series = work[i] else { continue }
                        if shards > 1 && Int(series.ref.rawValue % UInt64(shards)) != shard { continue }
                        let smp = list[i]
                        let (ok, cut) = series.state.withLock { st -> (Bool, Int) in
                            let before = st.chunkCount
                            let ok = st.append(smp.t, smp.v, chunkRange: range, samplesPerChunk: spc)
                            return (ok, st.chunkCount - before)
                        }
                        cuts += cut
                        if ok {
                            applied += 1
                            if smp.t < lo { lo = smp.t }
                            if smp.t > hi { hi = smp.t }
                        } else {
                            dropped += 1
                        }
                    }
                    results.add(applied: applied, dropped: dropped, cuts: cuts, mint: lo, maxt: hi)
                }
                if shards > 1 {
                    DispatchQueue.concurrentPerform(iterations: shards, execute: apply)
                } else {
                    apply(0)
                }
                let r = results.value
                stats.samples += r.applied
                stats.droppedSamples += r.dropped
                if r.mint < mint { mint = r.mint }
                if r.maxt > maxt { maxt = r.maxt }
                if r.cuts != 0 { head.chunkCountAtomic.wrappingAdd(r.cuts, ordering: .relaxed) }
            case .metadata(let list):
                for m in list {
                    guard let s = head.series(m.ref) ?? aliases[m.ref.rawValue], let name = s.labels.metricName else { continue }
                    head.storeMetadata(MetricMetadata(metricFamily: name, type: m.type, help: m.help, unit: m.unit))
                }
            case .tombstones(let list):
                // Deleted intervals apply to whatever the series holds, whenever it was appended
                // (queriers filter), so record order against samples does not matter.
                stats.tombstones += head.applyReplayedTombstones(list.map { t in
                    (ref: (head.series(t.ref) ?? aliases[t.ref.rawValue])?.ref ?? t.ref,
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
