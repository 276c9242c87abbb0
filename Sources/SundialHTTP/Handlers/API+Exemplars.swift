import SundialCore

// `/api/v1/query_exemplars` (Prometheus 2.42 `web/api/v1/api.go` `queryExemplars`, with
// `--enable-feature=exemplar-storage`).
extension API {
    /// `query`, `start`, `end` (GET or form POST): the selectors of the PromQL `query` pick series
    /// (a series matching any selector), and their exemplars with `start <= t <= end` are returned
    /// grouped per series, sorted by series labels:
    /// `[{"seriesLabels":{...},"exemplars":[{"labels":{...},"value":"1","timestamp":1.5}]}]`.
    /// A query without selectors answers 204 with no body (as 2.42); a parse error or `end < start` is bad_data; a
    /// storage failure is an execution error. Storage without exemplars answers `[]`.
    func queryExemplars(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        let start: Timestamp, end: Timestamp
        do { start = try Self.timeParam(p, "start", default: TimeParsing.minTimeMs) } catch { throw Self.invalidParam(error, "start") }
        do { end = try Self.timeParam(p, "end", default: TimeParsing.maxTimeMs) } catch { throw Self.invalidParam(error, "end") }
        if end < start { throw APIError.badData("end timestamp must not be before start timestamp") }
        let sets = try t.evaluator.selectorMatchers(p.value("query"))
        // 2.42 returns no data for a query without selectors, which its API wrapper answers as
        // 204 No Content with an empty body.
        if sets.isEmpty { return APIResponse(status: 204) }
        var result: [ExemplarSeries] = []
        if let store = t.queryable as? any ExemplarQueryable {
            do {
                result = try store.selectExemplars(start: start, end: end, matcherSets: sets)
            } catch {
                throw APIError(.execution, "\(error)")
            }
        }
        var size = 64
        for s in result { size += 64 + 96 * s.exemplars.count }
        return .json(APIEnvelope.success(capacity: size) { w in API.writeExemplars(result, to: &w) })
    }

    /// Prometheus's JSON for `[]exemplar.QueryResult` (`marshalExemplarJSON`: labels, value as a
    /// string, timestamp in seconds).
    static func writeExemplars(_ result: [ExemplarSeries], to w: inout JSONWriter) {
        w.raw("[")
        for (i, s) in result.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("{\"seriesLabels\":")
            w.labels(s.seriesLabels)
            w.raw(",\"exemplars\":[")
            for (k, e) in s.exemplars.enumerated() {
                if k > 0 { w.raw(",") }
                w.raw("{\"labels\":")
                w.labels(e.labels)
                w.raw(",\"value\":")
                w.value(e.value)
                w.raw(",\"timestamp\":")
                w.timestamp(e.timestamp)
                w.raw("}")
            }
            w.raw("]}")
        }
        w.raw("]")
    }
}
