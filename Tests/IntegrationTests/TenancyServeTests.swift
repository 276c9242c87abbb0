import Foundation
import SundialCore
import SundialIngest
import SundialTestSupport
import Testing

/// `sundial serve` with tenancy and authentication from a config file, end to end: bearer and
/// basic credentials (wrong → 401 with `WWW-Authenticate`, a tenant's token naming another tenant →
/// 403, admin may name any tenant and use the admin API, a tenant may not), secrets redacted in
/// `/api/v1/status/config`, and a restart (SIGTERM, start again) bringing every tenant's data back
/// in both storage modes.
@Suite(.serialized, .enabled(if: ServerProcess.binaryExists, "needs the sundial binary (swift build --build-tests builds it)"))
struct TenancyServeTests {
    static let headers = TenancyTestServer.v1Headers

    func config(dir: TemporaryDirectory, port: Int, storage: String) throws -> String {
        try "admin-secret\n".write(toFile: dir.appending("admin.token"), atomically: true, encoding: .utf8)
        let text = """
            storage:
              path: \(dir.appending("data"))
              wal_fsync: never
            web:
              listen_address: 127.0.0.1:\(port)
              enable_admin_api: true
            log:
              level: warn
            tenancy:
              mode: header
              storage: \(storage)
              limits_overrides:
                b:
                  max_series: 1
              query_overrides:
                q:
                  max_series: 1
            auth:
              bearer_tokens:
                - token: token-of-a
                  tenant: a
                - token_file: \(dir.appending("admin.token"))
                  admin: true
              basic_users:
                - username: bob
                  password: bobs-password
                  tenant: b
            """
        let path = dir.appending("sundial.yml")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func write(_ c: ServerTestClient, _ name: String, _ extra: [(String, String)], t: Int64) async throws -> ServerTestClient.Response {
        let req = RemoteWriteRequest(series: [.init(labels: [Label("__name__", name)], samples: [.init(value: 7, timestamp: t)])])
        return try await c.request("POST", "/api/v1/write", headers: Self.headers + extra, body: req.compressed(.v1))
    }

    @Test(arguments: ["label", "isolated"])
    func authenticationAndRestart(_ storage: String) async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy-serve")
        defer { dir.remove() }
        let port = try ServerProcess.freePort()
        let file = try config(dir: dir, port: port, storage: storage)
        var server = try ServerProcess.start(["serve", "--config.file", file], port: port)
        let c = ServerTestClient(port: port)
        let t: Int64 = 1_000_000
        let bearerA = ("Authorization", "Bearer token-of-a")
        let admin = ("Authorization", "Bearer admin-secret")
        let bob = ("Authorization", "Basic " + Data("bob:bobs-password".utf8).base64EncodedString())

        // No credentials / wrong ones: 401 with the challenges; nothing written.
        var r = try await write(c, "m_a", [("X-Scope-OrgID", "a")], t: t)
        #expect(r.status == 401)
        #expect(r.headers.filter { $0.0.lowercased() == "www-authenticate" }.map(\.1).sorted()
            == [#"Basic realm="sundial", charset="UTF-8""#, #"Bearer realm="sundial""#])
        r = try await write(c, "m_a", [("Authorization", "Bearer token-of-b")], t: t)
        #expect(r.status == 401)
        r = try await write(c, "m_a", [("Authorization", "Basic " + Data("bob:wrong".utf8).base64EncodedString())], t: t)
        #expect(r.status == 401)
        // The probes stay open.
        #expect(try await c.get("/-/healthy").status == 200)
        // A tenant's token acts as its tenant (no header needed); naming another tenant → 403.
        r = try await write(c, "m_a", [bearerA], t: t)
        #expect(r.status == 204, "\(r.text)")
        r = try await write(c, "m_a", [bearerA, ("X-Scope-OrgID", "b")], t: t)
        #expect(r.status == 403, "\(r.text)")
        r = try await write(c, "m_b", [bob], t: t)
        #expect(r.status == 204, "\(r.text)")
        // b's override: max_series 1.
        r = try await write(c, "m_b2", [bob], t: t)
        #expect(r.status == 400 && r.text.contains("max series limit of 1"), "\(r.text)")
        // Admin may name any tenant, and needs one.
        r = try await write(c, "m_c", [admin, ("X-Scope-OrgID", "c")], t: t)
        #expect(r.status == 204, "\(r.text)")
        r = try await c.get("/api/v1/series?match[]=m_a", headers: [admin])
        #expect(r.status == 401 && r.text.contains("no tenant ID"), "\(r.text)")
        r = try await c.get("/api/v1/label/__name__/values", headers: [admin, ("X-Scope-OrgID", "b")])
        #expect(r.text == #"{"status":"success","data":["m_b"]}"#, "\(r.text)")
        r = try await c.get("/api/v1/label/__name__/values", headers: [bearerA])
        #expect(r.text == #"{"status":"success","data":["m_a"]}"#, "\(r.text)")
        // q's query override: max_series 1 (c, without an override, may select two series).
        for tenant in ["q", "c"] {
            r = try await write(c, "m_q", [admin, ("X-Scope-OrgID", tenant)], t: t)
            #expect(r.status == 204, "\(r.text)")
        }
        r = try await c.get("/api/v1/query?query=%7B__name__%3D~%22m_.%2A%22%7D&time=1000", headers: [admin, ("X-Scope-OrgID", "q")])
        #expect(r.status == 200, "one series is within q's limit: \(r.text)")
        r = try await write(c, "m_q2", [admin, ("X-Scope-OrgID", "q")], t: t)
        r = try await c.get("/api/v1/query?query=%7B__name__%3D~%22m_.%2A%22%7D&time=1000", headers: [admin, ("X-Scope-OrgID", "q")])
        #expect(r.status == 422 && r.text.contains("query.max-series"), "\(r.text)")
        r = try await c.get("/api/v1/query?query=%7B__name__%3D~%22m_.%2A%22%7D&time=1000", headers: [admin, ("X-Scope-OrgID", "c")])
        #expect(r.status == 200, "\(r.text)")
        // Admin endpoints: admin only.
        r = try await c.postForm("/api/v1/admin/tsdb/delete_series", "match[]=m_a")
        #expect(r.status == 401)
        r = try await c.request("POST", "/api/v1/admin/tsdb/delete_series", headers: [
            bearerA, ("Content-Type", "application/x-www-form-urlencoded"),
        ], body: Array("match[]=m_a".utf8))
        #expect(r.status == 403, "\(r.text)")
        // The configuration (it names every tenant) is for admins; secrets are never shown.
        r = try await c.get("/api/v1/status/config", headers: [bearerA])
        #expect(r.status == 403)
        r = try await c.get("/api/v1/status/config", headers: [admin])
        #expect(r.status == 200 && r.text.contains(#"token: \u003csecret\u003e"#) && !r.text.contains("token-of-a")
            && !r.text.contains("admin-secret") && !r.text.contains("bobs-password"), "\(r.text)")
        #expect(r.text.contains("storage: \(storage)"))
        r = try await c.get("/metrics", headers: [admin])
        #expect(r.text.contains(#"sundial_tenant_samples_ingested_total{tenant="a"} 1"#), "\(r.text)")
        #expect(r.text.contains(#"sundial_requests_refused_total{reason="unauthenticated"} "#))

        #expect(server.terminate() == 0)
        let log = server.stderr()
        #expect(!log.contains("token-of-a") && !log.contains("bobs-password") && !log.contains("admin-secret"))
        #expect(log.contains("request refused"), "audit lines: \(log)")
        #expect(log.contains("127.0.0.1:") && log.contains("unauthenticated") && log.contains("/api/v1/write"), "\(log)")
        if storage == "isolated" {
            for tenant in ["a", "b", "c"] {
                #expect(FileManager.default.fileExists(atPath: dir.appending("data/tenants/\(tenant)/wal")), "\(tenant)")
            }
        }

        // Restart: every tenant's data is back.
        server = try ServerProcess.start(["serve", "--config.file", file], port: port)
        for (tenant, metric) in [("a", "m_a"), ("b", "m_b"), ("c", "m_c")] {
            r = try await c.get("/api/v1/query?query=\(metric)&time=1000", headers: [admin, ("X-Scope-OrgID", tenant)])
            #expect(r.text.contains(#""value":[1000,"7"]"#), "\(tenant): \(r.text)")
            r = try await c.get("/api/v1/series?match[]=\(metric)", headers: [admin, ("X-Scope-OrgID", tenant)])
            #expect(r.text == #"{"status":"success","data":[{"__name__":"\#(metric)"}]}"#, "\(tenant): \(r.text)")
        }
        #expect(server.terminate() == 0)
    }

    @Test func badTenancyConfigurationIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "sundial-tenancy-badcfg")
        defer { dir.remove() }
        let cases: [(String, String)] = [
            ("tenancy:\n  mode: cookie\n", "invalid tenancy mode"),
            ("tenancy:\n  storage: shared\n", "expected isolated or label"),
            ("tenancy:\n  label_name: 1bad\n", "invalid tenancy.label_name"),
            ("tenancy:\n  limits_overrides:\n    a/b:\n      max_series: 1\n", "tenant ID contains '/'"),
            ("tenancy:\n  limits_overrides:\n    a:\n      max_serie: 1\n", "unknown setting tenancy.limits_overrides.a.max_serie"),
            ("auth:\n  bearer_tokens:\n    - token: x\n", "needs tenant: <id> or admin: true"),
            ("auth:\n  bearer_tokens:\n    - token: x\n      tenant: a\n      admin: true\n", "has both tenant and admin"),
            ("auth:\n  bearer_tokens:\n    - token_file: /nonexistent/t\n      admin: true\n", "cannot read /nonexistent/t"),
            ("auth:\n  basic_users:\n    - username: u\n      tenant: a\n", "needs password or password_file"),
            ("auth:\n  tokens: []\n", "unknown setting auth.tokens"),
            ("tenancy:\n  query_overrides:\n    a:\n      max_series: -1\n", "tenancy.query_overrides.a: query max series must not be negative"),
            ("tenancy:\n  query_overrides:\n    a:\n      timeout: soon\n", "invalid duration"),
        ]
        for (i, (yaml, message)) in cases.enumerated() {
            let f = dir.appending("c\(i).yml")
            try yaml.write(toFile: f, atomically: true, encoding: .utf8)
            let r = try ServerProcess.run(["serve", "--config.file", f, "--data-dir", dir.appending("d")])
            #expect(r.status != 0)
            #expect(r.stderr.contains(message), "\(yaml): \(r.stderr)")
        }
    }
}
