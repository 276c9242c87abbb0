public import SundialCore

extension DB: ExemplarQueryable {
    /// The head's exemplars (``ExemplarStore/select(start:end:matcherSets:)``): exemplars live only
    /// in memory and in the WAL, never in blocks, as in Prometheus 2.42.
    public func selectExemplars(start: Timestamp, end: Timestamp, matcherSets: [[LabelMatcher]]) throws -> [ExemplarSeries] {
        head.exemplars.select(start: start, end: end, matcherSets: matcherSets)
    }
}

extension Head: ExemplarQueryable {
    /// ``ExemplarStore/select(start:end:matcherSets:)`` over this head's exemplars.
    public func selectExemplars(start: Timestamp, end: Timestamp, matcherSets: [[LabelMatcher]]) throws -> [ExemplarSeries] {
        exemplars.select(start: start, end: end, matcherSets: matcherSets)
    }
}
