import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SundialCore
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// Blocks written by Sundial, checked by the reference tools: promtool 2.42 lists, analyzes
/// (`--extended` decodes every chunk) and dumps exactly our samples, and a real Prometheus 2.42
/// started on a copy of the directory answers a query with our data.
@Suite(.serialized) struct PromtoolBlockTests {
    static let promtool = "/usr/bin/promtool"
    static let prometheus = "/usr/bin/prometheus"
    static let t0: Int64 = 1_700_000_000_000

    /// 30 series over 2 h: counters, gauges with NaN/±Inf, a stale marker, 480 samples per series
    /// (4 chunks), all values printable identically by Go's `%g` and by ``goFloat(_:)``.
    static func syntheticSeries() -> [(labels: Labels, ts: [Int64], vs: [Double])] {
        var out: [(Labels, [Int64], [Double])] = []
        for i in 0..<30 {
            let ls = Labels(["__name__": i % 3 == 0 ? "synthetic_gauge" : "synthetic_requests_total",
                             "job": "sundial", "instance": "host-\(i % 5)", "shard": String(i)])
            var ts: [Int64] = [], vs: [Double] = []
            for k in 0..<480 {
                ts.append(t0 + Int64(k) * 15_000 + Int64(i))
                var v = i % 3 == 0 ? Double((k * 37 + i) % 200) / 4 - 10 : Double(k * (i + 1))
                if i == 3 && k == 100 { v = .nan }
                if i == 6 && k == 7 { v = .infinity }
                if i == 6 && k == 8 { v = -.infinity }
                if i == 9 && k == 479 { v = StaleMarker.value }
                vs.append(v)
            }
            out.append((ls, ts, vs))
        }
        return out
    }

    /// Go's `%g` for the values above (integers below 1e21 print without exponent only below 1e6
    /// in Go; the synthetic values stay below that).
    static func goFloat(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        if v == v.rounded(), abs(v) < 1e6 { return String(Int64(v)) }
        return "\(v)"
    }

    static func writeBlock(into dir: String) throws -> BlockMeta {
        let series = syntheticSeries().map { ($0.labels, BlockChunk.xorChunks(timestamps: $0.ts, values: $0.vs)) }
        return try BlockWriter.write(parentDirectory: dir, minTime: t0, maxTime: t0 + 2 * 3_600_000, series: series)
    }


    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: promtool)))
    func promtoolListAnalyzeAndDumpAgree() throws {
        let dir = try TemporaryDirectory(prefix: "sundial-promtool")
        defer { dir.remove() }
        let meta = try Self.writeBlock(into: dir.path)
        // promtool's dump opens the directory as a read-only DB, which wants a WAL directory.
        try FileManager.default.createDirectory(atPath: dir.appending("wal"), withIntermediateDirectories: true)

        let list = try ChildProcess.run([Self.promtool, "tsdb", "list", dir.path])
        #expect(list.status == 0)
        let row = list.out.split(separator: "\n").first { $0.hasPrefix(meta.ulid.string) }
        let fields = try #require(row).split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields[1] == "\(Self.t0)")
        #expect(fields[2] == "\(Self.t0 + 7_200_000)")
        #expect(fields[4] == "14400")  // samples
        #expect(fields[5] == "120")  // chunks
        #expect(fields[6] == "30")  // series

        let analyze = try ChildProcess.run([Self.promtool, "tsdb", "analyze", "--extended", dir.path, meta.ulid.string])
        #expect(analyze.status == 0)
        #expect(analyze.out.contains("Series: 30"))
        // --extended: every chunk decoded; 120 full chunks of 120 samples.
        #expect(analyze.out.contains("Fullness: Amount of samples in chunks"))
        #expect(analyze.out.contains("100%"))

        let dump = try ChildProcess.run([Self.promtool, "tsdb", "dump", dir.path])
        #expect(dump.status == 0)
        var want: [String] = []
        for s in Self.syntheticSeries() {
            for (t, v) in zip(s.ts, s.vs) { want.append("\(s.labels) \(Self.goFloat(v)) \(t)") }
        }
        let got = dump.out.split(separator: "\n").map(String.init)
        #expect(got.count == want.count)
        #expect(got.sorted() == want.sorted())
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: prometheus)))
    func prometheusServesOurBlock() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-prom-serve")
        defer { dir.remove() }
        let data = dir.appending("data")
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        _ = try Self.writeBlock(into: data)
        let config = dir.appending("prometheus.yml")
        try "scrape_configs: []\n".write(toFile: config, atomically: true, encoding: .utf8)

        var lastError = ""
        for attempt in 0..<5 {
            let port = Int.random(in: 20_000..<60_000)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.prometheus)
            p.arguments = ["--config.file=\(config)", "--storage.tsdb.path=\(data)",
                           "--web.listen-address=127.0.0.1:\(port)", "--storage.tsdb.retention.time=100y"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            defer {
                p.terminate()
                p.waitUntilExit()
            }
            let base = "http://127.0.0.1:\(port)"
            var ready = false
            for _ in 0..<300 where p.isRunning {
                if let (_, r) = try? await URLSession.shared.data(from: URL(string: "\(base)/-/ready")!),
                   (r as? HTTPURLResponse)?.statusCode == 200 { ready = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            guard ready else { lastError = "not ready (attempt \(attempt), port \(port))"; continue }
            // At t0 + 60 min: the gauge series' sample there, and a count over every series.
            let at = Double(Self.t0 + 3_600_000 + 5) / 1000
            let q = "count(synthetic_requests_total)"
            let url = "\(base)/api/v1/query?query=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&time=\(at)"
            let (body, _) = try await URLSession.shared.data(from: URL(string: url)!)
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            #expect(json["status"] as? String == "success")
            let result = try #require((json["data"] as? [String: Any])?["result"] as? [[String: Any]])
            let value = try #require(result.first?["value"] as? [Any])
            #expect(value.last as? String == "20")

            let q2 = "synthetic_requests_total{shard=\"1\"}"
            let url2 = "\(base)/api/v1/query?query=\(q2.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&time=\(at)"
            let (body2, _) = try await URLSession.shared.data(from: URL(string: url2)!)
            let json2 = try #require(try JSONSerialization.jsonObject(with: body2) as? [String: Any])
            let r2 = try #require((json2["data"] as? [String: Any])?["result"] as? [[String: Any]])
            // Sample k=240 sits at t0 + 3_600_001 with value 240 * 2.
            #expect((r2.first?["value"] as? [Any])?.last as? String == "480")
            return
        }
        Issue.record("prometheus did not start: \(lastError)")
    }
}
