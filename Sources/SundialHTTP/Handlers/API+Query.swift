import Logging
import SundialCore

// `/api/v1/query`, `/query_range`, `/format_query` (`/query_exemplars`: API+Exemplars.swift), following
// `web/api/v1/api.go` (2.42) `query`, `queryRange`, `formatQuery`, `queryExemplars`.
extension API {
    /// Prometheus's `invalidParamError`: `invalid parameter "<name>": <cause>`.
    static func invalidParam(_ e: APIError, _ name: String) -> APIError {
        APIError(.badData, "invalid parameter \(GoQuote.quote(name)): \(e.message)")
    }

    /// `parseTimeParam`: absent → `defaultValue`; else `Invalid time value for '<name>': <cause>`.
    static func timeParam(_ p: FormParams, _ name: String, default defaultValue: Timestamp) throws(APIError) -> Timestamp {
        let s = p.value(name)
        if s.isEmpty { return defaultValue }
        do {
            return try TimeParsing.parseTime(s)
        } catch {
            throw APIError(.badData, "Invalid time value for '\(name)': \(error.message)")
        }
    }

    /// The `timeout` parameter as a `Duration`, nil when absent.
    static func timeoutParam(_ p: FormParams) throws(APIError) -> Duration? {
        let s = p.value("timeout")
        if s.isEmpty { return nil }
        do {
            return .nanoseconds(try TimeParsing.parseDurationNanos(s))
        } catch {
            throw invalidParam(error, "timeout")
        }
    }

    func query(_ r: APIRequest, _ t: TenantBundle) async throws(APIError) -> APIResponse {
        let p = try r.formParams()
        let ts: Timestamp
        do { ts = try Self.timeParam(p, "time", default: WallClock.nowMs()) } catch { throw Self.invalidParam(error, "time") }
        let timeout = try Self.timeoutParam(p)
        let start = ContinuousClock.now
        let data: QueryData
        do {
            data = try await t.evaluator.instantQuery(p.value("query"), time: ts, timeout: timeout ?? options.queryTimeout)
        } catch {
            metrics.observeQuery(kind: "instant", seconds: start.duration(to: .now).seconds)
            throw error.kind == .badData && !error.message.hasPrefix("invalid parameter")
                ? Self.invalidParam(error, "query") : error
        }
        metrics.observeQuery(kind: "instant", seconds: start.duration(to: .now).seconds)
        return .json(APIEnvelope.success(capacity: data.estimatedJSONSize, warnings: data.warnings, infos: data.infos) { data.writeJSON(to: &$0) })
    }

    func queryRange(_ r: APIRequest, _ t: TenantBundle) async throws(APIError) -> APIResponse {
        let p = try r.formParams()
        let start: Timestamp, end: Timestamp
        do { start = try TimeParsing.parseTime(p.value("start")) } catch { throw Self.invalidParam(error, "start") }
        do { end = try TimeParsing.parseTime(p.value("end")) } catch { throw Self.invalidParam(error, "end") }
        if end < start { throw APIError.badData("end timestamp must not be before start time") }
        let stepNs: Int64
        do { stepNs = try TimeParsing.parseDurationNanos(p.value("step")) } catch { throw Self.invalidParam(error, "step") }
        if stepNs <= 0 {
            throw APIError.badData("zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        // end.Sub(start)/step > 11000, in nanoseconds as Go computes it (saturating like time.Sub).
        let (spanNs, overflow) = (end - start).multipliedReportingOverflow(by: 1_000_000)
        if overflow || spanNs / stepNs > Int64(options.maxPointsPerSeries) {
            throw APIError.badData(
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let timeout = try Self.timeoutParam(p)
        let stepMs = Swift.max(stepNs / 1_000_000, 1)
        let t0 = ContinuousClock.now
        let data: QueryData
        do {
            data = try await t.evaluator.rangeQuery(p.value("query"), start: start, end: end, step: stepMs,
                                                  timeout: timeout ?? options.queryTimeout)
        } catch {
            metrics.observeQuery(kind: "range", seconds: t0.duration(to: .now).seconds)
            throw error.kind == .badData && !error.message.hasPrefix("invalid parameter")
                ? Self.invalidParam(error, "query") : error
        }
        metrics.observeQuery(kind: "range", seconds: t0.duration(to: .now).seconds)
        return .json(APIEnvelope.success(capacity: data.estimatedJSONSize, warnings: data.warnings, infos: data.infos) { data.writeJSON(to: &$0) })
    }

    func formatQuery(_ r: APIRequest) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        let formatted: String
        do { formatted = try evaluator.format(p.value("query")) } catch { throw Self.invalidParam(error, "query") }
        return .json(APIEnvelope.success { $0.string(formatted) })
    }
}
