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

    /// Head statistics from the storage's own provider, else by scanning the head range.
    func tsdbStatus(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let p = try r.formParams()
        var limit = 10
        let ls = p.value("limit")
        if !ls.isEmpty {
            guard let n = Int(ls), n > 0 else {
                throw APIError.badData("limit must be a positive number")
            }
            limit = n
        }
        let stats: StorageStats
        do {
            if let provider = t.queryable as? any StorageStatsProvider {
                stats = try provider.stats(limit: limit)
            } else {
                let q = try t.queryable.querier(minTime: TimestampLimits.min, maxTime: TimestampLimits.max)
                defer { q.close() }
                stats = try StorageStats.scan(q, limit: limit)
            }
        } catch {
            logger.error("tsdb stats failed", metadata: ["error": "\(error)"])
            throw APIError.internal()
        }
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
            w.byte(UInt8(ascii: "}"))
        })
    }
}
