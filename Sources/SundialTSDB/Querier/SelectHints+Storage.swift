import SundialCore

extension SelectHints {
    /// The ``function`` value meaning "labels only" (Prometheus's `series` hint, sent by
    /// `/api/v1/series`): queriers then read no chunk data while selecting. Samples stay correct
    /// if asked for anyway; they are read when asked.
    public static let seriesOnlyFunction = "series"

    /// The closed range `[start, end]` narrowed to the querier's closed range `[minTime, maxTime]`
    /// (empty when `lo > hi`); the querier's range alone without hints.
    static func narrow(_ hints: SelectHints?, minTime: Int64, maxTime: Int64) -> (lo: Int64, hi: Int64) {
        guard let h = hints else { return (minTime, maxTime) }
        return (Swift.max(minTime, h.start), Swift.min(maxTime, h.end))
    }
}
