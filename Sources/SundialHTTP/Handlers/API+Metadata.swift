import Logging
import SundialCore

// `/api/v1/series`, `/labels`, `/label/<name>/values`, `/metadata`, following `web/api/v1/api.go`
// (2.42, plus P3's `limit` with its "results truncated due to limit" warning).
extension API {
    /// `parseMatchersParam`: each `match[]` parsed as a series selector; every set needs one
    /// matcher that doesn't match the empty string.
    func matcherSets(_ p: FormParams) throws(APIError) -> [[LabelMatcher]] {
        var sets: [[LabelMatcher]] = []
        for s in p.values("match[]") {
            sets.append(try evaluator.parseSelector(s))
        }
        for set in sets where !set.contains(where: { !$0.matchesEmpty }) {
            throw APIError.badData("match[] must contain at least one non-empty matcher")
        }
        return sets
    }

    /// `limit`: absent or 0 → unlimited; negative or non-numeric → bad_data.
    static func limitParam(_ p: FormParams) throws(APIError) -> Int {
        let s = p.value("limit")
        if s.isEmpty { return Int.max }
        guard let n = Int(s) else {
            throw APIError.badData("invalid parameter \"limit\": cannot parse \(GoQuote.quote(s)) to a valid limit")
        }
        if n < 0 { throw APIError.badData("invalid parameter \"limit\": limit must be non-negative") }
        return n == 0 ? Int.max : n
    }

    /// start/end with Prometheus's min/max defaults, clamped to what storage handles.
    static func rangeParams(_ p: FormParams) throws(APIError) -> (Timestamp, Timestamp) {
        let start: Timestamp, end: Timestamp
        do { start = try timeParam(p, "start", default: TimeParsing.minTimeMs) } catch { throw invalidParam(error, "start") }
        do { end = try timeParam(p, "end", default: TimeParsing.maxTimeMs) } catch { throw invalidParam(error, "end") }
        return (Swift.max(start, TimestampLimits.min), Swift.min(end, TimestampLimits.max))
    }

    func openQuerier(_ t: TenantBundle, _ start: Timestamp, _ end: Timestamp) throws(APIError) -> any Querier {
        do {
            return try t.queryable.querier(minTime: start, maxTime: end)
        } catch {
            logger.error("opening querier failed", metadata: ["error": "\(error)"])
            throw APIError.internal()
        }
    }

    func series(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        if p.values("match[]").isEmpty { throw APIError.badData("no match[] parameter provided") }
        let (start, end) = try Self.rangeParams(p)
        let limit = try Self.limitParam(p)
        let sets = try matcherSets(p)
        let q = try openQuerier(t, start, end)
        defer { q.close() }
        let hints = SelectHints(start: start, end: end, function: "series")
        var all: [Labels] = []
        var seen = Set<Labels>()
        // One matcher set: the querier's series have distinct label sets already, so no hashing.
        let distinct = sets.count == 1
        do {
            for set in sets {
                for s in try q.select(sorted: true, hints: hints, matchers: set) where distinct || seen.insert(s.labels).inserted {
                    all.append(s.labels)
                }
            }
        } catch {
            logger.error("series select failed", metadata: ["error": "\(error)"])
            throw APIError.internal()
        }
        if sets.count > 1 { all.sort() }
        var warnings: [String] = []
        if all.count > limit {
            all.removeLast(all.count - limit)
            warnings.append("results truncated due to limit")
        }
        return .json(APIEnvelope.success(capacity: 64 + all.count * 96, warnings: warnings) { w in
            w.byte(UInt8(ascii: "["))
            for (i, l) in all.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.labels(l)
            }
            w.byte(UInt8(ascii: "]"))
        })
    }

    func labelNames(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        let (start, end) = try Self.rangeParams(p)
        let limit = try Self.limitParam(p)
        let sets = try matcherSets(p)
        let q = try openQuerier(t, start, end)
        defer { q.close() }
        var names: [String]
        do {
            if sets.isEmpty {
                names = try q.labelNames(matchers: [])
            } else {
                var u = Set<String>()
                for set in sets { u.formUnion(try q.labelNames(matchers: set)) }
                names = u.sorted(by: byteOrderLess)
            }
        } catch {
            logger.error("label names failed", metadata: ["error": "\(error)"])
            throw APIError.internal()
        }
        return stringList(names, limit: limit)
    }

    func labelValues(_ r: APIRequest, _ t: TenantBundle, name rawName: String) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        // The path segment must be a legacy name; `U__…` then decodes to any UTF-8 name (P3).
        guard LabelNames.isValidLegacy(rawName) else {
            throw APIError.badData("invalid label name: \(GoQuote.quote(rawName))")
        }
        let name = LabelNames.unescapeValuePath(rawName)
        let (start, end) = try Self.rangeParams(p)
        let limit = try Self.limitParam(p)
        let sets = try matcherSets(p)
        let q = try openQuerier(t, start, end)
        defer { q.close() }
        var values: [String]
        do {
            if sets.isEmpty {
                values = try q.labelValues(name: name, matchers: [])
            } else {
                var u = Set<String>()
                for set in sets { u.formUnion(try q.labelValues(name: name, matchers: set)) }
                values = u.sorted(by: byteOrderLess)
            }
        } catch {
            logger.error("label values failed", metadata: ["error": "\(error)"])
            throw APIError.internal()
        }
        return stringList(values, limit: limit)
    }

    private func stringList(_ list: [String], limit: Int) -> APIResponse {
        var list = list
        var warnings: [String] = []
        if list.count > limit {
            list.removeLast(list.count - limit)
            warnings.append("results truncated due to limit")
        }
        return .json(APIEnvelope.success(capacity: 64 + list.count * 24, warnings: warnings) { $0.stringArray(list) })
    }

    /// `{"<metric>":[{"type":…,"help":…,"unit":…}],…}`; `limit` caps the number of metrics,
    /// `metric` selects one.
    func metricMetadata(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        var limit = Int.max
        let ls = p.value("limit")
        if !ls.isEmpty {
            guard let n = Int(ls) else { throw APIError.badData("limit must be a number") }
            if n >= 0 { limit = n }
        }
        let metric = p.value("metric")
        let all = (t.queryable as? any MetadataQueryable)?.metricMetadata(metric: metric.isEmpty ? nil : metric) ?? []
        let sorted = all.sorted { byteOrderLess($0.metricFamily, $1.metricFamily) }
        return .json(APIEnvelope.success(capacity: 64 + sorted.count * 128) { w in
            w.byte(UInt8(ascii: "{"))
            var n = 0
            var i = 0
            while i < sorted.count, n < limit {
                let family = sorted[i].metricFamily
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(family)
                w.raw(":[")
                var first = true
                while i < sorted.count, sorted[i].metricFamily == family {
                    if !first { w.byte(UInt8(ascii: ",")) }
                    first = false
                    w.raw(#"{"type":"#)
                    w.string(sorted[i].type.rawValue)
                    w.raw(#","help":"#)
                    w.string(sorted[i].help)
                    w.raw(#","unit":"#)
                    w.string(sorted[i].unit)
                    w.byte(UInt8(ascii: "}"))
                    i += 1
                }
                w.byte(UInt8(ascii: "]"))
                n += 1
            }
            w.byte(UInt8(ascii: "}"))
        })
    }
}
