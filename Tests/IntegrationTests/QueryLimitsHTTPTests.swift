import Foundation
import PromQLEngine
import SundialCore
import SundialHTTP
import SundialTestSupport
import Testing

/// Query limits over real HTTP on loopback: every limit answers with Prometheus's error envelope,
/// status and type (`execution` 422, `timeout` 503) and a message naming the limit; a query under
/// the limits answers exactly as without them.
@Suite struct QueryLimitsHTTPTests {
    /// `m{i="0"}` … `m{i="<n-1>"}` every 15 s over 10 minutes.
    static func storage(series: Int) throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for t in stride(from: Int64(0), through: 600_000, by: 15_000) {
            for i in 0..<series {
                _ = try app.append(ref: .none, labels: Labels(["__name__": "m", "i": "\(i)"]), timestamp: t, value: Double(i))
            }
        }
        try app.commit()
        return s
    }

    static let limits = QueryLimits(timeout: .seconds(60), maxSamples: 500, maxSeries: 20, maxRangeMs: 3_600_000,
                                    maxSelectorRangeMs: 86_400_000, maxSteps: 200)

    func withServer(_ limits: QueryLimits, series: Int = 10,
                    _ body: (ServerTestClient) async throws -> Void) async throws {
        let storage = try Self.storage(series: series)
        let engine = Engine()
        let server = try await ServerTestHarness(storage: storage,
                                                 evaluator: EngineEvaluator(engine: engine, storage: storage,
                                                                            limiter: QueryLimiter(limits)))
        do {
            try await body(server.client)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func expectError(_ r: ServerTestClient.Response, status: Int, type: String, message: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(r.status == status, "\(r.text)", sourceLocation: sourceLocation)
        let obj = try #require(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], sourceLocation: sourceLocation)
        #expect(obj["status"] as? String == "error", sourceLocation: sourceLocation)
        #expect(obj["errorType"] as? String == type, sourceLocation: sourceLocation)
        #expect(obj["error"] as? String == message, sourceLocation: sourceLocation)
    }

    @Test func eachLimitTripsWithItsStatusTypeAndMessage() async throws {
        try await withServer(Self.limits, series: 30) { c in
            // 30 series selected > 20.
            try expectError(try await c.get("/api/v1/query?query=sum(m)&time=600"), status: 422, type: "execution",
                            message: "query processing would select too many series: more than 20 series (query.max-series)")
            // 20 series × 41 steps = 820 samples > 500 (series limit not hit).
            try expectError(try await c.get("/api/v1/query_range?query=m%7Bi%3D~%221.%7C2.%22%7D&start=0&end=600&step=15"),
                            status: 422, type: "execution",
                            message: "query processing would load too many samples into memory in query execution")
            try expectError(try await c.get("/api/v1/query_range?query=m%7Bi%3D%221%22%7D&start=0&end=7200&step=60"),
                            status: 422, type: "execution",
                            message: "query range of 2h exceeds the limit of 1h (query.max-range)")
            try expectError(try await c.get("/api/v1/query_range?query=m%7Bi%3D%221%22%7D&start=0&end=3600&step=15"),
                            status: 422, type: "execution",
                            message: "query would evaluate 241 points per series, above the limit of 200 (query.max-steps); increase the step or shorten the range")
            try expectError(try await c.postForm("/api/v1/query", "query=rate(m%7Bi%3D%221%22%7D%5B2d%5D)&time=600"),
                            status: 422, type: "execution",
                            message: "range selector [2d] exceeds the limit of 1d (query.max-selector-range)")
            // Prometheus's own fixed cap stays a bad_data error before any engine limit.
            try expectError(try await c.get("/api/v1/query_range?query=m&start=0&end=3600&step=0.1"),
                            status: 400, type: "bad_data",
                            message: "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
    }

    @Test func timeoutIsA503() async throws {
        var limits = Self.limits
        limits.timeout = .nanoseconds(1)
        limits.maxSeries = 0
        limits.maxSamples = 0
        try await withServer(limits, series: 600) { c in
            try expectError(try await c.get("/api/v1/query?query=m&time=600"), status: 503, type: "timeout",
                            message: "query timed out in query execution")
        }
    }

    @Test func queryUnderTheLimitsIsUnchanged() async throws {
        let storage = try Self.storage(series: 10)
        let free = try await ServerTestHarness(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage))
        let limited = try await ServerTestHarness(storage: storage,
                                                  evaluator: EngineEvaluator(engine: Engine(), storage: storage,
                                                                             limiter: QueryLimiter(Self.limits)))
        for q in ["/api/v1/query?query=sum%20by%20(i)%20(rate(m%5B5m%5D))&time=600",
                  "/api/v1/query_range?query=m%7Bi%3D~%221%7C2%22%7D&start=0&end=600&step=15",
                  "/api/v1/query_range?query=max_over_time(m%5B1h%3A1m%5D)&start=0&end=600&step=60"] {
            let a = try await free.client.get(q)
            let b = try await limited.client.get(q)
            #expect(a.status == 200)
            #expect(a.text == b.text, "\(q)")
        }
        await free.stop()
        await limited.stop()
    }
}
