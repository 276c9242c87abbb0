import SundialCore
import Synchronization

/// The head's exemplars: one circular buffer of at most ``limit`` exemplars shared by every
/// series, each series' exemplars chained oldest to newest through the buffer (Prometheus 2.42
/// `tsdb/exemplar.go`, `CircularExemplarStorage`, enabled by `--enable-feature=exemplar-storage`
/// with `storage.exemplars.max_exemplars`).
///
/// Rules (as 2.42's `validateExemplar` / `AddExemplar`):
/// - label names and values of an exemplar together at most ``Exemplar/maxLabelSetRunes`` runes;
/// - an exemplar equal to the series' newest one is a duplicate: accepted, ignored;
/// - otherwise one not newer than the series' newest one is out of order and refused;
/// - when the buffer is full the oldest exemplar overall is overwritten (its series' chain
///   shortens; a series whose last exemplar goes is forgotten).
/// Series are keyed by their label sets, so exemplars outlive head series garbage collection,
/// as in Prometheus. The buffer grows on demand up to ``limit`` (no memory while unused).
///
/// Thread-safe: one lock around the buffer and index.
public final class ExemplarStore: Sendable {
    /// The maximum number of exemplars kept (0: the store keeps none).
    public let limit: Int
    let state: Mutex<State>

    /// One series' chain: indexes of its oldest and newest exemplars in the buffer.
    final class Chain {
        let labels: Labels
        var oldest: Int
        var newest: Int
        init(labels: Labels, at i: Int) {
            self.labels = labels
            oldest = i
            newest = i
        }
    }

    /// One buffer slot: an exemplar, the next slot of its series (-1 at the newest), its series.
    struct Entry {
        var exemplar: Exemplar
        var next: Int
        var chain: Chain
    }

    struct State {
        var entries: [Entry] = []
        /// Where the next exemplar goes (wraps at the limit).
        var nextIndex = 0
        var index: [Labels: Chain] = [:]
        var appended = 0
        var outOfOrder = 0
    }

    /// What ``check(_:_:)`` concluded about an exemplar.
    enum Check: Equatable {
        case ok
        case duplicate
        case refused(ExemplarError.Reason)
    }

    /// A store keeping at most `limit` exemplars (negative is taken as 0).
    public init(limit: Int) {
        self.limit = Swift.max(0, limit)
        state = Mutex(State())
    }

    /// True when the store keeps exemplars (``limit`` > 0).
    public var isEnabled: Bool { limit > 0 }

    /// `e` without its empty-valued labels (Prometheus `Labels.WithoutEmpty`).
    static func withoutEmptyLabels(_ e: Exemplar) -> Exemplar {
        guard e.labels.contains(where: { $0.value.isEmpty }) else { return e }
        var copy = e
        copy.labels = Labels(sorted: e.labels.filter { !$0.value.isEmpty })
        return copy
    }

    /// True when `labels`' names and values hold more than ``Exemplar/maxLabelSetRunes`` runes.
    static func isTooLong(_ labels: Labels) -> Bool {
        var n = 0
        for l in labels {
            n += l.name.unicodeScalars.count + l.value.unicodeScalars.count
            if n > Exemplar.maxLabelSetRunes { return true }
        }
        return false
    }

    /// 2.42 `validateExemplar` without side effects: length, duplicate, order against the
    /// series' newest stored exemplar.
    func check(_ series: Labels, _ e: Exemplar) -> Check {
        if ExemplarStore.isTooLong(e.labels) { return .refused(.labelSetTooLong) }
        return state.withLock { st in ExemplarStore.check(&st, series, e) }
    }

    static func check(_ st: inout State, _ series: Labels, _ e: Exemplar) -> Check {
        guard let chain = st.index[series] else { return .ok }
        let newest = st.entries[chain.newest].exemplar
        if newest == e { return .duplicate }
        if e.timestamp <= newest.timestamp { return .refused(.outOfOrder) }
        return .ok
    }

    /// Stores `e` for the series `series` directly (2.42 `AddExemplar`; appenders stage exemplars
    /// and store them at commit instead). Empty-valued labels of `e` are dropped first.
    /// - Returns: ``ExemplarAppendOutcome/accepted`` when stored, ``ExemplarAppendOutcome/duplicate``
    ///   when equal to the series' newest exemplar, ``ExemplarAppendOutcome/notStored`` when the
    ///   limit is 0.
    /// - Throws: ``ExemplarError`` (too long, out of order).
    @discardableResult
    public func add(series: Labels, _ e: Exemplar) throws(ExemplarError) -> ExemplarAppendOutcome {
        guard isEnabled else { return .notStored }
        let e = ExemplarStore.withoutEmptyLabels(e)
        if ExemplarStore.isTooLong(e.labels) { throw ExemplarError(.labelSetTooLong, labels: series, exemplar: e) }
        let c = state.withLock { st in add(&st, series, e) }
        switch c {
        case .ok: return .accepted
        case .duplicate: return .duplicate
        case .refused(let reason): throw ExemplarError(reason, labels: series, exemplar: e)
        }
    }

    /// Stores each `(series, exemplar)` in order under one lock (a commit's exemplars, already
    /// validated at append time and checked again here against what concurrent commits stored).
    /// - Returns: how many were stored.
    @discardableResult
    func add<S: Sequence>(_ list: S) -> Int where S.Element == (Labels, Exemplar) {
        guard isEnabled else { return 0 }
        return state.withLock { st in
            var n = 0
            for (series, e) in list where add(&st, series, e) == .ok { n += 1 }
            return n
        }
    }

    func add(_ st: inout State, _ series: Labels, _ e: Exemplar) -> Check {
        let c = ExemplarStore.check(&st, series, e)
        if c == .refused(.outOfOrder) { st.outOfOrder += 1 }
        guard c == .ok else { return c }
        let i = st.nextIndex
        // Free the slot: its exemplar is the oldest of its series.
        if i < st.entries.count {
            let prev = st.entries[i]
            if prev.next < 0 {
                st.index[prev.chain.labels] = nil
            } else {
                prev.chain.oldest = prev.next
            }
        }
        let chain: Chain
        if let c = st.index[series] {
            chain = c
            st.entries[c.newest].next = i
            c.newest = i
        } else {
            chain = Chain(labels: series, at: i)
            st.index[series] = chain
        }
        let entry = Entry(exemplar: e, next: -1, chain: chain)
        if i < st.entries.count { st.entries[i] = entry } else { st.entries.append(entry) }
        st.nextIndex = i + 1 == limit ? 0 : i + 1
        st.appended += 1
        return .ok
    }

    /// 2.42 `Select`: see ``ExemplarQueryable/selectExemplars(start:end:matcherSets:)``.
    public func select(start: Timestamp, end: Timestamp, matcherSets: [[LabelMatcher]]) -> [ExemplarSeries] {
        var out: [ExemplarSeries] = []
        guard isEnabled else { return out }
        state.withLock { st in
            for (labels, chain) in st.index {
                if st.entries[chain.oldest].exemplar.timestamp > end || st.entries[chain.newest].exemplar.timestamp < start {
                    continue
                }
                guard ExemplarStore.matchesAny(labels, matcherSets) else { continue }
                var list: [Exemplar] = []
                var i = chain.oldest
                while i >= 0 {
                    let entry = st.entries[i]
                    let t = entry.exemplar.timestamp
                    if t > end { break }
                    if t >= start { list.append(entry.exemplar) }
                    i = entry.next
                }
                if !list.isEmpty { out.append(ExemplarSeries(seriesLabels: labels, exemplars: list)) }
            }
        }
        out.sort { $0.seriesLabels < $1.seriesLabels }
        return out
    }

    /// Prometheus `matchesSomeMatcherSet`: some set whose matchers all match (a missing label is "").
    static func matchesAny(_ labels: Labels, _ sets: [[LabelMatcher]]) -> Bool {
        sets.contains { set in set.allSatisfy { $0.matches(labels.get($0.name) ?? "") } }
    }

    /// Gauges and counters of the store, named as Prometheus's `prometheus_tsdb_exemplar_*`.
    public struct Stats: Sendable, Hashable {
        /// `prometheus_tsdb_exemplar_max_exemplars`.
        public var maxExemplars: Int
        /// `prometheus_tsdb_exemplar_exemplars_in_storage`.
        public var exemplarsInStorage: Int
        /// `prometheus_tsdb_exemplar_series_with_exemplars_in_storage`.
        public var seriesWithExemplars: Int
        /// `prometheus_tsdb_exemplar_exemplars_appended_total`.
        public var exemplarsAppended: Int
        /// `prometheus_tsdb_exemplar_out_of_order_exemplars_total` (counted when a commit or a
        /// replay meets one; refusals at append time are the appender's).
        public var outOfOrderExemplars: Int
        /// Time (ms) of the oldest exemplar in the buffer, nil when empty
        /// (`prometheus_tsdb_exemplar_last_exemplars_timestamp_seconds` is this / 1000).
        public var oldestTimestamp: Timestamp?
    }

    /// A consistent snapshot of the store's counters.
    public var stats: Stats {
        state.withLock { st in
            let full = st.entries.count == limit && limit > 0
            let oldest = full ? st.nextIndex : 0
            return Stats(maxExemplars: limit, exemplarsInStorage: st.entries.count, seriesWithExemplars: st.index.count,
                         exemplarsAppended: st.appended, outOfOrderExemplars: st.outOfOrder,
                         oldestTimestamp: st.entries.isEmpty ? nil : st.entries[oldest].exemplar.timestamp)
        }
    }
}
