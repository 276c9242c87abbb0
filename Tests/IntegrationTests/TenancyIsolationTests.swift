import Foundation
import SundialCore
import SundialEncoding
import SundialHTTP
import SundialIngest
import SundialTestSupport
import SundialTSDB
import Testing

/// Two tenants writing overlapping series names through real HTTP on loopback into real
/// databases, in both isolation modes: every read endpoint shows each tenant only its own data, a
/// third tenant sees nothing, forged tenant labels are overwritten, requests without a valid
/// tenant are refused and write nothing, and a restart brings every tenant's data back.
@Suite(.serialized) struct TenancyIsolationTests {
    /// Minute-aligned, 10 minutes before now: samples every 30 s up to `base + 600 s` (so
    /// `/federate`'s 5-minute lookback from now still sees the last one).
    let base: Int64 = {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return now / 60_000 * 60_000 - 600_000
    }()
    var lastSeconds: Int64 { (base + 600_000) / 1000 }

    /// a: up{job="x",who="alpha"}=1, only_a=10; b: up{job="x",who="beta"}=2, only_b=20 and a
    /// series forging tenant_id="a". One request per tenant and 30 s step, in time order (in
    /// label mode both share one head, whose appendable window follows the newest sample).
    func writeTwoTenants(_ s: TenancyTestServer) async throws {
        for i in 0...20 {
            let t = base + Int64(i) * 30_000
            func one(_ v: Double) -> [RemoteWriteRequest.Sample] { [.init(value: v, timestamp: t)] }
            let a = RemoteWriteRequest(series: [
                .init(labels: [Label("__name__", "up"), Label("job", "x"), Label("who", "alpha")], samples: one(1)),
                .init(labels: [Label("__name__", "only_a"), Label("who", "alpha")], samples: one(10)),
            ], metadata: i > 0 ? [] : [MetricMetadata(metricFamily: "up", type: .gauge, help: "Up.", unit: ""),
                                       MetricMetadata(metricFamily: "only_a", type: .counter, help: "A's own.", unit: "")])
            let b = RemoteWriteRequest(series: [
                .init(labels: [Label("__name__", "up"), Label("job", "x"), Label("who", "beta")], samples: one(2)),
                .init(labels: [Label("__name__", "only_b"), Label("who", "beta")], samples: one(20)),
                .init(labels: [Label("__name__", "forged"), Label("tenant_id", "a"), Label("who", "beta")], samples: one(30)),
            ], metadata: i > 0 ? [] : [MetricMetadata(metricFamily: "only_b", type: .counter, help: "B's own.", unit: "")])
            let ra = try await s.write(a, headers: [("X-Scope-OrgID", "a")])
            #expect(ra.status == 204, "\(ra.text)")
            let rb = try await s.write(b, headers: [("X-Tenant-ID", "b")])
            #expect(rb.status == 204, "\(rb.text)")
        }
    }

    func get(_ s: TenancyTestServer, _ tenant: String, _ target: String) async throws -> (Int, String) {
        let r = try await s.client.get(target, headers: [("X-Scope-OrgID", tenant)])
        return (r.status, r.text)
    }

    func checkEveryReadEndpoint(_ s: TenancyTestServer, label: Bool) async throws {
        let t = lastSeconds
        // query
        var r = try await get(s, "a", "/api/v1/query?query=up&time=\(t)")
        #expect(r.0 == 200)
        #expect(r.1 == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x","who":"alpha"},"value":[\#(t),"1"]}]}}"#)
        r = try await get(s, "b", "/api/v1/query?query=sum(up)&time=\(t)")
        #expect(r.1.contains(#""value":[\#(t),"2"]"#), "\(r.1)")
        r = try await get(s, "c", "/api/v1/query?query=up&time=\(t)")
        #expect(r.1 == #"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
        r = try await get(s, "a", "/api/v1/query?query=count(%7B__name__%3D~%22.%2B%22%7D)&time=\(t)")
        #expect(r.1.contains(#""value":[\#(t),"2"]"#), "a has exactly two series: \(r.1)")
        // query_range
        r = try await get(s, "a", "/api/v1/query_range?query=up&start=\(t - 60)&end=\(t)&step=30")
        #expect(r.1.contains(#""who":"alpha""#) && !r.1.contains("beta") && !r.1.contains("tenant_id"), "\(r.1)")
        r = try await get(s, "c", "/api/v1/query_range?query=up&start=\(t - 60)&end=\(t)&step=30")
        #expect(r.1.contains(#""result":[]"#))
        // series
        r = try await get(s, "a", "/api/v1/series?match[]=up")
        #expect(r.1 == #"{"status":"success","data":[{"__name__":"up","job":"x","who":"alpha"}]}"#)
        r = try await get(s, "b", "/api/v1/series?match[]=up")
        #expect(r.1 == #"{"status":"success","data":[{"__name__":"up","job":"x","who":"beta"}]}"#)
        r = try await get(s, "c", "/api/v1/series?match[]=up")
        #expect(r.1 == #"{"status":"success","data":[]}"#)
        // labels
        r = try await get(s, "a", "/api/v1/labels")
        #expect(r.1 == #"{"status":"success","data":["__name__","job","who"]}"#)
        r = try await get(s, "c", "/api/v1/labels")
        #expect(r.1 == #"{"status":"success","data":[]}"#)
        // label values
        r = try await get(s, "a", "/api/v1/label/__name__/values")
        #expect(r.1 == #"{"status":"success","data":["only_a","up"]}"#)
        r = try await get(s, "b", "/api/v1/label/__name__/values")
        #expect(r.1 == #"{"status":"success","data":["forged","only_b","up"]}"#)
        r = try await get(s, "b", "/api/v1/label/who/values")
        #expect(r.1 == #"{"status":"success","data":["beta"]}"#)
        r = try await get(s, "a", "/api/v1/label/tenant_id/values")
        #expect(r.1 == #"{"status":"success","data":[]}"#)
        r = try await get(s, "c", "/api/v1/label/__name__/values")
        #expect(r.1 == #"{"status":"success","data":[]}"#)
        // metadata
        r = try await get(s, "a", "/api/v1/metadata")
        #expect(r.1.contains(#""only_a""#) && r.1.contains(#""up""#) && !r.1.contains("only_b"), "\(r.1)")
        r = try await get(s, "b", "/api/v1/metadata")
        #expect(r.1.contains(#""only_b""#) && !r.1.contains("only_a"), "\(r.1)")
        r = try await get(s, "c", "/api/v1/metadata")
        #expect(r.1 == #"{"status":"success","data":{}}"#)
        // status/tsdb
        r = try await get(s, "a", "/api/v1/status/tsdb")
        #expect(r.1.contains(#""numSeries":2,"#) && r.1.contains("only_a") && !r.1.contains("only_b")
            && !r.1.contains("tenant_id") && !r.1.contains("beta"), "\(r.1)")
        r = try await get(s, "c", "/api/v1/status/tsdb")
        #expect(r.1.contains(#""numSeries":0,"#), "\(r.1)")
        r = try await get(s, "b", "/api/v1/status/tsdb?match[]=up&focusLabel=who")
        #expect(r.1.contains(#""numSeries":1,"#) && r.1.contains(#""seriesCountByFocusLabelValue":[{"name":"beta","value":1}]"#)
            && !r.1.contains("tenant_id"), "\(r.1)")
        r = try await get(s, "b", "/api/v1/status/tsdb?match[]=up%7Btenant_id%3D%22a%22%7D")
        #expect(r.1.contains(#""numSeries":0,"#) && !r.1.contains("alpha"), "\(r.1)")
        // federate
        r = try await get(s, "a", "/federate?match[]=%7B__name__%3D~%22.%2B%22%7D")
        #expect(r.0 == 200 && r.1.contains(#"up{job="x",who="alpha"} 1"#) && r.1.contains("only_a")
            && !r.1.contains("beta") && !r.1.contains("tenant_id"), "\(r.1)")
        r = try await get(s, "c", "/federate?match[]=%7B__name__%3D~%22.%2B%22%7D")
        #expect(r.0 == 200 && r.1.isEmpty, "\(r.1)")
        // remote read (labels are plain strings in the decompressed protobuf)
        for (tenant, mine, other) in [("a", "alpha", "beta"), ("b", "beta", "alpha"), ("c", nil, "alpha")] as [(String, String?, String)] {
            let req = RemoteReadRequest(queries: [.init(startMs: base, endMs: base + 600_000,
                                                        matchers: [try LabelMatcher(.regexMatch, "__name__", ".+")])])
            let resp = try await s.client.request("POST", "/api/v1/read", headers: [
                ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"), ("X-Scope-OrgID", tenant),
            ], body: req.compressed())
            #expect(resp.status == 200)
            var out: [UInt8] = []
            try resp.body.withUnsafeBytes { try Snappy.decompress($0, into: &out) }
            let text = String(decoding: out, as: UTF8.self)
            if let mine { #expect(text.contains(mine), "\(tenant)") }
            #expect(!text.contains(other) && (!label || !text.contains("tenant_id")), "\(tenant)")
            if mine == nil { #expect(!text.contains("up")) }
        }
        // exemplars (not stored: every tenant gets an empty list)
        for tenant in ["a", "c"] {
            r = try await get(s, tenant, "/api/v1/query_exemplars?query=up")
            #expect(r == (200, #"{"status":"success","data":[]}"#))
        }
        // forged tenant_id (label mode): b's series belongs to b, without the label; a cannot read
        // it. In isolated mode tenant_id is an ordinary label of b's own data.
        r = try await get(s, "b", "/api/v1/series?match[]=forged")
        #expect(r.1 == (label ? #"{"status":"success","data":[{"__name__":"forged","who":"beta"}]}"#
            : #"{"status":"success","data":[{"__name__":"forged","tenant_id":"a","who":"beta"}]}"#))
        r = try await get(s, "a", "/api/v1/series?match[]=forged")
        #expect(r.1 == #"{"status":"success","data":[]}"#)
        r = try await get(s, "a", "/api/v1/query?query=%7Btenant_id%3D%22a%22%7D&time=\(t)")
        #expect(r.1.contains(#""result":[]"#), "\(r.1)")
        if label {
            r = try await get(s, "b", "/api/v1/query?query=up%7Btenant_id%3D%22a%22%7D&time=\(t)")
            #expect(r.1.contains(#""result":[]"#), "\(r.1)")
            r = try await get(s, "b", "/api/v1/query?query=%7Btenant_id%3D%22b%22%7D&time=\(t)")
            #expect(r.1.contains(#""result":[]"#), "\(r.1)")
        }
        if label, let db = s.shared {
            // In storage the forged value was replaced by the writer's tenant.
            let q = try db.querier(minTime: base, maxTime: base + 600_000)
            defer { q.close() }
            let forged = try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "forged")])
            #expect(forged.map(\.labels) == [Labels(["__name__": "forged", "tenant_id": "b", "who": "beta"])])
        }
    }

    @Test(arguments: [TenancyOptions.Storage.label, .isolated])
    func everyReadEndpointSeesOnlyItsTenant(_ mode: TenancyOptions.Storage) async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy")
        defer { dir.remove() }
        let s = try await TenancyTestServer(mode: mode, dir: dir.path)
        do {
            try await writeTwoTenants(s)
            try await checkEveryReadEndpoint(s, label: mode == .label)
            // Per-tenant counters on /metrics.
            let m = try await s.client.get("/metrics")
            #expect(m.text.contains(#"sundial_tenant_samples_ingested_total{tenant="a"} 42"#), "\(m.text)")
            #expect(m.text.contains(#"sundial_tenant_samples_ingested_total{tenant="b"} 63"#))
        } catch {
            try await s.stop()
            throw error
        }
        try await s.stop()
    }

    @Test(arguments: [TenancyOptions.Storage.label, .isolated])
    func adminDeleteTouchesOnlyItsTenant(_ mode: TenancyOptions.Storage) async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy-del")
        defer { dir.remove() }
        let s = try await TenancyTestServer(mode: mode, dir: dir.path)
        do {
            try await writeTwoTenants(s)
            try s.compact()  // deletes reach persisted blocks (the head keeps its samples)
            let range = "query=up&start=\(base / 1000)&end=\(lastSeconds)&step=30"
            func points(_ tenant: String) async throws -> Int {
                let (_, text) = try await get(s, tenant, "/api/v1/query_range?\(range)")
                return text.components(separatedBy: "],[").count
            }
            let a0 = try await points("a"), b0 = try await points("b")
            #expect(a0 >= 20 && b0 >= 20)
            let del = try await s.client.request("POST", "/api/v1/admin/tsdb/delete_series", headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("X-Scope-OrgID", "a"),
            ], body: Array("match[]=up&start=\(base / 1000)&end=\(lastSeconds)".utf8))
            #expect(del.status == 204, "\(del.text)")
            let a1 = try await points("a"), b1 = try await points("b")
            #expect(a1 < a0, "a's persisted samples are gone (\(a0) → \(a1))")
            #expect(b1 == b0, "b's are untouched")
            // Deleting another tenant's data by naming its label deletes nothing.
            let forged = try await s.client.request("POST", "/api/v1/admin/tsdb/delete_series", headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("X-Scope-OrgID", "a"),
            ], body: Array("match[]=up%7Btenant_id%3D%22b%22%7D".utf8))
            #expect(forged.status == 204)
            #expect(try await points("b") == b0)
        } catch {
            try await s.stop()
            throw error
        }
        try await s.stop()
    }

    @Test(arguments: [TenancyOptions.Storage.label, .isolated])
    func refusedTenantsWriteNothing(_ mode: TenancyOptions.Storage) async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy-bad")
        defer { dir.remove() }
        let s = try await TenancyTestServer(mode: mode, dir: dir.path)
        do {
            let req = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "m")], samples: [.init(value: 1, timestamp: base)])])
            var r = try await s.write(req, headers: [])
            #expect(r.status == 401 && r.text.contains("no tenant ID"), "\(r.text)")
            r = try await s.write(req, headers: [("X-Scope-OrgID", "../etc")])
            #expect(r.status == 400 && r.text.contains("invalid tenant ID"), "\(r.text)")
            r = try await s.write(req, headers: [("X-Scope-OrgID", "a"), ("X-Tenant-ID", "b")])
            #expect(r.status == 400, "\(r.text)")
            r = try await s.write(req, headers: [("X-Scope-OrgID", String(repeating: "x", count: 151))])
            #expect(r.status == 400)
            r = try await s.client.get("/api/v1/query?query=m")
            #expect(r.status == 401)
            // Nothing was written anywhere.
            if let db = s.shared { #expect(db.head.seriesCount == 0) }
            if let t = s.tenants { #expect(t.all().isEmpty) }
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.appending("tenants"))) ?? []).isEmpty)
            let refused = s.api.tenantMetrics.refusals
            #expect(refused["missing_tenant"] == 2 && refused["invalid_tenant"] == 2 && refused["conflicting_tenant"] == 1,
                    "\(refused)")
            // Probes and server-wide endpoints need no tenant.
            for path in ["/-/healthy", "/-/ready", "/metrics", "/api/v1/status/buildinfo", "/api/v1/status/flags", "/api/v1/status/runtimeinfo"] {
                #expect(try await s.client.get(path).status == 200, "\(path)")
            }
        } catch {
            try await s.stop()
            throw error
        }
        try await s.stop()
    }

    @Test(arguments: [TenancyOptions.Storage.label, .isolated])
    func restartBringsEveryTenantBack(_ mode: TenancyOptions.Storage) async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy-restart")
        defer { dir.remove() }
        var s = try await TenancyTestServer(mode: mode, dir: dir.path)
        try await writeTwoTenants(s)
        try await s.stop()
        s = try await TenancyTestServer(mode: mode, dir: dir.path)
        do {
            for (tenant, who) in [("a", "alpha"), ("b", "beta")] {
                let r = try await get(s, tenant, "/api/v1/series?match[]=up")
                #expect(r.1 == #"{"status":"success","data":[{"__name__":"up","job":"x","who":"\#(who)"}]}"#)
            }
        } catch {
            try await s.stop()
            throw error
        }
        try await s.stop()
    }

    @Test(arguments: [TenancyOptions.Storage.label, .isolated])
    func tenantsBeyondTheLimitAreRefused(_ mode: TenancyOptions.Storage) async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy-max")
        defer { dir.remove() }
        let s = try await TenancyTestServer(mode: mode, dir: dir.path, maxTenants: 2)
        do {
            let req = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "m")], samples: [.init(value: 1, timestamp: base)])])
            for tenant in ["a", "b"] { #expect(try await s.write(req, headers: [("X-Scope-OrgID", tenant)]).status == 204) }
            let r = try await s.write(req, headers: [("X-Scope-OrgID", "c")])
            #expect(r.status == 503 && r.text.contains("tenant limit reached: this server serves at most 2 tenants"), "\(r.text)")
            // Known tenants keep working.
            #expect(try await s.write(req, headers: [("X-Scope-OrgID", "a")]).status == 204)
            #expect(s.api.tenantMetrics.refusals["tenant_limit"] == 1)
            if let t = s.tenants { #expect(t.all().keys.sorted() == ["a", "b"]) }
        } catch {
            try await s.stop()
            throw error
        }
        try await s.stop()
    }
}
