import Foundation
import SundialTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The reference binaries (installed by .ci/run).
enum ScrapeTools {
    static let prometheus = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"
    static let nodeExporter = "/usr/bin/prometheus-node-exporter"
    static var available: Bool {
        [prometheus, promtool, nodeExporter].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && ServerProcess.binaryExists
    }
}

/// A real scraper: prometheus-node-exporter, scraped every second by Prometheus 2.42, which
/// remote-writes to a `sundial serve` binary. Once the data has arrived, the same PromQL queries
/// sent to Prometheus and to Sundial give the same series and values, and `promtool query
/// instant|range|series|labels` against both print the same output.
@Suite(.serialized, .enabled(if: ScrapeTools.available, "needs prometheus, promtool, prometheus-node-exporter and the sundial binary"))
struct ScrapeTests {
    static let prometheus = ScrapeTools.prometheus
    static let promtool = ScrapeTools.promtool
    static let nodeExporter = ScrapeTools.nodeExporter

    /// Starts an external program; output to `log` (a file, so a chatty child can't block on a pipe).
    static func spawn(_ path: String, _ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        FileManager.default.createFile(atPath: log, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        p.standardOutput = h
        p.standardError = h
        try p.run()
        return p
    }

    static func stop(_ p: Process) {
        guard p.isRunning else { return }
        kill(p.processIdentifier, SIGTERM)
        for _ in 0..<100 where p.isRunning { usleep(100_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    static func waitReady(_ port: Int, _ path: String) throws {
        for _ in 0..<300 {
            if let r = try? ServerTestClient.blockingRequest(port: port, method: "GET", target: path, headers: [], body: []),
               r.status == 200 { return }
            usleep(100_000)
        }
        throw ServerTestClient.ClientError(description: "port \(port) \(path) never became ready")
    }

    /// Runs promtool and returns stdout (exit status must be 0).
    static func promtool(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw ServerTestClient.ClientError(description: "promtool \(args) failed: \(text)")
        }
        return text
    }

    /// `data.result` of a query response as a map from the metric's labels (rendered) to values.
    static func results(_ r: ServerTestClient.Response) throws -> [String: [String]] {
        let j = try #require(JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any], "\(r.text)")
        let data = try #require(j["data"] as? [String: Any], "\(r.text)")
        var out: [String: [String]] = [:]
        for e in data["result"] as? [[String: Any]] ?? [] {
            let metric = (e["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",")
            if let v = e["value"] as? [Any] {
                out[metric] = ["\(v[0])", "\(v[1])"]
            } else if let vs = e["values"] as? [[Any]] {
                out[metric] = vs.map { "\($0[0])=\($0[1])" }
            }
        }
        return out
    }

    @Test func prometheusRemoteWritesAndBothAgree() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-scrape")
        defer { dir.remove() }
        let sundialPort = try ServerProcess.freePort()
        let promPort = try ServerProcess.freePort()
        let nodePort = try ServerProcess.freePort()

        let sundial = try ServerProcess.start(["serve", "--data-dir", dir.appending("sundial"),
                                               "--listen", "127.0.0.1:\(sundialPort)"], port: sundialPort)
        defer { sundial.terminate() }
        let node = try Self.spawn(Self.nodeExporter, ["--web.listen-address=127.0.0.1:\(nodePort)"], log: dir.appending("node.log"))
        defer { Self.stop(node) }
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['127.0.0.1:\(nodePort)']
            remote_write:
              - url: http://127.0.0.1:\(sundialPort)/api/v1/write
                queue_config:
                  batch_send_deadline: 200ms
                  min_backoff: 50ms
                metadata_config:
                  send_interval: 1s
            """
        try config.write(toFile: dir.appending("prometheus.yml"), atomically: true, encoding: .utf8)
        let prom = try Self.spawn(Self.prometheus, [
            "--config.file=\(dir.appending("prometheus.yml"))", "--storage.tsdb.path=\(dir.appending("prom"))",
            "--web.listen-address=127.0.0.1:\(promPort)",
        ], log: dir.appending("prometheus.log"))
        defer { Self.stop(prom) }
        try Self.waitReady(nodePort, "/metrics")
        try Self.waitReady(promPort, "/-/ready")

        let s = ServerTestClient(port: sundialPort)
        let p = ServerTestClient(port: promPort)
        // Wait for ~6 scrapes to have arrived at Sundial.
        var sundialUp = 0
        for _ in 0..<200 {
            let r = try await s.get("/api/v1/query?query=count_over_time(up%5B1m%5D)")
            sundialUp = Int((try Self.results(r).values.first?.last).flatMap { Int($0) } ?? 0)
            if sundialUp >= 6 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(sundialUp >= 6)

        // Evaluate at a time both have fully received: a couple of seconds ago, on a whole second.
        let now = Date().timeIntervalSince1970
        let t = Int(now) - 2
        let queries = [
            "up", "node_load1", "count(node_cpu_seconds_total)", "sum by (mode) (node_cpu_seconds_total)",
            "rate(node_network_receive_bytes_total[5s])", "sum(rate(node_cpu_seconds_total[4s])) by (cpu)",
            "scrape_samples_scraped", "node_memory_MemTotal_bytes / 1024",
        ]
        for q in queries {
            let enc = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let a = try Self.results(try await p.get("/api/v1/query?query=\(enc)&time=\(t)"))
            let b = try Self.results(try await s.get("/api/v1/query?query=\(enc)&time=\(t)"))
            #expect(!a.isEmpty, "\(q): Prometheus returned nothing")
            #expect(a == b, "instant \(q)")
            let ra = try Self.results(try await p.get("/api/v1/query_range?query=\(enc)&start=\(t - 4)&end=\(t)&step=1"))
            let rb = try Self.results(try await s.get("/api/v1/query_range?query=\(enc)&start=\(t - 4)&end=\(t)&step=1"))
            #expect(ra == rb, "range \(q)")
        }

        // promtool against both prints the same.
        let sURL = "http://127.0.0.1:\(sundialPort)", pURL = "http://127.0.0.1:\(promPort)"
        let commands: [[String]] = [
            ["query", "instant", "--time=\(t)", "SERVER", "up"],
            ["query", "instant", "--time=\(t)", "SERVER", "sum by (mode) (node_cpu_seconds_total)"],
            ["query", "range", "--start=\(t - 3)", "--end=\(t)", "--step=1s", "SERVER", "node_load1"],
            ["query", "series", "--match=up", "--start=\(t - 3)", "--end=\(t)", "SERVER"],
            ["query", "labels", "--start=\(t - 3)", "--end=\(t)", "SERVER", "job"],
        ]
        for cmd in commands {
            let outP = try Self.promtool(cmd.map { $0 == "SERVER" ? pURL : $0 })
            let outS = try Self.promtool(cmd.map { $0 == "SERVER" ? sURL : $0 })
            #expect(!outS.isEmpty)
            #expect(outP == outS, "promtool \(cmd.joined(separator: " "))")
        }
    }
}
