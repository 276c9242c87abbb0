import Foundation
import SundialCore
import SundialHTTP
import PromQLEngine
import SundialIngest
import SundialTestSupport
import Testing

/// Ingestion limits over real HTTP on loopback: a write of 10× the series limit gets exactly the
/// limit in, the rest refused with 400 and a message naming the limit; the rate limit answers 429
/// with `Retry-After`; counters per reason appear on `/metrics`; the server stays up.
@Suite struct LimitsTests {
    static let v1Headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
                            ("X-Prometheus-Remote-Write-Version", "0.1.0")]

    func seriesCount(_ c: ServerTestClient, _ metric: String) async throws -> Int {
        let r = try await c.get("/api/v1/series?match[]=\(metric)")
        let obj = try #require(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        return (obj["data"] as? [Any])?.count ?? -1
    }

    static func request(_ metric: String, series: Range<Int>, t: Timestamp, samples: Int = 1) -> [UInt8] {
        RemoteWriteRequest(series: series.map { i in
            .init(labels: [Label("__name__", metric), Label("i", "\(i)")],
                  samples: (0..<samples).map { .init(value: Double(i), timestamp: t + Int64($0) * 1000) })
        }).compressed(.v1)
    }

    @Test func tenTimesTheSeriesLimit() async throws {
        let limit = 100
        let storage = MemoryStorage()
        var options = APIOptions()
        options.remoteWrite.limits.maxSeries = limit
        options.remoteWrite.limits.maxLabelValueLength = 64
        let server = try await ServerTestHarness(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage), options: options)
        defer { Task { await server.stop() } }
        let c = server.client
        let t: Timestamp = 1_700_000_000_000

        // 10× the limit in one request: exactly `limit` series are written.
        var r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers,
                                    body: Self.request("lim", series: 0..<(10 * limit), t: t))
        #expect(r.status == 400)
        #expect(r.text.hasPrefix("900 of 1000 samples rejected: 900 max series limit; first: series 100 {__name__=\"lim\", i=\"100\"}: max series limit of 100 reached (limits.max_series); new series refused"), "\(r.text)")
        #expect(try await seriesCount(c, "lim") == limit)

        // The admitted series keep writing; more new series, in separate requests, are all refused.
        r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: Self.request("lim", series: 0..<limit, t: t + 15_000))
        #expect(r.status == 204)
        for k in 1..<10 {
            r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers,
                                    body: Self.request("other", series: (k * limit)..<((k + 1) * limit), t: t))
            #expect(r.status == 400)
            #expect(r.text.contains("max series limit of 100"))
        }
        #expect(try await seriesCount(c, "lim") == limit)
        #expect(try await seriesCount(c, "other") == 0)
        #expect(storage.seriesCount == limit)

        // A shape limit in the same server: 400 naming the limit, the value and the series.
        let long = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "lim"), Label("v", String(repeating: "x", count: 65))],
                                                     samples: [.init(value: 1, timestamp: t)])]).compressed(.v1)
        r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: long)
        #expect(r.status == 400)
        #expect(r.text.contains("value of label \"v\" (65 bytes) is longer than 64 bytes (limits.max_label_value_length)"), "\(r.text)")

        #expect(try await c.get("/-/healthy").status == 200)
        let m = try await c.get("/metrics")
        #expect(m.text.contains(#"sundial_samples_rejected_total{reason="per_instance_series_limit"} 1800"#), "\(m.text)")
        #expect(m.text.contains(#"sundial_samples_rejected_total{reason="label_value_too_long"} 1"#))
        #expect(m.text.contains("sundial_samples_ingested_total 200"))
        #expect(m.text.contains("sundial_limits_active_series 100"))
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        let storage = MemoryStorage()
        var options = APIOptions()
        options.remoteWrite.limits.ingestionRate = 1
        options.remoteWrite.limits.ingestionBurst = 100
        let server = try await ServerTestHarness(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage), options: options)
        defer { Task { await server.stop() } }
        let c = server.client
        let t: Timestamp = 1_700_000_000_000
        var r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: Self.request("rl", series: 0..<80, t: t))
        #expect(r.status == 204)
        r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: Self.request("rl", series: 80..<160, t: t))
        #expect(r.status == 429)
        #expect(r.text.contains("ingestion rate limit of 1.0 samples/s with burst 100"), "\(r.text)")
        let retry = Int(r.header("Retry-After") ?? "") ?? 0
        #expect(retry >= 50 && retry <= 60, "Retry-After \(String(describing: r.header("Retry-After")))")
        #expect(try await seriesCount(c, "rl") == 80)
        #expect(try await c.get("/-/healthy").status == 200)
        let m = try await c.get("/metrics")
        #expect(m.text.contains(#"sundial_samples_rejected_total{reason="rate_limited"} 80"#))
        #expect(m.text.contains(#"sundial_http_requests_total{code="429",handler="/api/v1/write"} 1"#))
        #expect(!m.text.contains("sundial_limits_active_series"))  // no series limit set
    }

    /// The `sundial serve` binary: limits from the config file and flags reach the receiver.
    @Test(.enabled(if: ServerProcess.binaryExists, "needs the sundial binary (swift build --build-tests builds it)"))
    func serveFlagsAndConfigFile() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-limits")
        defer { dir.remove() }
        let port = try ServerProcess.freePort()
        try """
            storage:
              path: \(dir.appending("data"))
            web:
              listen_address: 127.0.0.1:\(port)
            limits:
              max_series_per_metric: 3
              max_label_value_length: 32
            """.write(toFile: dir.appending("sundial.yml"), atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(["serve", "--config.file", dir.appending("sundial.yml"), "--limits.max-series", "5"], port: port)
        defer { server.terminate() }
        let c = ServerTestClient(port: port)
        let t: Timestamp = 1_700_000_000_000
        var r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: Self.request("a", series: 0..<10, t: t))
        #expect(r.status == 400)
        #expect(r.text.contains("7 max series per metric limit"), "\(r.text)")
        r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: Self.request("b", series: 0..<10, t: t))
        #expect(r.status == 400)
        #expect(r.text.contains("8 max series limit"), "\(r.text)")
        #expect(try await seriesCount(c, "a") == 3)
        #expect(try await seriesCount(c, "b") == 2)
        r = try await c.get("/api/v1/status/flags")
        #expect(r.text.contains(#""limits.max-series":"5""#), "\(r.text)")
        #expect(r.text.contains(#""limits.max-series-per-metric":"3""#), "\(r.text)")
        #expect(server.terminate() == 0)

        let bad = try ServerProcess.run(["serve", "--data-dir", dir.appending("d"), "--limits.max-series=-1"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("limits: max series must not be negative"), "\(bad.stderr)")
    }
}
