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
    /// Tombstone records seen (the head does not apply deletions yet; they are counted).
    public var tombstones = 0
    /// The WAL reader's statistics (checkpoint, segments, repair).
    public var wal: ReplayStats? = nil
    /// Wall time of the replay in nanoseconds.
    public var nanoseconds: UInt64 = 0
}

extension DB {
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
        let walStats = try SundialWAL.replay(directory: dir, log: { log($0) }) { record in
            switch record {
            case .series(let list):
                for s in list {
                    let (series, _) = head.create(s.labels, hash: s.labels.stableHash, ref: s.ref, logged: true)
                    if series.ref != s.ref { aliases[s.ref.rawValue] = series }
                    stats.series += 1
                }
            case .samples(let list):
                var applied = 0
                var dropped = 0
                var cuts = 0
                for smp in list {
                    let r = smp.ref.rawValue
                    let series: MemSeries
                    if r == cachedRef, let c = cached {
                        series = c
                    } else if let s = head.series(smp.ref) ?? aliases[r] {
                        series = s
                        cachedRef = r
                        cached = s
                    } else {
                        stats.unknownRefSamples += 1
                        continue
                    }
                    let (ok, cut) = series.state.withLock { st -> (Bool, Int) in
                        let before = st.chunkCount
                        let ok = st.append(smp.t, smp.v, chunkRange: range, samplesPerChunk: spc)
                        return (ok, st.chunkCount - before)
                    }
                    cuts += cut
                    if ok {
                        applied += 1
                        if smp.t < mint { mint = smp.t }
                        if smp.t > maxt { maxt = smp.t }
                    } else {
                        dropped += 1
                    }
                }
                stats.samples += applied
                stats.droppedSamples += dropped
                if cuts != 0 { head.chunkCountAtomic.wrappingAdd(cuts, ordering: .relaxed) }
            case .metadata(let list):
                for m in list {
                    guard let s = head.series(m.ref) ?? aliases[m.ref.rawValue], let name = s.labels.metricName else { continue }
                    head.storeMetadata(MetricMetadata(metricFamily: name, type: m.type, help: m.help, unit: m.unit))
                }
            case .tombstones(let list):
                stats.tombstones += list.count
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
