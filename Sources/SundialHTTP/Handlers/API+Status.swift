import Logging
import SundialCore

// `/api/v1/status/*` (2.42 `serveBuildInfo`, `serveRuntimeInfo`, `serveFlags`, `serveConfig`,
// `serveTSDBStatus`).
extension API {
    func buildinfo() -> APIResponse {
        .json(APIEnvelope.success { w in
            w.raw(#"{"version":"#)
            w.string(options.prometheusCompatibleVersion)
            w.raw(#","revision":"#)
            w.string("sundial-\(options.sundialVersion)")
            w.raw(#","branch":"main","buildUser":"sundial","buildDate":"","goVersion":"swift6","sundialVersion":"#)
            w.string(options.sundialVersion)
            w.byte(UInt8(ascii: "}"))
        })
    }

    func runtimeinfo() -> APIResponse {
        .json(APIEnvelope.success { w in
            w.raw(#"{"startTime":"#)
            w.string(TimeParsing.formatRFC3339(options.startTimeMs))
            w.raw(#","CWD":"#)
            w.string(options.workingDirectory)
            w.raw(#","reloadConfigSuccess":true,"lastConfigTime":"#)
            w.string(TimeParsing.formatRFC3339(options.startTimeMs))
            w.raw(#","corruptionCount":0,"goroutineCount":0,"GOMAXPROCS":"#)
            w.int(options.processorCount)
            w.raw(#","GOGC":"","GODEBUG":"","storageRetention":"#)
            w.string(options.storageRetention)
            w.byte(UInt8(ascii: "}"))
        })
    }

    func flags() -> APIResponse {
        .json(APIEnvelope.success { w in
            w.byte(UInt8(ascii: "{"))
            for (i, f) in options.flags.sorted(by: { $0.name < $1.name }).enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(f.name)
                w.byte(UInt8(ascii: ":"))
                w.string(f.value)
            }
            w.byte(UInt8(ascii: "}"))
        })
    }

    func config() -> APIResponse {
        .json(APIEnvelope.success { w in
            w.raw(#"{"yaml":"#)
            w.string(options.configYAML)
            w.byte(UInt8(ascii: "}"))
        })
    }

    /// Cardinality statistics (`/api/v1/status/tsdb`) from the storage's own provider, else by
    /// scanning. Parameters: Prometheus's `limit` (alias VictoriaMetrics `topN`, default 10, at most
    /// 10,000), and VictoriaMetrics's `match[]` (restricts every figure to matching series),
    /// `focusLabel` and `date` (`YYYY-MM-DD`: series with a sample that UTC day).
    func tsdbStatus(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        let request = try Self.statsRequest(p, matcherSets: try matcherSets(p))
        let stats: StorageStats
        do {
            if let provider = t.queryable as? any StorageStatsProvider {
                stats = try provider.stats(request)
            } else {
                let q = try t.queryable.querier(minTime: request.timeRange?.lowerBound ?? TimestampLimits.min,
                                                maxTime: request.timeRange?.upperBound ?? TimestampLimits.max)
                defer { q.close() }
                stats = try StorageStats.scan(q, request: request)
            }
        } catch {
            logger.error("tsdb stats failed", metadata: ["error": "\(error)"])
            throw APIError.internal()
        }
        return Self.tsdbStatusJSON(stats)
    }

    /// The ``StatsRequest`` of a `/status/tsdb` call (see ``tsdbStatus(_:_:)``).
    static func statsRequest(_ p: FormParams, matcherSets: [[LabelMatcher]]) throws(APIError) -> StatsRequest {
        var limit = 10
        for key in ["limit", "topN"] {
            let ls = p.value(key)
            if ls.isEmpty { continue }
            guard let n = Int(ls), n > 0, n <= 10_000 else {
                throw APIError.badData("\(key) must be a positive number of at most 10000")
            }
            limit = n
        }
        let focus = p.value("focusLabel")
        var range: ClosedRange<Timestamp>?
        let date = p.value("date")
        if !date.isEmpty {
            guard let day = Self.parseDay(date) else {
                throw APIError.badData("invalid date \(GoQuote.quote(date)): expected YYYY-MM-DD")
            }
            range = day...(day + 86_400_000 - 1)
        }
        return StatsRequest(limit: limit, matcherSets: matcherSets, focusLabel: focus.isEmpty ? nil : focus, timeRange: range)
    }

    /// Milliseconds at 00:00 UTC of a `YYYY-MM-DD` date (proleptic Gregorian), nil when malformed.
    static func parseDay(_ s: String) -> Timestamp? {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), (1...12).contains(m) else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d >= 1, d <= days[m - 1] else { return nil }
        return CivilDate.days(year: Int64(y), month: Int64(m), day: Int64(d)) * 86_400_000
    }

    /// The `/status/tsdb` body: Prometheus 2.42's fields, then VictoriaMetrics's.
    static func tsdbStatusJSON(_ stats: StorageStats) -> APIResponse {
        return .json(APIEnvelope.success { w in
            w.raw(#"{"headStats":{"numSeries":"#)
            w.int(stats.numSeries)
            w.raw(#","numLabelPairs":"#)
            w.int(stats.numLabelPairs)
            w.raw(#","chunkCount":"#)
            w.int(stats.chunkCount)
            w.raw(#","minTime":"#)
            w.int(stats.minTime)
            w.raw(#","maxTime":"#)
            w.int(stats.maxTime)
            w.byte(UInt8(ascii: "}"))
            func list(_ key: StaticString, _ entries: [StorageStats.Entry]) {
                w.raw(",\"")
                w.raw(key)
                w.raw("\":[")
                for (i, e) in entries.enumerated() {
                    if i > 0 { w.byte(UInt8(ascii: ",")) }
                    w.raw(#"{"name":"#)
                    w.string(e.name)
                    w.raw(#","value":"#)
                    w.int(e.value)
                    w.byte(UInt8(ascii: "}"))
                }
                w.byte(UInt8(ascii: "]"))
            }
            list("seriesCountByMetricName", stats.seriesCountByMetricName)
            list("labelValueCountByLabelName", stats.labelValueCountByLabelName)
            list("memoryInBytesByLabelName", stats.memoryInBytesByLabelName)
            list("seriesCountByLabelValuePair", stats.seriesCountByLabelValuePair)
            list("seriesCountByLabelName", stats.seriesCountByLabelName)
            if let focus = stats.seriesCountByFocusLabelValue { list("seriesCountByFocusLabelValue", focus) }
            w.raw(#","totalSeries":"#)
            w.int(stats.numSeries)
            w.raw(#","totalLabelValuePairs":"#)
            w.int(stats.numLabelPairs)
            w.byte(UInt8(ascii: "}"))
        })
    }
}
