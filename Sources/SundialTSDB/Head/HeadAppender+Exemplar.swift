import SundialCore
import Synchronization

extension HeadAppender {
    /// Stages an exemplar (Prometheus 2.42 `headAppender.AppendExemplar`).
    ///
    /// The series is found by `ref` (a ref this head handed out) or else by `labels`; it is never
    /// created, so an exemplar for a series without samples yet (in this head or earlier in this
    /// batch) is refused with ``ExemplarError/Reason/unknownSeries``. Empty-valued exemplar labels
    /// are dropped; then the store's rules apply against the series' newest stored exemplar
    /// (label set too long, duplicate → ``ExemplarAppendOutcome/duplicate``, out of order). When
    /// the head keeps no exemplars (limit 0) it returns ``ExemplarAppendOutcome/notStored``.
    ///
    /// At commit the exemplars are written to the WAL as one exemplars record (type 4) with the
    /// batch's samples, then stored in order; one no longer newer than its series' newest (e.g. two
    /// with the same time in one batch) is then dropped and counted as out of order, as 2.42 does.
    public func appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar) throws(ExemplarError) -> ExemplarAppendOutcome {
        precondition(!finished, "appendExemplar after commit or rollback")
        let store = head.exemplars
        guard store.isEnabled else { return .notStored }
        var found: MemSeries? = nil
        if ref != .none { found = cursor.get(ref.rawValue, in: head.stripes.table) }
        if found == nil { found = head.series(labels: labels) }
        guard let s = found else { throw ExemplarError(.unknownSeries, labels: labels, exemplar: exemplar) }
        let e = ExemplarStore.withoutEmptyLabels(exemplar)
        switch store.check(s.labels, e) {
        case .ok:
            batch.exemplars.append((series: s, exemplar: e))
            return .accepted
        case .duplicate:
            return .duplicate
        case .refused(let reason):
            throw ExemplarError(reason, labels: s.labels, exemplar: e)
        }
    }

    /// Adds the exemplars' series not yet in the log to the batch's series records.
    func gatherExemplarSeries() {
        var loggedRefs = Set(batch.newSeries.lazy.map(\.ref.rawValue))
        for (s, _) in batch.exemplars where !s.walLogged.load(ordering: .acquiring) {
            if loggedRefs.insert(s.ref.rawValue).inserted { batch.newSeries.append(s) }
        }
    }

    /// Stores the batch's exemplars (after its samples), in append order.
    func applyExemplars(_ work: HeadCommitBatch) {
        head.exemplars.add(work.exemplars.lazy.map { ($0.series.labels, $0.exemplar) })
    }
}
