import Foundation
import SundialCore
import SundialIngest
import SundialTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `sundial serve` binary end to end: config file and flags, remote write → query, graceful
/// shutdown on SIGTERM (exit 0) with the data back after restart, a second instance on the same
/// data directory refused with a clear message, bad configuration refused.
@Suite(.serialized, .enabled(if: ServerProcess.binaryExists, "needs the sundial binary (swift build --build-tests builds it)"))
struct ServerLifecycleTests {
    @Test func configWriteQueryShutdownRestart() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-serve")
        defer { dir.remove() }
        let port = try ServerProcess.freePort()
        let config = """
            storage:
              path: \(dir.appending("data"))
              wal_fsync: always
            web:
              listen_address: 127.0.0.1:\(port)
            query:
              lookback_delta: 10m
            log:
              level: info
              format: json
            """
        try config.write(toFile: dir.appending("sundial.yml"), atomically: true, encoding: .utf8)
        var server = try ServerProcess.start(["serve", "--config.file", dir.appending("sundial.yml")], port: port)
        let c = ServerTestClient(port: port)

        let req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "life"), Label("job", "x")],
                  samples: [.init(value: 42, timestamp: 1_000_000), .init(value: 43, timestamp: 1_060_000)]),
        ])
        let w = try await c.request("POST", "/api/v1/write", headers: ServerBadInputTests.v1Headers, body: req.compressed(.v1))
        #expect(w.status == 204)
        var r = try await c.get("/api/v1/query?query=life&time=1100")
        #expect(r.text.contains(#""value":[1100,"43"]"#), "\(r.text)")
        r = try await c.get("/api/v1/status/tsdb")
        #expect(r.text.contains(#""headStats":{"numSeries":1,"#), "\(r.text)")
        #expect(r.text.contains(#""minTime":1000000,"maxTime":1060000}"#), "\(r.text)")
        #expect(r.text.contains(#""seriesCountByMetricName":[{"name":"life","value":1}]"#), "\(r.text)")
        r = try await c.get("/api/v1/metadata")
        #expect(r.status == 200)
        r = try await c.get("/api/v1/status/config")
        #expect(r.text.contains("lookback_delta: 10m"))
        r = try await c.get("/api/v1/status/flags")
        #expect(r.text.contains(#""web.listen-address":"127.0.0.1:\#(port)""#))

        // A second instance on the same directory is refused.
        let port2 = try ServerProcess.freePort()
        let second = try ServerProcess.run(["serve", "--data-dir", dir.appending("data"), "--listen", "127.0.0.1:\(port2)"])
        #expect(second.status != 0)
        #expect(second.stderr.contains("locked by another process"), "\(second.stderr)")

        // SIGTERM: graceful shutdown, exit 0.
        let status = server.terminate()
        #expect(status == 0)
        #expect(server.stderr().contains("shutdown complete"))

        // Restart with flags only (Prometheus's names): the data is back from the WAL.
        server = try ServerProcess.start(["serve", "--storage.tsdb.path", dir.appending("data"),
                                          "--web.listen-address", "127.0.0.1:\(port)"], port: port)
        r = try await c.get("/api/v1/query?query=life&time=1100")
        #expect(r.text.contains(#""value":[1100,"43"]"#), "\(r.text)")
        #expect(server.terminate() == 0)
    }

    @Test func badConfigurationIsRefused() throws {
        let dir = try TemporaryDirectory(prefix: "sundial-badcfg")
        defer { dir.remove() }
        try "storage:\n  retention_tim: 15d\n".write(toFile: dir.appending("a.yml"), atomically: true, encoding: .utf8)
        var r = try ServerProcess.run(["serve", "--config.file", dir.appending("a.yml")])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown setting storage.retention_tim"), "\(r.stderr)")
        r = try ServerProcess.run(["serve", "--data-dir", dir.appending("d"), "--listen", "nohost"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("invalid listen address"), "\(r.stderr)")
        r = try ServerProcess.run(["serve", "--data-dir", dir.appending("d"), "--query-timeout", "5x"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("invalid duration"), "\(r.stderr)")
        r = try ServerProcess.run(["serve", "--data-dir", dir.appending("d"), "--query.semantics", "prometheus4"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("query semantics must be prometheus2 or prometheus3"), "\(r.stderr)")
    }

    /// `--query.semantics prometheus3`: v3 windows and annotations in the response; the default
    /// (2.42) answers the same query without them.
    @Test func prometheus3SemanticsFlag() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-v3")
        defer { dir.remove() }
        let port = try ServerProcess.freePort()
        var server = try ServerProcess.start(["serve", "--data-dir", dir.appending("data"), "--listen", "127.0.0.1:\(port)",
                                              "--query.semantics", "prometheus3"], port: port)
        let c = ServerTestClient(port: port)
        let req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "requests"), Label("job", "x")],
                  samples: (0..<10).map { .init(value: Double($0 * 10), timestamp: Int64($0) * 15_000) }),
        ])
        let w = try await c.request("POST", "/api/v1/write", headers: ServerBadInputTests.v1Headers, body: req.compressed(.v1))
        #expect(w.status == 204)
        let q = "/api/v1/query?query=rate(requests%5B1m%5D)&time=135"
        var r = try await c.get(q)
        #expect(r.status == 200)
        #expect(r.text.contains(#""infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"requests\""#), "\(r.text)")
        r = try await c.get("/api/v1/status/flags")
        #expect(r.text.contains(#""query.semantics":"prometheus3""#), "\(r.text)")
        #expect(server.terminate() == 0)

        server = try ServerProcess.start(["serve", "--data-dir", dir.appending("data"), "--listen", "127.0.0.1:\(port)"], port: port)
        defer { server.terminate() }
        r = try await c.get(q)
        #expect(r.status == 200)
        #expect(!r.text.contains("infos"), "\(r.text)")
    }
}

/// A `sundial` child process for the lifecycle tests. Kills only its own child, by pid.
struct ServerProcess {
    static let binary = Testdata.repositoryRoot + "/.build/debug/sundial"
    static var binaryExists: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let process: Process
    let errPipe: Pipe

    /// A port that was free a moment ago (bind to 0, read it, close).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
                bind(fd, sp, len) == 0 && getsockname(fd, sp, &len) == 0
            }
        }
        guard ok else { throw ServerTestClient.ClientError(description: "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Starts `sundial args` and waits (up to 30 s) until `/-/ready` answers 200.
    static func start(_ args: [String], port: Int) throws -> ServerProcess {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let s = ServerProcess(process: p, errPipe: err)
        for _ in 0..<300 {
            if !p.isRunning { throw ServerTestClient.ClientError(description: "sundial exited: \(s.stderr())") }
            if let r = try? ServerTestClient.blockingRequest(port: port, method: "GET", target: "/-/ready", headers: [], body: []),
               r.status == 200 { return s }
            usleep(100_000)
        }
        _ = s.terminate()
        throw ServerTestClient.ClientError(description: "sundial did not become ready")
    }

    /// Runs `sundial args` to completion (for commands expected to fail fast); 30 s limit.
    static func run(_ args: [String]) throws -> (status: Int32, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        for _ in 0..<300 where p.isRunning { usleep(100_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return (-1, "timed out")
        }
        p.waitUntilExit()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// SIGTERM, wait up to 30 s (then SIGKILL); returns the exit status.
    @discardableResult
    func terminate() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<300 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Everything the process wrote to stderr (call after it exited).
    func stderr() -> String {
        String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
