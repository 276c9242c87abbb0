import SundialCore
import SundialHTTP

/// A stand-in for the PromQL engine: understands `name` and `name{a="b",...}` / `{a="b"}` selectors
/// (equality only), returns canned results, and records what it was asked.
struct FakeEvaluator: QueryEvaluator {
    var result: QueryData = QueryData(.vector([]))

    func instantQuery(_ query: String, time: Timestamp, timeout: Duration?) async throws(APIError) -> QueryData {
        if query.isEmpty { throw APIError.badData("1:1: parse error: no expression found in input") }
        if query == "1+1" { return QueryData(.scalar(time, 2)) }
        if query == "fail" { throw APIError(.execution, "boom") }
        if query == "slow" { throw APIError(.timeout, "query timed out in expression evaluation") }
        return result
    }

    func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, timeout: Duration?) async throws(APIError) -> QueryData {
        if query.isEmpty { throw APIError.badData("1:1: parse error: no expression found in input") }
        var ts: [Timestamp] = []
        var t = start
        while t <= end {
            ts.append(t)
            t += step
        }
        return QueryData(.matrix([.init(labels: Labels(["__name__": "q"]), timestamps: ts, values: ts.map { Double($0) / 1000 })]))
    }

    func format(_ query: String) throws(APIError) -> String {
        if query.isEmpty { throw APIError.badData("1:1: parse error: no expression found in input") }
        return query.replacingSpaces()
    }

    func parseSelector(_ selector: String) throws(APIError) -> [LabelMatcher] {
        var s = Substring(selector)
        var out: [LabelMatcher] = []
        if let brace = s.firstIndex(of: "{") {
            let name = s[..<brace]
            if !name.isEmpty { out.append(.equal("__name__", String(name))) }
            guard s.hasSuffix("}") else { throw APIError.badData("1:\(s.count): parse error: unexpected end of input") }
            s = s[s.index(after: brace)..<s.index(before: s.endIndex)]
            for part in s.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { throw APIError.badData("parse error: bad matcher") }
                out.append(.equal(String(kv[0]), String(kv[1].dropFirst().dropLast())))
            }
        } else {
            guard !s.isEmpty, !s.contains(" ") else { throw APIError.badData("1:1: parse error: bad selector") }
            out.append(.equal("__name__", String(s)))
        }
        return out
    }

    func hasSelectors(_ query: String) throws(APIError) -> Bool {
        if query.isEmpty { throw APIError.badData("1:1: parse error: no expression found in input") }
        return query.contains(where: { $0.isLetter })
    }
}

extension String {
    func replacingSpaces() -> String { split(separator: " ").joined(separator: " ") }
}
