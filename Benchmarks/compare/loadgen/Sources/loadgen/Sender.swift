#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One shard's sender: its own connection, its bodies in order, one request in flight at a time.
/// Owned by exactly one thread while running; read by the main thread only after `pthread_join`.
final class ShardSender: @unchecked Sendable {
    let bodies: ShardBodies
    let host: String
    let port: UInt16
    let path: String
    /// Per-request latency in seconds (successful or not), including retries' waits.
    var latencies: [Double] = []
    var okSamples = 0
    var rejectedSamples = 0
    var retries = 0
    var statusCounts: [Int: Int] = [:]
    var firstError: String? = nil
    var fatal: String? = nil

    /// Sent after ``headers`` on every request (e.g. `X-Scope-OrgID` for a tenant).
    var extraHeaders: [(String, String)] = []

    init(bodies: ShardBodies, host: String, port: UInt16, path: String) {
        self.bodies = bodies
        self.host = host
        self.port = port
        self.path = path
        latencies.reserveCapacity(bodies.count)
    }

    /// The remote-write 1.0 headers (remote write spec, "Protocol").
    static let headers: [(String, String)] = [
        ("Content-Encoding", "snappy"),
        ("Content-Type", "application/x-protobuf"),
        ("User-Agent", "sundial-bench-loadgen/1"),
        ("X-Prometheus-Remote-Write-Version", "0.1.0"),
    ]

    func run() {
        let conn = HTTPConnection(host: host, port: port)
        for i in 0..<bodies.count {
            let body = bodies.body(i)
            let t0 = monotonicSeconds()
            var attempt = 0
            while true {
                let resp: HTTPResponse
                do {
                    resp = try conn.request(method: "POST", path: path, headers: Self.headers + extraHeaders, body: body)
                } catch {
                    fatal = "request \(i): \(error)"
                    return
                }
                statusCounts[resp.status, default: 0] += 1
                // The spec: 5xx MUST be retried with backoff, 429 MAY be; other 4xx never are.
                if (resp.status >= 500 || resp.status == 429) && attempt < 10 {
                    attempt += 1
                    retries += 1
                    usleep(UInt32(30_000 << min(attempt, 5)))
                    continue
                }
                if (200..<300).contains(resp.status) {
                    okSamples += bodies.samples[i]
                } else {
                    rejectedSamples += bodies.samples[i]
                    if firstError == nil { firstError = "HTTP \(resp.status): \(resp.text.prefix(300))" }
                }
                break
            }
            latencies.append(monotonicSeconds() - t0)
        }
    }
}

/// Quantile of sorted values by the nearest-rank method (q in [0, 1]).
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}

/// Sends every shard's bodies on its own connection and thread, all shards at once, and returns the
/// result as JSON.
func sendAll(_ shards: [ShardBodies], url: String, extraHeaders: [(String, String)] = []) throws -> String {
    let (host, port, path) = try parseURL(url)
    let senders = shards.map { ShardSender(bodies: $0, host: host, port: port, path: path) }
    for s in senders { s.extraHeaders = extraHeaders }
    let t0 = monotonicSeconds()
    var threads: [pthread_t] = []
    for s in senders {
        var tid = pthread_t()
        let ctx = Unmanaged.passRetained(s).toOpaque()
        let rc = pthread_create(&tid, nil, { raw in
            let s = Unmanaged<ShardSender>.fromOpaque(raw!).takeRetainedValue()
            s.run()
            return nil
        }, ctx)
        guard rc == 0 else { throw LoadgenError("pthread_create failed: \(rc)") }
        threads.append(tid)
    }
    for t in threads { pthread_join(t, nil) }
    let wall = monotonicSeconds() - t0
    if let f = senders.compactMap(\.fatal).first { throw LoadgenError("send failed: \(f)") }
    let lat = senders.flatMap(\.latencies).sorted()
    let ok = senders.reduce(0) { $0 + $1.okSamples }
    let rejected = senders.reduce(0) { $0 + $1.rejectedSamples }
    var statuses: [Int: Int] = [:]
    for s in senders { for (k, v) in s.statusCounts { statuses[k, default: 0] += v } }
    let statusJSON = statuses.keys.sorted().map { "\"\($0)\": \(statuses[$0]!)" }.joined(separator: ", ")
    let err = senders.compactMap(\.firstError).first.map(jsonString) ?? "null"
    let mean = lat.isEmpty ? 0 : lat.reduce(0, +) / Double(lat.count)
    return """
        {"wall_s": \(wall), "connections": \(shards.count), "requests": \(lat.count), \
        "samples_sent": \(ok + rejected), "samples_ok": \(ok), "samples_rejected": \(rejected), \
        "retries": \(senders.reduce(0) { $0 + $1.retries }), "status_counts": {\(statusJSON)}, \
        "first_error": \(err), "samples_per_s": \(Double(ok) / wall), \
        "latency_ms": {"mean": \(mean * 1e3), "p50": \(quantile(lat, 0.5) * 1e3), "p90": \(quantile(lat, 0.9) * 1e3), \
        "p99": \(quantile(lat, 0.99) * 1e3), "max": \((lat.last ?? 0) * 1e3)}}

        """
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
