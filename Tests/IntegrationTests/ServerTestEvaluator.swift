import SundialCore
import SundialHTTP

/// Until the integration tests run the real PromQL engine: answers `1+1` and bare metric-name
/// selectors (last sample within 5 minutes for instant queries, per step for range queries),
/// enough for the HTTP-shape checks here. Selector parsing handles `name` and `{a="b"}` forms.
struct ServerTestEvaluator: QueryEvaluator {
    let storage: any Queryable

    func select(_ name: String, _ minT: Timestamp, _ maxT: Timestamp) throws(APIError) -> [(Labels, SampleBuffer)] {
        do {
            let q = try storage.querier(minTime: minT, maxTime: maxT)
            defer { q.close() }
            return try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", name)]).map { s in
                var b = SampleBuffer()
                try s.samples(minTime: minT, maxTime: maxT, into: &b)
                return (s.labels, b)
            }
        } catch {
            throw APIError.internal()
        }
    }

    func instantQuery(_ query: String, time: Timestamp, timeout: Duration?) async throws(APIError) -> QueryData {
        if query == "1+1" { return QueryData(.scalar(time, 2)) }
        guard !query.isEmpty, query.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw APIError.badData("1:1: parse error: unsupported in this test evaluator")
        }
        let vec = try select(query, time - 300_000, time).compactMap { l, b in
            b.values.last.map { QueryData.InstantSample(labels: l.droppingMetricName, timestamp: time, value: $0) }
        }
        return QueryData(.vector(vec))
    }

    func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, timeout: Duration?) async throws(APIError) -> QueryData {
        var out: [QueryData.RangeSeries] = []
        for (l, b) in try select(query, start - 300_000, end) {
            var s = QueryData.RangeSeries(labels: l.droppingMetricName, timestamps: [], values: [])
            var t = start
            var i = 0
            while t <= end {
                while i + 1 < b.count, b.timestamps[i + 1] <= t { i += 1 }
                if b.count > 0, b.timestamps[i] <= t, b.timestamps[i] > t - 300_000 {
                    s.timestamps.append(t)
                    s.values.append(b.values[i])
                }
                t += step
            }
            if !s.timestamps.isEmpty { out.append(s) }
        }
        return QueryData(.matrix(out))
    }

    func format(_ query: String) throws(APIError) -> String { query }

    func parseSelector(_ selector: String) throws(APIError) -> [LabelMatcher] {
        guard !selector.isEmpty, selector.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw APIError.badData("1:1: parse error: unsupported in this test evaluator")
        }
        return [.equal("__name__", selector)]
    }

    func hasSelectors(_ query: String) throws(APIError) -> Bool { true }
}
