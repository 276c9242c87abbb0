import Foundation
import SundialCore
import SundialEncoding
import SundialHTTP
import PromQLEngine
import SundialIngest
import SundialTestSupport
import Testing

/// Real HTTP over loopback: remote write → query round trip, and bad input of every kind gets the
/// right status and message while the server stays up and earlier data stays intact.
@Suite struct ServerBadInputTests {
    static let v1Headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
                            ("X-Prometheus-Remote-Write-Version", "0.1.0")]

    func json(_ r: ServerTestClient.Response) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
    }

    func seriesCount(_ c: ServerTestClient, _ metric: String) async throws -> Int {
        let r = try await c.get("/api/v1/series?match[]=\(metric)")
        return (try json(r)["data"] as? [Any])?.count ?? -1
    }

    @Test func writeThenQueryAndSurviveBadInput() async throws {
        let storage = MemoryStorage()
        var options = APIOptions()
        options.maxBodyBytes = 64 << 10
        let server = try await ServerTestHarness(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage), options: options)
        defer { Task { await server.stop() } }
        let c = server.client

        // A good write, then read it back through the query API.
        let good = RemoteWriteRequest(series: (0..<3).map { i in
            .init(labels: [Label("__name__", "rt_metric"), Label("i", "\(i)")],
                  samples: [.init(value: Double(i), timestamp: 1_000_000), .init(value: Double(i) + 0.5, timestamp: 1_015_000)])
        })
        var r = try await c.request("POST", "/api/v1/write", headers: Self.v1Headers, body: good.compressed(.v1))
        #expect(r.status == 204)
        r = try await c.get("/api/v1/query?query=rt_metric&time=1015")
        let res = try #require((try json(r)["data"] as? [String: Any])?["result"] as? [[String: Any]])
        #expect(res.count == 3)
        #expect((res.first?["value"] as? [Any])?.last as? String == "0.5")

        // Bad inputs.
        let valid = good.compressed(.v1)
        let cases: [(String, [(String, String)], [UInt8], Int)] = [
            ("garbage snappy", Self.v1Headers, [0xde, 0xad, 0xbe, 0xef, 0x00, 0x11], 400),
            ("truncated snappy", Self.v1Headers, Array(valid.prefix(10)), 400),
            ("garbage protobuf", Self.v1Headers, Snappy.compress([0x0a, 0x7f, 0x01, 0x02]), 400),
            ("json content type", [("Content-Type", "application/json"), ("Content-Encoding", "snappy")], valid, 415),
            ("gzip encoding", [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "gzip")], valid, 415),
            ("oversize body", Self.v1Headers, [UInt8](repeating: 7, count: 100 << 10), 413),
        ]
        for (name, headers, body, status) in cases {
            let resp = try await c.request("POST", "/api/v1/write", headers: headers, body: body)
            #expect(resp.status == status, "\(name): \(resp.status) \(resp.text)")
            #expect(!resp.text.isEmpty, "\(name) has a message")
        }

        // Malformed query parameters.
        let queries: [(String, Int, String)] = [
            ("/api/v1/query?query=rt_metric&time=yesterday", 400, "Invalid time value for 'time'"),
            ("/api/v1/query_range?query=rt_metric&start=1&end=0&step=1", 400, "end timestamp must not be before start time"),
            ("/api/v1/query_range?query=rt_metric&start=0&end=1&step=-1", 400, "zero or negative query resolution"),
            ("/api/v1/query_range?query=rt_metric&start=0&end=100000&step=1", 400, "exceeded maximum resolution of 11,000 points"),
            ("/api/v1/series", 400, "no match[] parameter provided"),
            ("/api/v1/label/a-b/values", 400, "invalid label name"),
            ("/api/v1/labels?match[]=%zz", 400, "invalid URL escape"),
            ("/api/v1/labels?limit=-3", 400, "limit"),
        ]
        for (target, status, message) in queries {
            let resp = try await c.get(target)
            #expect(resp.status == status, "\(target)")
            #expect(resp.text.contains(message), "\(target): \(resp.text)")
        }

        // Not HTTP at all: the connection is dropped or answered 400; the server keeps serving.
        _ = try? await c.raw(Array("NOT HTTP\r\n\r\n\u{0}\u{1}".utf8))

        // Still up, earlier data intact.
        #expect(try await c.get("/-/healthy").status == 200)
        #expect(try await seriesCount(c, "rt_metric") == 3)
        let m = try await c.get("/metrics")
        #expect(m.text.contains(#"sundial_http_requests_total{code="413",handler="/api/v1/write"} 1"#))
        #expect(m.text.contains("sundial_samples_ingested_total 6"))
    }
}
