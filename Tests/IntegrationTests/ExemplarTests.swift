import Foundation
import SundialCore
import SundialIngest
import SundialTestSupport
import Testing

/// Exemplars side by side with Prometheus 2.42 (`--enable-feature=exemplar-storage`,
/// `--web.enable-remote-write-receiver`): the same remote-write 1.0 requests (in-order, duplicate,
/// out-of-order, too-long and empty-valued exemplar labels, an exemplar of an unknown series) go to
/// both, then `/api/v1/query_exemplars` answers (GET and form POST) must carry the same `data`,
/// also after Sundial restarts (WAL replay). Remote write 2.0 (Sundial only; 2.42 has none) reports
/// the exemplars written in `X-Prometheus-Remote-Write-Exemplars-Written`.
@Suite(.serialized, .enabled(if: ScrapeTools.available, "needs prometheus and the sundial binary"))
struct ExemplarTests {
    static let v2Headers = [("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request"),
                            ("Content-Encoding", "snappy"), ("X-Prometheus-Remote-Write-Version", "2.0.0")]

    static func ex(_ trace: String, _ v: Double, _ t: Int64, extra: [Label] = []) -> RemoteWriteRequest.Exemplar {
        .init(labels: [Label("trace_id", trace)] + extra, value: v, timestamp: t)
    }

    /// Two requests: the second repeats the newest exemplar (duplicate), sends an older one (out
    /// of order), a too-long label set, an empty-valued label and one for a series without samples.
    static func requests(base: Int64) -> [RemoteWriteRequest] {
        let a = [Label("__name__", "http_requests_total"), Label("path", "/a")]
        let b = [Label("__name__", "http_requests_total"), Label("path", "/b")]
        let lat = [Label("__name__", "latency_seconds_bucket"), Label("le", "0.5")]
        let first = RemoteWriteRequest(series: [
            .init(labels: a, samples: (0..<5).map { .init(value: Double($0), timestamp: base + Int64($0) * 15_000) },
                  exemplars: [ex("a1", 1, base), ex("a2", 0.25, base + 15_000, extra: [Label("span_id", "s2")]),
                              ex("a3", 1e-7, base + 30_000)]),
            .init(labels: b, samples: [.init(value: 7, timestamp: base)],
                  exemplars: [ex("b1", 1e6, base + 1), ex("b2", .infinity, base + 2_500)]),
            .init(labels: lat, samples: [.init(value: 3, timestamp: base)],
                  exemplars: [ex("l1", 0.42, base + 10)]),
        ])
        let second = RemoteWriteRequest(series: [
            .init(labels: a, samples: [.init(value: 9, timestamp: base + 90_000)],
                  exemplars: [ex("a3", 1e-7, base + 30_000),  // duplicate of the newest: ignored
                              ex("old", 5, base + 20_000),  // out of order: refused
                              ex(String(repeating: "x", count: 130), 1, base + 40_000),  // too long: refused
                              ex("a4", 4, base + 45_000, extra: [Label("empty", "")])]),
            .init(labels: [Label("__name__", "never_sampled")], exemplars: [ex("n", 1, base)]),  // unknown series
            .init(labels: lat, samples: [.init(value: 4, timestamp: base + 60_000)],
                  exemplars: [ex("l2", 0.5, base + 60_000)]),
        ])
        return [first, second]
    }

    @Test func remoteWrittenExemplarsQueryAlikeInPrometheusAndSundial() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-ex")
        defer { dir.remove() }
        let peers = try ReceiverPair(dir: dir, prometheusArgs: ["--enable-feature=exemplar-storage"])
        defer { peers.stop() }
        let (sundialPort, promPort, sundial) = (peers.sundialPort, peers.promPort, peers.sundial)

        let s = ServerTestClient(port: sundialPort)
        let p = ServerTestClient(port: promPort)
        let base = (Int64(Date().timeIntervalSince1970) - 300) * 1000
        for req in Self.requests(base: base) {
            let body = req.compressed(.v1)
            for c in [p, s] {
                let w = try await c.request("POST", "/api/v1/write", headers: ServerBadInputTests.v1Headers, body: body)
                #expect(w.status == 204, "\(c.port): \(w.status) \(w.text)")
            }
        }

        func enc(_ q: String) -> String { q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        let t0 = Double(base) / 1000
        let queries: [(String, String)] = [
            ("{__name__=~\".+\"}", ""),
            ("rate(http_requests_total{path=\"/a\"}[5m])", "&start=\(t0)&end=\(t0 + 3600)"),
            ("http_requests_total", "&start=\(t0 + 1)&end=\(t0 + 30)"),  // inclusive bounds, in ms
            ("sum(http_requests_total) / on() latency_seconds_bucket", ""),
            ("http_requests_total{path=\"/c\"}", ""),  // no series: []
            ("1 + 1", ""),  // no selectors: null
            ("up", "&start=\(t0 + 10)&end=\(t0 + 5)"),  // end before start: bad_data
            ("rate(", ""),  // parse error
        ]
        var mismatches: [String] = []
        func compare(_ label: String, _ a: ServerTestClient.Response, _ b: ServerTestClient.Response) throws {
            if a.status != b.status {
                mismatches.append("\(label): status \(a.status) vs \(b.status)")
                return
            }
            let ja = try NativeHistogramTests.dataOrError(a), jb = try NativeHistogramTests.dataOrError(b)
            if ja != jb { mismatches.append("\(label)\n  prometheus: \(ja)\n  sundial:    \(jb)") }
        }
        var answers: [String] = []
        for (q, range) in queries {
            let path = "/api/v1/query_exemplars?query=\(enc(q))\(range)"
            let b = try await s.get(path)
            try compare("GET \(q)\(range)", try await p.get(path), b)
            try compare("POST \(q)\(range)", try await p.postForm("/api/v1/query_exemplars", "query=\(enc(q))\(range)"),
                        try await s.postForm("/api/v1/query_exemplars", "query=\(enc(q))\(range)"))
            answers.append(b.text)
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) answers differ:\n\(mismatches.joined(separator: "\n"))")
        #expect(answers[0].contains("\"trace_id\":\"a4\"") && !answers[0].contains("\"old\""), "\(answers[0])")

        // Exemplars survive a restart (WAL replay of exemplar records).
        #expect(sundial.terminate() == 0)
        let restarted = try ServerProcess.start(["serve", "--data-dir", dir.appending("sundial"),
                                                 "--listen", "127.0.0.1:\(sundialPort)"], port: sundialPort)
        defer { restarted.terminate() }
        for (i, (q, range)) in queries.enumerated() {
            #expect(try await s.get("/api/v1/query_exemplars?query=\(enc(q))\(range)").text == answers[i], "after restart: \(q)")
        }

        // Remote write 2.0 (Sundial only): the header counts exemplars written (accepted and
        // duplicates), not refused ones; the metrics show the store.
        let v2 = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "http_requests_total"), Label("path", "/a")],
                  samples: [.init(value: 10, timestamp: base + 120_000)],
                  exemplars: [Self.ex("v2a", 1, base + 120_000), Self.ex("v2old", 1, base + 1)]),
            .init(labels: [Label("__name__", "v2_only")], samples: [.init(value: 1, timestamp: base)],
                  exemplars: [Self.ex("v2b", 2, base), Self.ex("v2b", 2, base)]),
        ])
        let w = try await s.request("POST", "/api/v1/write", headers: Self.v2Headers, body: v2.compressed(.v2))
        #expect(w.status == 204, "\(w.text)")
        #expect(w.header("X-Prometheus-Remote-Write-Exemplars-Written") == "3")
        #expect(w.header("X-Prometheus-Remote-Write-Samples-Written") == "2")
        let v2Answer = try await s.get("/api/v1/query_exemplars?query=\(enc("{__name__=~\"http_requests_total|v2_only\"}"))")
        #expect(v2Answer.text.contains("\"trace_id\":\"v2a\"") && v2Answer.text.contains("\"trace_id\":\"v2b\"")
                && !v2Answer.text.contains("v2old"), "\(v2Answer.text)")
        let metrics = try await s.get("/metrics").text
        #expect(metrics.contains("prometheus_tsdb_exemplar_max_exemplars 100000"), "\(metrics)")
        #expect(metrics.contains("prometheus_tsdb_exemplar_series_with_exemplars_in_storage 4"))
    }
}

extension NativeHistogramTests {
    /// The `data` member (sorted keys) of a success, `errorType: error` of an error answer, or
    /// `<no body>` (2.42's 204 for a query without selectors).
    static func dataOrError(_ r: ServerTestClient.Response) throws -> String {
        if r.body.isEmpty { return "<no body>" }
        let j = try #require(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], "\(r.text)")
        if j["status"] as? String == "error" { return "\(j["errorType"] ?? ""): \(j["error"] ?? "")" }
        let d = j["data"] ?? NSNull()
        let out = try JSONSerialization.data(withJSONObject: d, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: out, as: UTF8.self)
    }
}
