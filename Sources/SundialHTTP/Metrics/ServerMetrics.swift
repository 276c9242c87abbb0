import SundialCore
import SundialEncoding
import Synchronization

/// Sundial's self-monitoring counters, served at `/metrics` in the Prometheus text format 0.0.4.
///
/// Thread-safe: one `Mutex` around plain dictionaries; each request takes it once or twice, far
/// from any per-sample path. Metric names follow Prometheus's conventions (`_total` counters,
/// `_seconds` histograms).
public final class ServerMetrics: Sendable {
    /// Latency bucket upper bounds in seconds for the request and query histograms
    /// (Prometheus's `DefBuckets` extended at both ends: 1 ms is a fast write, 60 s a slow query).
    public static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    struct Histogram {
        var counts: [UInt64] = Array(repeating: 0, count: ServerMetrics.latencyBuckets.count)
        var sum: Double = 0
        var count: UInt64 = 0
        mutating func observe(_ seconds: Double) {
            for (i, b) in ServerMetrics.latencyBuckets.enumerated() where seconds <= b { counts[i] += 1 }
            sum += seconds
            count += 1
        }
    }

    struct HandlerCode: Hashable {
        var handler: String
        var code: Int
    }

    struct State {
        var requests: [HandlerCode: UInt64] = [:]
        var requestDurations: [String: Histogram] = [:]
        var queryDurations: [String: Histogram] = [:]
        var samplesIngested: UInt64 = 0
        var samplesRejected: [String: UInt64] = [:]
        var exemplarsDropped: UInt64 = 0
        var histogramsRejected: UInt64 = 0
        var histogramsIngested: UInt64 = 0
        var metadataIngested: UInt64 = 0
        var writeRequests: [String: UInt64] = [:]
    }

    private let state = Mutex(State())
    /// Process start, seconds since the epoch.
    public let startTimeSeconds: Double

    /// Fresh counters; `startTimeSeconds` is the process start used for `process_start_time_seconds`.
    public init(startTimeSeconds: Double) {
        self.startTimeSeconds = startTimeSeconds
    }

    /// Counts one finished HTTP request and its latency.
    public func observeRequest(handler: String, code: Int, seconds: Double) {
        state.withLock { s in
            s.requests[HandlerCode(handler: handler, code: code), default: 0] += 1
            s.requestDurations[handler, default: Histogram()].observe(seconds)
        }
    }

    /// Records one PromQL evaluation's latency (`kind` is `instant` or `range`).
    public func observeQuery(kind: String, seconds: Double) {
        state.withLock { s in s.queryDurations[kind, default: Histogram()].observe(seconds) }
    }

    /// Records the outcome of one remote-write request.
    /// - Parameters:
    ///   - protocolVersion: `"1.0"` or `"2.0"`.
    ///   - rejectedByReason: refused samples and histograms keyed by reason (`out_of_order`, `too_old`, ...).
    ///   - histograms: native histogram samples written.
    ///   - histogramsRejected: native histogram samples refused as invalid.
    public func observeWrite(protocolVersion: String, samples: Int, rejectedByReason: [String: Int],
                             exemplarsDropped: Int, histograms: Int = 0, histogramsRejected: Int, metadata: Int) {
        state.withLock { s in
            s.writeRequests[protocolVersion, default: 0] += 1
            s.samplesIngested += UInt64(samples)
            for (r, n) in rejectedByReason where n > 0 { s.samplesRejected[r, default: 0] += UInt64(n) }
            s.exemplarsDropped += UInt64(exemplarsDropped)
            s.histogramsRejected += UInt64(histogramsRejected)
            s.histogramsIngested += UInt64(histograms)
            s.metadataIngested += UInt64(metadata)
        }
    }

    /// Total samples ingested so far (for tests and the ready probe).
    public var samplesIngested: UInt64 { state.withLock { $0.samplesIngested } }

    /// Rejected samples by reason so far.
    public var samplesRejected: [String: UInt64] { state.withLock { $0.samplesRejected } }

    /// Writes every metric in the text exposition format 0.0.4, plus `extra` gauges
    /// (name, help, value) supplied by the caller (head series, process stats).
    public func exposition(extra: [(name: String, help: String, type: String, value: Double)] = []) -> [UInt8] {
        let s = state.withLock { $0 }
        var w = MetricsTextWriter()
        w.family("sundial_http_requests_total", "HTTP requests by handler and status code.", "counter")
        for (k, v) in s.requests.sorted(by: { ($0.key.handler, $0.key.code) < ($1.key.handler, $1.key.code) }) {
            w.sample("sundial_http_requests_total", [("code", String(k.code)), ("handler", k.handler)], Double(v))
        }
        w.histogram("sundial_http_request_duration_seconds", "HTTP request latency by handler.", "handler", s.requestDurations)
        w.histogram("sundial_query_duration_seconds", "PromQL evaluation latency by query kind.", "kind", s.queryDurations)
        w.family("sundial_remote_write_requests_total", "Remote-write requests decoded, by protocol version.", "counter")
        for (k, v) in s.writeRequests.sorted(by: { $0.key < $1.key }) {
            w.sample("sundial_remote_write_requests_total", [("version", k)], Double(v))
        }
        w.family("sundial_samples_ingested_total", "Float samples appended through remote write.", "counter")
        w.sample("sundial_samples_ingested_total", [], Double(s.samplesIngested))
        w.family("sundial_samples_rejected_total", "Samples refused, by reason.", "counter")
        for (k, v) in s.samplesRejected.sorted(by: { $0.key < $1.key }) {
            w.sample("sundial_samples_rejected_total", [("reason", k)], Double(v))
        }
        w.family("sundial_exemplars_dropped_total", "Exemplars received and dropped (not stored).", "counter")
        w.sample("sundial_exemplars_dropped_total", [], Double(s.exemplarsDropped))
        w.family("sundial_histograms_ingested_total", "Native histogram samples appended through remote write.", "counter")
        w.sample("sundial_histograms_ingested_total", [], Double(s.histogramsIngested))
        w.family("sundial_histograms_rejected_total", "Native histogram samples refused as invalid (also counted in sundial_samples_rejected_total{reason=\"invalid_histogram\"}).", "counter")
        w.sample("sundial_histograms_rejected_total", [], Double(s.histogramsRejected))
        w.family("sundial_metadata_ingested_total", "Metric metadata entries received through remote write.", "counter")
        w.sample("sundial_metadata_ingested_total", [], Double(s.metadataIngested))
        w.family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge")
        w.sample("process_start_time_seconds", [], startTimeSeconds)
        for e in extra {
            w.family(e.name, e.help, e.type)
            w.sample(e.name, [], e.value)
        }
        return w.bytes
    }
}

/// A small writer of the Prometheus text exposition format 0.0.4 (`expfmt` `MetricFamilyToText`):
/// `# HELP` / `# TYPE` lines, label values escaped (`\\`, `\"`, `\n`), values as Go `'g'`
/// (with `0`, `1`, `-1` written literally, as `expfmt` `writeFloat` does).
struct MetricsTextWriter {
    var bytes: [UInt8] = []

    mutating func family(_ name: String, _ help: String, _ type: String) {
        bytes.append(contentsOf: "# HELP \(name) ".utf8)
        for c in help.utf8 {
            switch c {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            default: bytes.append(c)
            }
        }
        bytes.append(contentsOf: "\n# TYPE \(name) \(type)\n".utf8)
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        bytes.append(contentsOf: name.utf8)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            for (i, (n, v)) in labels.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(contentsOf: n.utf8)
                bytes.append(contentsOf: "=\"".utf8)
                for c in v.utf8 {
                    switch c {
                    case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
                    case UInt8(ascii: "\""): bytes.append(contentsOf: "\\\"".utf8)
                    case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
                    default: bytes.append(c)
                    }
                }
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        switch value {
        case 0: bytes.append(UInt8(ascii: "0"))
        case 1: bytes.append(UInt8(ascii: "1"))
        case -1: bytes.append(contentsOf: "-1".utf8)
        default: GoFloatFormat.appendG(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func histogram(_ name: String, _ help: String, _ label: String, _ hs: [String: ServerMetrics.Histogram]) {
        family(name, help, "histogram")
        for (k, h) in hs.sorted(by: { $0.key < $1.key }) {
            for (i, b) in ServerMetrics.latencyBuckets.enumerated() {
                sample(name + "_bucket", [(label, k), ("le", GoFloatFormat.g(b))], Double(h.counts[i]))
            }
            sample(name + "_bucket", [(label, k), ("le", "+Inf")], Double(h.count))
            sample(name + "_sum", [(label, k)], h.sum)
            sample(name + "_count", [(label, k)], Double(h.count))
        }
    }
}
