import Foundation
import SundialCore
import SundialHTTP
import PromQLEngine
import SundialTestSupport
import Testing

/// The request sequence Grafana's Prometheus datasource sends (grafana/grafana `pkg/promlib`,
/// `packages/grafana-prometheus`; reference-brief §3), over real HTTP, checking the shapes it parses.
@Suite struct GrafanaTests {
    func json(_ r: ServerTestClient.Response) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
    }

    @Test func datasourceRequestSequence() async throws {
        let storage = MemoryStorage()
        let a = storage.appender()
        for i in 0..<10 {
            for job in ["node", "app"] {
                _ = try a.append(ref: .none, labels: Labels(["__name__": "up", "job": job]), timestamp: Int64(i) * 15_000, value: 1)
            }
        }
        a.appendMetadata(MetricMetadata(metricFamily: "up", type: .gauge, help: "Target up.", unit: ""))
        try a.commit()
        let server = try await ServerTestHarness(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage))
        defer { Task { await server.stop() } }
        let c = server.client

        // Health check: POST /api/v1/query with 1+1 at time=4 (healthcheck.go).
        var r = try await c.postForm("/api/v1/query", "query=1%2B1&time=4")
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/json")
        var j = try json(r)
        #expect(j["status"] as? String == "success")
        let data = try #require(j["data"] as? [String: Any])
        #expect(data["resultType"] as? String == "scalar")
        let result = try #require(data["result"] as? [Any])
        #expect(result.count == 2 && (result[0] as? Double) == 4 && (result[1] as? String) == "2")

        // Build info (heuristics.go): no "features" → plain Prometheus.
        r = try await c.get("/api/v1/status/buildinfo")
        j = try json(r)
        let bi = try #require(j["data"] as? [String: Any])
        #expect(bi["version"] as? String == "2.42.0")
        #expect(bi["features"] == nil)

        // Label names and values with match[] (language_provider.ts).
        r = try await c.get("/api/v1/labels?match[]=up&start=0&end=1000")
        #expect(try json(r)["data"] as? [String] == ["__name__", "job"])
        r = try await c.postForm("/api/v1/labels", "match%5B%5D=up&start=0&end=1000")
        #expect(try json(r)["data"] as? [String] == ["__name__", "job"])
        r = try await c.get("/api/v1/label/__name__/values?start=0&end=1000")
        #expect(try json(r)["data"] as? [String] == ["up"])
        r = try await c.get("/api/v1/label/job/values?match%5B%5D=up&start=0&end=1000&limit=40000")
        #expect(try json(r)["data"] as? [String] == ["app", "node"])

        // Series (SeriesApiClient fallback).
        r = try await c.postForm("/api/v1/series", "match%5B%5D=up&start=0&end=1000")
        let series = try #require(try json(r)["data"] as? [[String: String]])
        #expect(series == [["__name__": "up", "job": "app"], ["__name__": "up", "job": "node"]])

        // Metadata tooltips.
        r = try await c.get("/api/v1/metadata")
        let md = try #require(try json(r)["data"] as? [String: [[String: String]]])
        #expect(md["up"]?.first?["type"] == "gauge")
        #expect(md["up"]?.first?["help"] == "Target up.")

        // POST form query_range with step-aligned start/end (AlignTimeRange).
        r = try await c.postForm("/api/v1/query_range", "query=up&start=0&end=135&step=15")
        j = try json(r)
        let rd = try #require(j["data"] as? [String: Any])
        #expect(rd["resultType"] as? String == "matrix")
        let mat = try #require(rd["result"] as? [[String: Any]])
        #expect(mat.count == 2)
        let values = try #require(mat.first?["values"] as? [[Any]])
        #expect(values.count == 10)
        #expect(values.first?.first as? Double == 0)
        #expect(values.first?.last as? String == "1")

        // Exemplars probe with ms start/end (areExemplarsAvailable).
        r = try await c.get("/api/v1/query_exemplars?query=test&start=1700000000000&end=1700000060000")
        #expect(r.status == 200)
        #expect(try json(r)["status"] as? String == "success")

        // Rules (errors ignored by Grafana, but we answer).
        r = try await c.get("/api/v1/rules")
        #expect((try json(r)["data"] as? [String: Any])?["groups"] as? [Any] != nil)

        // Errors come as "<errorType>: <error>".
        r = try await c.postForm("/api/v1/query_range", "query=up&start=10&end=0&step=15")
        #expect(r.status == 400)
        j = try json(r)
        #expect(j["errorType"] as? String == "bad_data")
        #expect(j["error"] as? String == "end timestamp must not be before start time")
    }
}
