import Logging
import SundialCore
import SundialTestSupport
import Testing
@testable import SundialHTTP

/// The pure parts of tenancy: tenant ID rules, header resolution, SHA-256, base64, the
/// authenticator, and the label-mode storage view over an in-memory storage.
@Suite struct TenancyUnitTests {
    @Test func tenantIDRules() {
        for ok in ["a", "team-1", "A.b_c", "x!*'()", String(repeating: "z", count: 150)] {
            #expect(TenantID.validationError(ok) == nil, "\(ok)")
        }
        #expect(TenantID.validationError("") == "tenant ID is empty")
        #expect(TenantID.validationError(".") != nil)
        #expect(TenantID.validationError("..") != nil)
        #expect(TenantID.validationError(String(repeating: "z", count: 151))?.contains("151 bytes") == true)
        #expect(TenantID.validationError("a/b")?.contains("'/'") == true)
        #expect(TenantID.validationError("a|b") != nil)
        #expect(TenantID.validationError("a b") != nil)
        #expect(TenantID.validationError("é")?.contains("byte 0x") == true)
    }

    @Test func headerResolution() throws {
        #expect(try TenantResolution.tenant(header: "a", alias: nil, role: nil) == "a")
        #expect(try TenantResolution.tenant(header: nil, alias: "b", role: nil) == "b")
        #expect(try TenantResolution.tenant(header: "a", alias: "a", role: nil) == "a")
        #expect(try TenantResolution.tenant(header: nil, alias: nil, role: .tenant("t")) == "t")
        #expect(try TenantResolution.tenant(header: "t", alias: nil, role: .tenant("t")) == "t")
        #expect(try TenantResolution.tenant(header: "x", alias: nil, role: .admin) == "x")
        func refusal(_ h: String?, _ a: String?, _ r: AuthRole?) -> (Int, String)? {
            do {
                _ = try TenantResolution.tenant(header: h, alias: a, role: r)
                return nil
            } catch {
                return (error.status, error.reason)
            }
        }
        #expect(refusal(nil, nil, nil)! == (401, "missing_tenant"))
        #expect(refusal(nil, nil, .admin)! == (401, "missing_tenant"))
        #expect(refusal("a", "b", nil)! == (400, "conflicting_tenant"))
        #expect(refusal("a/b", nil, nil)! == (400, "invalid_tenant"))
        #expect(refusal("", nil, nil)! == (400, "invalid_tenant"))
        #expect(refusal("other", nil, .tenant("t"))! == (403, "forbidden"))
    }

    /// FIPS 180-4 examples (and the NIST two-block message).
    @Test func sha256Vectors() {
        func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        #expect(hex(SHA256.hash("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1000)))
            == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        #expect(SHA256.constantTimeEqual([1, 2], [1, 2]))
        #expect(!SHA256.constantTimeEqual([1, 2], [1, 3]))
        #expect(!SHA256.constantTimeEqual([1, 2], [1]))
    }

    @Test func base64() {
        #expect(Base64.decode(Array("dXNlcjpwYXNz".utf8)) == Array("user:pass".utf8))
        #expect(Base64.decode(Array("YQ==".utf8)) == Array("a".utf8))
        #expect(Base64.decode(Array("YWI=".utf8)) == Array("ab".utf8))
        #expect(Base64.decode(Array("YWI".utf8)) == Array("ab".utf8))
        #expect(Base64.decode(Array("Y".utf8)) == nil)
        #expect(Base64.decode(Array("YQ==YQ".utf8)) == nil)
        #expect(Base64.decode(Array("a b".utf8)) == nil)
    }

    @Test func authenticator() {
        let a = Authenticator(AuthOptions(
            bearerTokens: [.init(token: "tok-a", role: .tenant("a")), .init(token: "root", role: .admin)],
            basicUsers: [.init(username: "bob", password: "pw:with:colons", role: .tenant("b"))]))
        #expect(a.authenticate("Bearer tok-a") == .tenant("a"))
        #expect(a.authenticate("bearer   root") == .admin)
        #expect(a.authenticate("Bearer tok-b") == nil)
        #expect(a.authenticate("Bearer tok-a ") == nil)
        #expect(a.authenticate("Bearer ") == nil)
        #expect(a.authenticate(nil) == nil)
        #expect(a.authenticate("tok-a") == nil)
        // bob:pw:with:colons
        #expect(a.authenticate("Basic Ym9iOnB3OndpdGg6Y29sb25z") == .tenant("b"))
        #expect(a.authenticate("Basic Ym9iOnB3") == nil)  // bob:pw
        #expect(a.authenticate("Basic !!!") == nil)
        #expect(a.challenges == [#"Bearer realm="sundial""#, #"Basic realm="sundial", charset="UTF-8""#])
    }

    func sharedStorage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for (tenant, job, v) in [("a", "x", 1.0), ("a", "y", 2.0), ("b", "x", 3.0)] {
            _ = try app.append(ref: .none, labels: Labels(["__name__": "up", "job": job, "tenant_id": tenant]), timestamp: 1000, value: v)
        }
        // Sorting trap: {a, s, tenant_id} sorts before {a, tenant_id} with the label, after without it.
        _ = try app.append(ref: .none, labels: Labels(["a": "1", "s": "2", "tenant_id": "a"]), timestamp: 1000, value: 4)
        _ = try app.append(ref: .none, labels: Labels(["a": "1", "tenant_id": "a"]), timestamp: 1000, value: 5)
        try app.commit()
        return s
    }

    @Test func labelViewScopesAndStrips() throws {
        let s = try sharedStorage()
        let a = LabelTenantStorage(base: s, labelName: "tenant_id", tenant: "a")
        let q = try a.querier(minTime: 0, maxTime: 10_000)
        defer { q.close() }
        let up = try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "up")])
        #expect(up.map(\.labels) == [Labels(["__name__": "up", "job": "x"]), Labels(["__name__": "up", "job": "y"])])
        let all = try q.select(sorted: true, hints: nil, matchers: [.equal("a", "1")])
        #expect(all.map(\.labels) == [Labels(["a": "1"]), Labels(["a": "1", "s": "2"])])
        // A matcher on the tenant label is judged against "" (the label does not exist for the tenant).
        #expect(try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "up"), .equal("tenant_id", "b")]).isEmpty)
        #expect(try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "up"), .equal("tenant_id", "a")]).isEmpty)
        #expect(try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "up"), .equal("tenant_id", "")]).count == 2)
        #expect(try q.labelNames(matchers: []) == ["__name__", "a", "job", "s"])
        #expect(try q.labelValues(name: "job", matchers: []) == ["x", "y"])
        #expect(try q.labelValues(name: "tenant_id", matchers: []) == [])
        let c = try LabelTenantStorage(base: s, labelName: "tenant_id", tenant: "c").querier(minTime: 0, maxTime: 10_000)
        #expect(try c.select(sorted: false, hints: nil, matchers: [.equal("__name__", "up")]).isEmpty)
        #expect(try c.labelNames(matchers: []) == [])
        var buf = SampleBuffer()
        try up[1].samples(minTime: 0, maxTime: 10_000, into: &buf)
        #expect(buf.values == [2])
    }

    /// Authentication without tenancy: any valid credential reads the single storage, admin
    /// endpoints and the configuration need admin credentials, the probes none.
    @Test func authWithoutTenancy() async throws {
        let storage = try sharedStorage()
        var options = APIOptions()
        options.enableAdminAPI = true
        options.auth = AuthOptions(bearerTokens: [.init(token: "t", role: .tenant("a")), .init(token: "root", role: .admin)])
        let api = API(storage: storage, evaluator: FakeEvaluator(), options: options,
                      metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
        func get(_ path: String, _ query: String = "", auth: String?) async -> APIResponse {
            await api.handle(APIRequest(method: "GET", path: path, query: query,
                                        headers: auth.map { [("Authorization", "Bearer \($0)")] } ?? []))
        }
        #expect(await get("/api/v1/labels", auth: nil).status == 401)
        #expect(await get("/api/v1/labels", auth: nil).header("WWW-Authenticate") == #"Bearer realm="sundial""#)
        #expect(await get("/api/v1/labels", auth: "wrong").status == 401)
        let r = await get("/api/v1/label/tenant_id/values", auth: "t")
        #expect(r.status == 200 && String(decoding: r.body, as: UTF8.self).contains(#""a","b""#))
        #expect(await get("/api/v1/status/config", auth: "t").status == 403)
        #expect(await get("/api/v1/status/config", auth: "root").status == 200)
        let del = await api.handle(APIRequest(method: "POST", path: "/api/v1/admin/tsdb/delete_series", query: "match[]=up",
                                              headers: [("Authorization", "Bearer t")]))
        #expect(del.status == 403)
        #expect(await get("/-/healthy", auth: nil).status == 200)
        #expect(api.tenantMetrics.refusals == ["unauthenticated": 3, "forbidden": 2])
    }
}
