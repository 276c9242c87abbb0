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

extension DB {
    /// Samples gathered from consecutive samples records before they are applied (in parallel
    /// when there are several replay threads): one fork/join per ~64 K samples instead of one per
    /// record. Any other record applies the gathered samples first, so log order is kept.
    static let replayBatchSamples = 1 << 16
    /// Fewer gathered samples than this are applied on the replaying thread (a fork/join costs more).
    static let replayParallelThreshold = 4096

    /// Replays the WAL directory `dir` into `head` exactly: series records create series with
    /// their logged refs, samples records append in log order, metadata records restore the
    /// latest metadata per metric family, tombstone records restore deleted intervals
    /// (Prometheus `Head.loadWAL`).
    ///
    /// The head is private to the replay, so samples go to the series' states taken out of the
    /// series (``ReplaySeriesStates``: no series lock per sample, states in dense arrays), split
    /// by series over `threads` threads, each series' samples in log order; the states go back
    /// into their series before this returns (or throws).
    static func replay(_ dir: String, into head: Head, threads: Int = 2, log: @escaping @Sendable (String) -> Void) throws -> ReplayStatistics {
        var stats = ReplayStatistics()
        let start = ContinuousClock.now
        // Series by logged ref, aliases included: a ref whose label set was already defined
        // under another ref (Prometheus keeps a `multiRef` map for these) maps to the first series.
        var states = ReplaySeriesStates(shards: threads)
        defer { states.restore() }
        let range = head.options.chunkRange
        let spc = head.options.samplesPerChunk
        var pending: [SamplesRecord] = []
        var pendingSamples = 0
        // Histogram records (`DB+ReplayHistograms.swift`) count here, added to `stats` at the end.
        var histStats = ReplayStatistics()
        var histMint = Int64.max, histMaxt = Int64.min
        func applyPending() {
            guard !pending.isEmpty else { return }
            let shards = states.shards
            let table = states.table
            let records = pending
            if shards.count > 1 && pendingSamples >= DB.replayParallelThreshold {
                DispatchQueue.concurrentPerform(iterations: shards.count) { k in
                    shards[k].apply(records, table: table, shard: k, shards: shards.count, chunkRange: range, samplesPerChunk: spc)
                }
            } else {
                for k in shards.indices {
                    shards[k].apply(records, table: table, shard: k, shards: shards.count, chunkRange: range, samplesPerChunk: spc)
                }
            }
            pending.removeAll(keepingCapacity: true)
            pendingSamples = 0
        }
        let walStats = try SundialWAL.replay(directory: dir, log: { log($0) }, samples: { record in
            pending.append(record)
            pendingSamples += record.count
            if pendingSamples >= DB.replayBatchSamples { applyPending() }
        }, handler: { record in
            applyPending()
            switch record {
            case .series(let list):
                for s in list {
                    let (series, _) = head.create(s.labels, hash: s.labels.stableHash, ref: s.ref, logged: true)
                    states.add(ref: s.ref.rawValue, series: series)
                    stats.series += 1
                }
            case .samples:
                break  // samples records come through `samples:` above
            case .metadata(let list):
                for m in list {
                    guard let s = states.series(m.ref.rawValue) ?? head.series(m.ref), let name = s.labels.metricName else { continue }
                    head.storeMetadata(MetricMetadata(metricFamily: name, type: m.type, help: m.help, unit: m.unit))
                }
            case .tombstones(let list):
                // Deleted intervals apply to whatever the series holds, whenever it was appended
                // (queriers filter), so record order against samples does not matter.
                stats.tombstones += head.applyReplayedTombstones(list.map { t in
                    (ref: (states.series(t.ref.rawValue) ?? head.series(t.ref))?.ref ?? t.ref,
                     interval: DeletedInterval(minTime: t.minTime, maxTime: t.maxTime))
                })
            case .unsupported(let type, let bytes) where (7...10).contains(type):
                try DB.replayHistograms(type: type, bytes: bytes, states: &states, into: head, stats: &histStats,
                                        mint: &histMint, maxt: &histMaxt)
            case .exemplars(let list):
                DB.replayExemplars(list, states: states, into: head)
            case .unsupported:
                break
            }
        })
        applyPending()
        var mint = histMint
        var maxt = histMaxt
        stats.samples += histStats.samples
        stats.droppedSamples += histStats.droppedSamples
        stats.unknownRefSamples += histStats.unknownRefSamples
        var cuts = 0
        for shard in states.shards {
            let t = shard.totals
            stats.samples += t.applied
            stats.droppedSamples += t.dropped
            stats.unknownRefSamples += t.unknown
            cuts += t.cuts
            mint = Swift.min(mint, t.mint)
            maxt = Swift.max(maxt, t.maxt)
        }
        if cuts != 0 { head.chunkCountAtomic.wrappingAdd(cuts, ordering: .relaxed) }
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
