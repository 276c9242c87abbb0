import SundialCore
import Synchronization

/// The head's deleted intervals per series (Prometheus `Head.tombstones`, a `MemTombstones`).
///
/// Deletion in the head does not touch chunks: like Prometheus 2.42, the intervals are kept in
/// memory and applied when reading (queriers drop deleted samples) and when the head is persisted
/// (head compaction and snapshots write no deleted sample). `clean_tombstones` leaves them here:
/// they disappear when the head is truncated past them or their series is garbage-collected.
///
/// Thread safety: all methods may be called concurrently. The map sits behind a `Mutex`; readers
/// copy it (copy-on-write, so a snapshot costs one retain) and an atomic flag lets queriers skip
/// the lock entirely while nothing was ever deleted.
final class HeadTombstones: Sendable {
    private let state = Mutex(Tombstones())
    /// False while the map is empty (the common case): queriers then take no lock.
    private let nonEmpty = Atomic<Bool>(false)

    init() {}

    /// The current intervals, or nil when none (an immutable copy).
    func snapshot() -> Tombstones? {
        guard nonEmpty.load(ordering: .acquiring) else { return nil }
        return state.withLock { $0.isEmpty ? nil : $0 }
    }

    /// Adds intervals (merged with overlapping or adjacent ones of the same series).
    func add(_ stones: [(ref: SeriesRef, interval: DeletedInterval)]) {
        guard !stones.isEmpty else { return }
        state.withLock { t in
            for s in stones { t.add(s.ref.rawValue, s.interval) }
            nonEmpty.store(!t.isEmpty, ordering: .releasing)
        }
    }

    /// Drops intervals ending before `mint` (ms) and those of the series in `removed`.
    func truncate(before mint: Int64, removed: some Sequence<UInt64>) {
        guard nonEmpty.load(ordering: .acquiring) else { return }
        state.withLock { t in
            t.truncate(before: mint)
            t.remove(removed)
            nonEmpty.store(!t.isEmpty, ordering: .releasing)
        }
    }

    /// Number of intervals held (for statistics and tests).
    var count: Int { state.withLock { $0.count } }
}

extension Head {
    /// One deletion the head will apply: a series and the closed interval of its samples to drop.
    public typealias Stone = (ref: SeriesRef, interval: DeletedInterval)

    /// Marks the samples of the head series matching all `matchers` within `[minTime, maxTime]`
    /// (closed, ms) deleted (Prometheus 2.42 `Head.Delete`).
    ///
    /// The range is first clamped to the head's time range, then, per series, to the samples the
    /// series holds at this moment, so a deletion never reaches samples appended after it (a
    /// sample committed concurrently is either already in the series, hence inside the clamped
    /// interval only if it lies in `[minTime, maxTime]`, or newer than the interval and kept).
    /// `log` receives the intervals before any is applied — the database writes them to the WAL
    /// as one tombstones record there and waits for durability; if it throws, nothing is applied.
    /// - Returns: the number of series that got an interval.
    @discardableResult
    public func delete(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64,
                       log: ([Stone]) throws -> Void) throws -> Int {
        guard !isEmpty else { return 0 }
        let mint = Swift.max(minTime, self.minTime), maxt = Swift.min(maxTime, self.maxTime)
        guard mint <= maxt else { return 0 }
        var stones: [Stone] = []
        for r in postings.refs(matching: matchers) {
            guard let s = series(SeriesRef(r)) else { continue }
            let bounds: (Int64, Int64)? = s.state.withLock { st in
                guard let lo = st.minTime, st.maxTime != .min else { return nil }
                return (lo, st.maxTime)
            }
            guard let (lo, hi) = bounds else { continue }
            let a = Swift.max(mint, lo), b = Swift.min(maxt, hi)
            if a <= b { stones.append((s.ref, DeletedInterval(minTime: a, maxTime: b))) }
        }
        guard !stones.isEmpty else { return 0 }
        try log(stones)
        tombstones.add(stones)
        return stones.count
    }

    /// Applies intervals read back from the WAL (replay): intervals of series not in the head are
    /// ignored, as are intervals ending before ``minValidTime`` (Prometheus `loadWAL`).
    /// - Returns: the number of intervals applied.
    @discardableResult
    func applyReplayedTombstones(_ stones: [Stone]) -> Int {
        let mv = minValidTime
        let kept = stones.filter { $0.interval.maxTime >= mv && series($0.ref) != nil }
        tombstones.add(kept)
        return kept.count
    }

    /// The head's deleted intervals at this moment (nil when none), for queriers and compaction.
    public var deletedIntervals: Tombstones? { tombstones.snapshot() }
}
