import SundialEncoding
import Synchronization
import SundialCore

extension Head {
    /// What a truncation removed.
    public struct TruncationStats: Sendable, Hashable {
        /// Chunks dropped because all their samples were before the cut.
        public var chunksRemoved = 0
        /// Series removed because no sample was left.
        public var seriesRemoved = 0
    }

    /// Drops every chunk whose samples are all older than `mint` (ms), then garbage-collects the
    /// series left without samples (Prometheus `Head.Truncate` + `gc`). Raises ``minValidTime``
    /// to `mint` so that nothing older is accepted again, and the head's ``minTime``.
    ///
    /// A series that empties while a concurrent appender has staged a sample for it under its
    /// pending mark is kept (Prometheus's gc skips `pendingCommit` series too); the commit then
    /// fills it. A series found empty and unmarked is marked removed in the same critical section
    /// (``SeriesState/removedMark``), so no appender can mark it afterwards: an appender that
    /// still reaches it holds it strongly and its commit applies to the detached series (the
    /// sample stays in the WAL, and replay restores it). Callers truncate only far behind the
    /// appendable window, where this cannot happen for in-window samples.
    /// - Returns: the counts of what was removed.
    @discardableResult
    public func truncate(before mint: Int64) -> TruncationStats {
        setMinValidTime(mint)
        var stats = TruncationStats()
        var dead: [(MemSeries, UInt64)] = []
        var newMin = Int64.max
        stripes.forEach { s in
            let (removed, empty, smin) = s.state.withLock { st -> (Int, Bool, Int64?) in
                let r = st.truncateChunks(before: mint)
                // A staging appender's mark keeps the series (its batch holds it unretained).
                let dead = st.isEmpty && st.pendingOwner == 0
                if dead { st.pendingOwner = SeriesState.removedMark }
                return (r, dead, st.minTime)
            }
            stats.chunksRemoved += removed
            if empty {
                dead.append((s, s.labels.stableHash))
            } else if let smin, smin < newMin {
                newMin = smin
            }
        }
        for (s, hash) in dead { stripes.remove(s, hash: hash) }
        postings.remove(dead.map { ($0.0.ref, $0.0.labels) })
        tombstones.truncate(before: mint, removed: dead.map { $0.0.ref.rawValue })
        stats.seriesRemoved = dead.count
        seriesCountAtomic.wrappingSubtract(dead.count, ordering: .relaxed)
        chunkCountAtomic.wrappingSubtract(stats.chunksRemoved, ordering: .relaxed)
        // The head's minimum moves up to the oldest sample left (`Int64.max` when none is left).
        minTimeAtomic.store(newMin, ordering: .relaxed)
        return stats
    }

    /// True when the series with `ref` is in the head (for WAL checkpoints: records of other
    /// series are dropped).
    public func contains(_ ref: SeriesRef) -> Bool { series(ref) != nil }
}

extension Head {
    /// Total bytes of chunk data held (full chunks and open chunks' encoded bytes), as they
    /// would be written to disk. Walks every series: for statistics and benchmarks, not hot paths.
    public func chunkBytes() -> Int {
        var total = 0
        stripes.forEach { s in
            total += s.state.withLock { st in st.full.reduce(st.open.byteCount) { $0 + $1.bytes.count } }
        }
        return total
    }
}
