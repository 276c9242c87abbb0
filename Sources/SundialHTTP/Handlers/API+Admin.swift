import Logging
import SundialCore

// `/api/v1/admin/tsdb/*` (2.42 `deleteSeries`, `cleanTombstones`, `snapshot`), behind
// ``APIOptions/enableAdminAPI`` like Prometheus's `--web.enable-admin-api`.
extension API {
    private func admin(_ t: TenantBundle) throws(APIError) -> any StorageAdmin {
        guard options.enableAdminAPI else { throw APIError(.unavailable, "admin APIs disabled") }
        guard let a = t.storageAdmin else {
            throw APIError(.unavailable, "the storage does not support admin operations")
        }
        return a
    }

    func deleteSeries(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let a = try admin(t)
        let p = try r.formParams()
        if p.values("match[]").isEmpty { throw APIError.badData("no match[] parameter provided") }
        let start: Timestamp, end: Timestamp
        do { start = try Self.timeParam(p, "start", default: TimeParsing.minTimeMs) } catch { throw Self.invalidParam(error, "start") }
        do { end = try Self.timeParam(p, "end", default: TimeParsing.maxTimeMs) } catch { throw Self.invalidParam(error, "end") }
        var sets: [[LabelMatcher]] = []
        for s in p.values("match[]") {
            do { sets.append(try evaluator.parseSelector(s)) } catch { throw Self.invalidParam(error, "match[]") }
        }
        do {
            try a.deleteSeries(matcherSets: sets, minTime: Swift.max(start, TimestampLimits.min),
                               maxTime: Swift.min(end, TimestampLimits.max))
        } catch {
            logger.error("delete_series failed", metadata: ["error": "\(error)"])
            throw APIError(.internal, "delete series failed")
        }
        return APIResponse(status: 204)
    }

    func cleanTombstones(_ t: TenantBundle) throws(APIError) -> APIResponse {
        let a = try admin(t)
        do { try a.cleanTombstones() } catch {
            logger.error("clean_tombstones failed", metadata: ["error": "\(error)"])
            throw APIError(.internal, "clean tombstones failed")
        }
        return APIResponse(status: 204)
    }

    func snapshot(_ r: APIRequest, _ t: TenantBundle) throws(APIError) -> APIResponse {
        let a = try admin(t)
        let p = try r.formParams()
        var skipHead = false
        let s = p.value("skip_head")
        if !s.isEmpty {
            guard let b = Self.parseGoBool(s) else {
                throw APIError.badData("unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing \(GoQuote.quote(s)): invalid syntax")
            }
            skipHead = b
        }
        let name: String
        do { name = try a.snapshot(skipHead: skipHead) } catch {
            logger.error("snapshot failed", metadata: ["error": "\(error)"])
            throw APIError(.internal, "create snapshot failed")
        }
        return .json(APIEnvelope.success { w in
            w.raw(#"{"name":"#)
            w.string(name)
            w.byte(UInt8(ascii: "}"))
        })
    }

    /// Go's `strconv.ParseBool`.
    static func parseGoBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }
}
