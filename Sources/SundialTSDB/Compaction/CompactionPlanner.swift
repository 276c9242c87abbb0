/// Decides which blocks to compact, with Prometheus's leveled policy (`tsdb/compact.go`
/// `LeveledCompactor.Plan`, reference-brief §1.1):
///
/// 1. Overlapping blocks first (vertical compaction): the first run of blocks whose ranges overlap.
/// 2. Otherwise, leaving out the newest block (a window for backups of fresh data), the first
///    group of ≥ 2 blocks that fall into one aligned range of a larger level (6 h, 18 h, …) and
///    either fill it exactly or end before the newest block starts.
/// 3. Otherwise a large block (≥ the middle range) with tombstones on more than 5 % of its series,
///    alone, so compaction rewrites it without the deleted data.
///
/// Pure functions over metas; thread-safe.
public enum CompactionPlanner {
    /// `ExponentialBlockRanges(min, steps, factor)`: `min, min·f, min·f², …` (`steps` values).
    public static func exponentialRanges(min: Int64, steps: Int, factor: Int64) -> [Int64] {
        var out: [Int64] = []
        var r = min
        for _ in 0..<steps {
            out.append(r)
            r *= factor
        }
        return out
    }

    /// Prometheus's default ranges for a retention (ms): 2 h × 3^k up to `min(31 d, retention/10)`,
    /// keeping at least the 2 h level.
    public static func defaultRanges(retentionMs: Int64) -> [Int64] {
        let twoHours: Int64 = 2 * 3_600_000
        let maxBlock = Swift.min(31 * 24 * 3_600_000, retentionMs / 10)
        let all = exponentialRanges(min: twoHours, steps: 10, factor: 3)
        let kept = all.filter { $0 <= maxBlock }
        return kept.isEmpty ? [twoHours] : kept
    }

    /// The blocks to compact together next (sorted by minTime), or empty when nothing is due.
    /// - Parameter ranges: level ranges in ms, ascending; `ranges[0]` is the head block range.
    public static func plan(_ metas: [BlockMeta], ranges: [Int64]) -> [BlockMeta] {
        let sorted = metas.filter { !$0.compaction.deletable }.sorted { ($0.minTime, $0.ulid) < ($1.minTime, $1.ulid) }
        let overlapping = overlappingRun(sorted)
        if !overlapping.isEmpty { return overlapping }
        guard sorted.count >= 2 else { return [] }
        let candidates = Array(sorted.dropLast())
        let selected = selectLevel(candidates, ranges: ranges, highTime: sorted.last!.minTime)
        if !selected.isEmpty { return selected }
        if ranges.count > 0 {
            let bigEnough = ranges[ranges.count / 2]
            for m in candidates.reversed() {
                if m.maxTime - m.minTime < bigEnough { break }
                if Double(m.stats.numTombstones) / Double(m.stats.numSeries + 1) > 0.05 { return [m] }
            }
        }
        return []
    }

    /// The first run of blocks whose `[minTime, maxTime)` ranges overlap (input sorted by minTime).
    static func overlappingRun(_ sorted: [BlockMeta]) -> [BlockMeta] {
        guard sorted.count >= 2 else { return [] }
        var run: [BlockMeta] = []
        var globalMax = sorted[0].maxTime
        for i in 1..<sorted.count {
            let m = sorted[i]
            if m.minTime < globalMax {
                if run.isEmpty { run.append(sorted[i - 1]) }
                run.append(m)
            } else if !run.isEmpty {
                break
            }
            globalMax = Swift.max(globalMax, m.maxTime)
        }
        return run
    }

    static func selectLevel(_ metas: [BlockMeta], ranges: [Int64], highTime: Int64) -> [BlockMeta] {
        guard ranges.count >= 2, !metas.isEmpty else { return [] }
        for range in ranges.dropFirst() {
            for group in splitByRange(metas, range) {
                if group.contains(where: { $0.compaction.failed }) { continue }
                let mint = group.first!.minTime, maxt = group.last!.maxTime
                if group.count > 1 && (maxt - mint == range || maxt <= highTime) { return group }
            }
        }
        return []
    }

    /// Groups consecutive blocks lying entirely inside one range-aligned window `[t0, t0+range]`;
    /// blocks straddling a window boundary are skipped.
    static func splitByRange(_ metas: [BlockMeta], _ range: Int64) -> [[BlockMeta]] {
        var out: [[BlockMeta]] = []
        var i = 0
        while i < metas.count {
            let m = metas[i]
            let t0 = m.minTime >= 0 ? range * (m.minTime / range) : range * ((m.minTime - range + 1) / range)
            if m.maxTime > t0 + range {
                i += 1
                continue
            }
            var group: [BlockMeta] = []
            while i < metas.count && metas[i].maxTime <= t0 + range {
                group.append(metas[i])
                i += 1
            }
            if !group.isEmpty { out.append(group) }
        }
        return out
    }
}
