import SundialCore
import SundialWAL

extension DB {
    /// Replays one exemplars record into the head's exemplar store (Prometheus 2.42
    /// `Head.loadWAL`, `[]record.RefExemplar`): exemplars of series refs never defined are
    /// skipped, as are those older than the head's minimum valid time; the store's order rules
    /// apply (an out-of-order one, which a well-formed WAL never holds, is dropped and counted).
    /// - Returns: the number of exemplars stored.
    @discardableResult
    static func replayExemplars(_ list: [RefExemplar], states: ReplaySeriesStates, into head: Head) -> Int {
        let store = head.exemplars
        guard store.isEnabled, !list.isEmpty else { return 0 }
        let minValid = head.minValidTime
        var batch: [(Labels, Exemplar)] = []
        batch.reserveCapacity(list.count)
        for e in list where e.t >= minValid {
            guard let s = states.series(e.ref.rawValue) ?? head.series(e.ref) else { continue }
            batch.append((s.labels, Exemplar(labels: e.labels, value: e.v, timestamp: e.t)))
        }
        return store.add(batch)
    }
}
