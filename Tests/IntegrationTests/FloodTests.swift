import Foundation
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A request flood against the real `sundial serve` binary on loopback (bounded: about 20 s of
/// flood). Many concurrent connections mix valid remote writes, oversized bodies (413), garbage
/// snappy and protobuf (400), slowloris connections (headers never finished; bodies trickled)
/// and expensive queries. Throughout, `/-/healthy` must keep answering within
/// ``healthBoundSeconds`` and the server's resident memory (VmRSS of its process) stay under
/// ``rssBudgetBytes``; connections idle longer than the server's read timeout must be closed by
/// the server; afterwards, and again after a restart, every acknowledged sample is there.
@Suite(.serialized, .enabled(if: ServerProcess.binaryExists, "needs the sundial binary (swift build --build-tests builds it)"))
struct FloodTests {
    /// Flood duration.
    static let floodSeconds = 18.0
    /// The server's idle/read timeout in this test (`--web.read-timeout`).
    static let readTimeoutSeconds = 3
    /// Largest request body the server accepts in this test (`--web.max-request-body-size`).
    static let maxBody = 1 << 20
    /// Slowest acceptable `/-/healthy` answer during the flood. Generous for a 2-core machine
    /// shared with builds; measured figures are printed.
    static let healthBoundSeconds = 2.0
    /// Memory budget of the server under the flood: the debug binary idles at ~40 MiB; measured
    /// peaks were 75–390 MiB depending on throughput (allocator arenas of the many threads and
    /// 1 MiB body buffers dominate), so the budget leaves room above the worst seen.
    static let rssBudgetBytes = 512 << 20

    /// Counters shared by the load threads.
    struct Stats {
        var acknowledged: [Int: Int] = [:]  // writer -> iterations acknowledged (204)
        var writeFailures: [String] = []
        var statuses: [String: [Int: Int]] = [:]  // kind -> status -> count
        var unexpected: [String] = []
        var healthLatencies: [Double] = []
        var healthFailures: [String] = []
        var maxRSS = 0
        var maxRSSFirstHalf = 0
        var slowlorisClosedByServer = 0
        var slowlorisOpened = 0

        mutating func count(_ kind: String, _ status: Int) { statuses[kind, default: [:]][status, default: 0] += 1 }
    }

    static let writers = 4
    static let seriesPerWriter = 10

    static func writeRequest(writer: Int, iteration: Int, base: Int64) -> [UInt8] {
        let t = base + Int64(iteration) * 100
        let series = (0..<seriesPerWriter).map { s in
            RemoteWriteRequest.Series(labels: [Label("__name__", "flood_w"), Label("writer", "\(writer)"), Label("s", "\(s)"),
                                               Label("pad", String(repeating: "x", count: 40))],
                                      samples: [.init(value: Double(iteration), timestamp: t)])
        }
        return RemoteWriteRequest(series: series).compressed(.v1)
    }

    static func rss(_ pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
        return 0
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Runs `body` on `n` threads until `deadline`, then waits for them.
    static func threads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) -> [Thread] {
        (0..<n).map { k in
            let t = Thread { body(k) }
            t.start()
            return t
        }
    }

    /// Count of `flood_w{writer="k"}` samples per writer (all series of a writer get the same count).
    static func storedCounts(_ c: ServerTestClient, at time: Int64) async throws -> [Int: Int] {
        let q = "count_over_time(flood_w{s=\"3\"}[2h])".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try await c.get("/api/v1/query?query=\(q)&time=\(Double(time) / 1000)")
        guard r.status == 200, let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
              let data = obj["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw ServerTestClient.ClientError(description: "bad query answer \(r.status): \(r.text.prefix(300))")
        }
        var out: [Int: Int] = [:]
        for e in result {
            guard let m = e["metric"] as? [String: String], let w = m["writer"].flatMap(Int.init),
                  let v = e["value"] as? [Any], let s = v.last as? String, let n = Double(s) else { continue }
            out[w] = Int(n)
        }
        return out
    }

    @Test func floodKeepsServerHealthyBoundedAndDurable() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-flood")
        defer { dir.remove() }
        let port = try ServerProcess.freePort()
        let args = ["serve", "--data-dir", dir.appending("data"), "--listen", "127.0.0.1:\(port)",
                    "--web.max-request-body-size", "\(Self.maxBody)", "--web.read-timeout", "\(Self.readTimeoutSeconds)s",
                    "--query.timeout", "3s", "--log.level", "error"]
        var server = try ServerProcess.start(args, port: port)
        defer { server.terminate() }
        let pid = server.process.processIdentifier
        let client = ServerTestClient(port: port)
        let base: Int64 = 1_700_000_000_000
        let headers = ServerBadInputTests.v1Headers
        let stats = Mutex(Stats())
        let stop = Atomic<Bool>(false)

        // Before the flood: one acknowledged write per writer.
        for w in 0..<Self.writers {
            let r = try await client.request("POST", "/api/v1/write", headers: headers, body: Self.writeRequest(writer: w, iteration: 0, base: base))
            try #require(r.status == 204, "\(r.text)")
            stats.withLock { $0.acknowledged[w] = 1 }
        }
        let idleRSS = Self.rss(pid)

        var all: [Thread] = []
        // Valid remote writes; iteration k is acknowledged only once the server answered 204.
        all += Self.threads(Self.writers) { w in
            var k = 1
            while !stop.load(ordering: .relaxed) {
                do {
                    let r = try ServerTestClient.blockingRequest(port: port, method: "POST", target: "/api/v1/write", headers: headers,
                                                                 body: Self.writeRequest(writer: w, iteration: k, base: base))
                    stats.withLock { $0.count("write", r.status) }
                    // Writes are sequential per writer, so a refused one must not leave a gap: retry it.
                    if r.status == 204 {
                        stats.withLock { $0.acknowledged[w] = k + 1 }
                        k += 1
                    }
                } catch {
                    stats.withLock { $0.writeFailures.append("\(error)") }
                }
            }
        }
        // Oversized bodies (just over the limit, and 4 KiB over): refused on the Content-Length header.
        all += Self.threads(2) { kind in
            let big = [UInt8](repeating: 0x41, count: Self.maxBody + 1 + kind * 4096)
            while !stop.load(ordering: .relaxed) {
                do {
                    let r = try ServerTestClient.blockingRequest(port: port, method: "POST", target: "/api/v1/write", headers: headers, body: big)
                    stats.withLock {
                        $0.count("oversized", r.status)
                        if r.status != 413 { $0.unexpected.append("oversized body answered \(r.status)") }
                    }
                } catch {
                    // The server may close while the body is still being sent: a refusal too.
                    stats.withLock { $0.count("oversized", -1) }
                }
            }
        }
        // Garbage: random bytes as snappy, valid snappy of random protobuf, to write and read.
        all += Self.threads(2) { kind in
            var rng = SplitMix64(seed: UInt64(kind + 1))
            while !stop.load(ordering: .relaxed) {
                let n = 1 + Int(rng.next() % 20_000)
                var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if rng.next() % 2 == 0 { bytes = Snappy.compress(bytes) }
                let path = kind == 0 ? "/api/v1/write" : "/api/v1/read"
                do {
                    let r = try ServerTestClient.blockingRequest(port: port, method: "POST", target: path, headers: headers, body: bytes)
                    stats.withLock {
                        $0.count("garbage", r.status)
                        if r.status != 400 { $0.unexpected.append("garbage to \(path) answered \(r.status)") }
                    }
                } catch {
                    stats.withLock { $0.unexpected.append("garbage request failed: \(error)") }
                }
            }
        }
        // Expensive queries (bounded by --query.timeout): wide regexes, long range, fine steps.
        all += Self.threads(2) { kind in
            let queries = [
                "sum by (writer) (rate(flood_w[5m]))", "count({__name__=~\".+\"})", "quantile_over_time(0.9, flood_w{s=~\".*[13579]\"}[1h])",
                "topk(5, sum_over_time(flood_w[2h]))", "count_values(\"v\", flood_w) * on() group_left count(flood_w)",
            ]
            var i = kind
            while !stop.load(ordering: .relaxed) {
                let q = queries[i % queries.count].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                i += 1
                let target = "/api/v1/query_range?query=\(q)&start=\(base / 1000 - 3600)&end=\(base / 1000 + 3600)&step=1"
                do {
                    let r = try ServerTestClient.blockingRequest(port: port, method: "GET", target: target, headers: [], body: [])
                    stats.withLock {
                        $0.count("query", r.status)
                        if ![200, 400, 422, 503].contains(r.status) { $0.unexpected.append("query answered \(r.status): \(r.text.prefix(200))") }
                    }
                } catch {
                    stats.withLock { $0.unexpected.append("query failed: \(error)") }
                }
            }
        }
        // Slowloris: connections that stall mid-headers, and ones that trickle a body.
        all += Self.threads(1) { _ in
            var stalled: [Int32] = [], trickling: [Int32] = []
            defer { for fd in stalled + trickling { close(fd) } }
            for i in 0..<48 {
                guard let fd = try? ServerTestClient.connect(port: port) else { continue }
                let partial = i % 2 == 0 ? "GET /api/v1/query?query=up HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    : "POST /api/v1/write HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000000\r\n\r\nabc"
                try? ServerTestClient.sendAll(fd, Array(partial.utf8))
                if i % 2 == 0 { stalled.append(fd) } else { trickling.append(fd) }
            }
            stats.withLock { $0.slowlorisOpened = stalled.count }
            var closed = Set<Int32>()
            var tick = 0
            while !stop.load(ordering: .relaxed) {
                usleep(250_000)
                tick += 1
                // Trickle faster than the read timeout: one byte per 0.5 s keeps these alive;
                // the body limit and per-connection cost bound them.
                if tick % 2 == 0 { for fd in trickling { _ = send(fd, "z", 1, Int32(MSG_NOSIGNAL)) } }
                for fd in stalled where !closed.contains(fd) {
                    var b: UInt8 = 0
                    let n = recv(fd, &b, 1, Int32(MSG_DONTWAIT))
                    if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { closed.insert(fd) }
                }
            }
            stats.withLock { $0.slowlorisClosedByServer = closed.count }
        }
        // Health and memory probes.
        let floodStart = Self.now()
        all += Self.threads(1) { _ in
            while !stop.load(ordering: .relaxed) {
                let t0 = Self.now()
                do {
                    let r = try ServerTestClient.blockingRequest(port: port, method: "GET", target: "/-/healthy", headers: [], body: [])
                    let dt = Self.now() - t0
                    stats.withLock {
                        $0.healthLatencies.append(dt)
                        if r.status != 200 { $0.healthFailures.append("status \(r.status)") }
                    }
                } catch {
                    stats.withLock { $0.healthFailures.append("\(error)") }
                }
                let rss = Self.rss(pid)
                let firstHalf = Self.now() - floodStart < Self.floodSeconds / 2
                stats.withLock {
                    $0.maxRSS = max($0.maxRSS, rss)
                    if firstHalf { $0.maxRSSFirstHalf = max($0.maxRSSFirstHalf, rss) }
                }
                usleep(100_000)
            }
        }

        try await Task.sleep(for: .seconds(Self.floodSeconds))
        stop.store(true, ordering: .relaxed)
        // The threads end within one request each (the client times out reads after 10 s).
        while all.contains(where: { !$0.isFinished }) { try await Task.sleep(for: .milliseconds(50)) }

        let s = stats.withLock { $0 }
        let lat = s.healthLatencies.sorted()
        let p = { (q: Double) in lat.isEmpty ? 0 : lat[min(lat.count - 1, Int(Double(lat.count) * q))] }
        print("flood: idle RSS \(idleRSS >> 20) MiB, max RSS \(s.maxRSSFirstHalf >> 20) MiB in the first half, \(s.maxRSS >> 20) MiB overall (budget \(Self.rssBudgetBytes >> 20) MiB); "
            + "/-/healthy \(lat.count) probes p50 \(Int(p(0.5) * 1000)) ms p99 \(Int(p(0.99) * 1000)) ms max \(Int((lat.last ?? 0) * 1000)) ms; "
            + "statuses \(s.statuses); acknowledged \(s.acknowledged); slowloris stalled \(s.slowlorisOpened), closed by server \(s.slowlorisClosedByServer)")

        #expect(s.healthFailures.isEmpty, "\(s.healthFailures.prefix(5))")
        #expect(lat.count > 10)
        #expect((lat.last ?? 0) < Self.healthBoundSeconds, "slowest /-/healthy \(lat.last ?? 0) s")
        #expect(s.maxRSS < Self.rssBudgetBytes, "max RSS \(s.maxRSS >> 20) MiB")
        #expect(s.unexpected.isEmpty, "\(s.unexpected.count) unexpected answers: \(s.unexpected.prefix(5))")
        #expect(s.writeFailures.isEmpty, "\(s.writeFailures.prefix(5))")
        #expect(s.slowlorisOpened > 0 && s.slowlorisClosedByServer == s.slowlorisOpened,
                "\(s.slowlorisClosedByServer) of \(s.slowlorisOpened) stalled connections closed by the server")
        #expect((s.statuses["oversized"] ?? [:]).count > 0 && (s.statuses["garbage"]?[400] ?? 0) > 0)

        // Everything acknowledged is there, now and after a restart (WAL replay).
        let end = base + Int64(s.acknowledged.values.max() ?? 0) * 100
        var stored = try await Self.storedCounts(client, at: end)
        #expect(stored == s.acknowledged, "stored \(stored), acknowledged \(s.acknowledged)")
        #expect(server.terminate() == 0)
        server = try ServerProcess.start(args, port: port)
        stored = try await Self.storedCounts(client, at: end)
        #expect(stored == s.acknowledged, "after restart: stored \(stored), acknowledged \(s.acknowledged)")
    }
}

