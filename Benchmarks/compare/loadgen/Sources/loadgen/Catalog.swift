#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast, seedable generator, so the same `--seed` gives
/// byte-identical request bodies on every machine.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// Uniform integer in [0, n).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// How a generated value is rounded, as real exporters report it (byte counts are integers, CPU seconds
/// have centisecond resolution). It matters for the realism of the XOR compression ratio.
enum Rounding {
    case none, integer, hundredths

    func apply(_ v: Double) -> Double {
        switch self {
        case .none: return v
        case .integer: return v.rounded()
        case .hundredths: return (v * 100).rounded() / 100
        }
    }
}

/// One value generator: advances the values of one or more series at each scrape of its target.
/// State lives in the shared `values` array (a counter's state is its current value).
enum Generator {
    /// A value that never changes (`up`, `node_boot_time_seconds`, `process_start_time_seconds`).
    case constant(series: Int, value: Double)
    /// A monotonic counter growing by about `perStep` per scrape (±`jitter` relative).
    case counter(series: Int, perStep: Double, jitter: Double, rounding: Rounding)
    /// A bounded random walk in [lo, hi] moving at most `step` per scrape.
    case gauge(series: Int, lo: Double, hi: Double, step: Double, rounding: Rounding)
    /// The scrape time in seconds (`node_time_seconds`).
    case clock(series: Int)
    /// A classic histogram: cumulative `_bucket` counters for `les` (the last one +Inf), `_sum`, `_count`,
    /// fed with about `perStep` log-normal observations of median `median` seconds per scrape.
    case histogram(buckets: [Int], les: [Double], sum: Int, count: Int, perStep: Double, median: Double)
    /// A summary: quantile gauges, `_sum`, `_count` (Go's `go_gc_duration_seconds`).
    case summary(quantiles: [Int], qs: [Double], sum: Int, count: Int, perStep: Double, scale: Double)

    /// Sets the values of the generator's series for the scrape at `timestampMs`.
    func advance(_ values: inout [Double], timestampMs: Int64, rng: inout SplitMix64) {
        switch self {
        case let .constant(s, v):
            values[s] = v
        case let .counter(s, perStep, jitter, rounding):
            let inc = perStep * (1 + jitter * (2 * rng.unit() - 1))
            values[s] = rounding.apply(values[s] + max(0, inc))
        case let .gauge(s, lo, hi, step, rounding):
            var v = values[s] + step * (2 * rng.unit() - 1)
            if v < lo { v = lo + (lo - v) }
            if v > hi { v = hi - (v - hi) }
            values[s] = rounding.apply(min(max(v, lo), hi))
        case let .clock(s):
            values[s] = Double(timestampMs) / 1000
        case let .histogram(buckets, les, sum, count, perStep, median):
            let n = (perStep * (0.7 + 0.6 * rng.unit())).rounded()
            let sigma = 0.9
            for (i, b) in buckets.enumerated() {
                let le = les[i]
                let frac: Double
                if le.isInfinite {
                    frac = 1
                } else {
                    // Log-normal CDF: 0.5 * (1 + erf((ln x - ln m) / (sigma * sqrt 2))).
                    frac = 0.5 * (1 + erf((log(le) - log(median)) / (sigma * 2.0.squareRoot())))
                }
                values[b] += (n * frac).rounded()
            }
            values[count] += n
            let mean = median * exp(sigma * sigma / 2)
            values[sum] = (values[sum] + n * mean * (0.9 + 0.2 * rng.unit()) * 1e6).rounded() / 1e6
        case let .summary(quantiles, qs, sum, count, perStep, scale):
            for (i, s) in quantiles.enumerated() {
                values[s] = (scale * (0.2 + qs[i] * 2) * (0.9 + 0.2 * rng.unit()) * 1e9).rounded() / 1e9
            }
            let n = (perStep * (0.5 + rng.unit())).rounded()
            values[count] += n
            values[sum] = (values[sum] + n * scale * 1e9).rounded() / 1e9
        }
    }
}

/// A scrape target: a contiguous range of series scraped together at `offsetMs` into each interval.
struct Target {
    var kind: String
    var job: String
    var instance: String
    /// Scrape phase within the interval, in ms, in [0, interval).
    var offsetMs: Int64
    var firstSeries: Int
    var seriesCount: Int
    var generators: [Generator]
}

/// The generated series universe: sorted label sets, targets and their generators.
struct Catalog {
    /// Label pairs of each series, sorted by name (`__name__` first), as remote write requires.
    var labels: [[(String, String)]] = []
    var targets: [Target] = []
    /// Initial values, set when the catalog is built (counters start at a random positive offset).
    var initial: [Double] = []

    var seriesCount: Int { labels.count }
}

/// Builds a target's series and generators. Appends to `catalog` only when `commit` is true, so the
/// caller can first measure a target's size.
private struct TargetBuilder {
    var labels: [[(String, String)]] = []
    var initial: [Double] = []
    var generators: [Generator] = []
    let base: Int
    let job: String
    let instance: String

    init(base: Int, job: String, instance: String) {
        self.base = base
        self.job = job
        self.instance = instance
    }

    mutating func series(_ name: String, _ extra: [(String, String)] = [], initial v: Double = 0) -> Int {
        var l = [("__name__", name), ("job", job), ("instance", instance)] + extra
        l.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        labels.append(l)
        initial.append(v)
        return base + labels.count - 1
    }
}

/// The `le` bounds of the application histograms (Prometheus client defaults, +Inf last).
let histogramBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, .infinity]

/// Formats an `le` bound as Go's client libraries do (`0.005`, `1`, `+Inf`).
func formatLe(_ v: Double) -> String {
    if v.isInfinite { return "+Inf" }
    if v == v.rounded() { return String(Int(v)) }
    return String(v)
}

private func buildNode(_ b: inout TargetBuilder, rng: inout SplitMix64) {
    let g = { (gen: Generator, b: inout TargetBuilder) in b.generators.append(gen) }
    g(.constant(series: b.series("up", initial: 1), value: 1), &b)
    let cpus = 4
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    let modeShare: [Double] = [0.7, 0.02, 0.001, 0.001, 0.01, 0.0, 0.08, 0.18]
    for cpu in 0..<cpus {
        for (i, mode) in modes.enumerated() {
            let s = b.series("node_cpu_seconds_total", [("cpu", String(cpu)), ("mode", mode)],
                             initial: (1e5 * modeShare[i] * rng.uniform(0.5, 1.5)).rounded() / 100)
            g(.counter(series: s, perStep: 15 * modeShare[i], jitter: 0.5, rounding: .hundredths), &b)
        }
    }
    let total = Double(8 << 30)
    g(.constant(series: b.series("node_memory_MemTotal_bytes", initial: total), value: total), &b)
    for (name, lo, hi) in [("node_memory_MemFree_bytes", 0.05, 0.3), ("node_memory_MemAvailable_bytes", 0.3, 0.7),
                           ("node_memory_Buffers_bytes", 0.01, 0.03), ("node_memory_Cached_bytes", 0.2, 0.4),
                           ("node_memory_SwapFree_bytes", 0.1, 0.2)] {
        let s = b.series(name, initial: (total * (lo + hi) / 2).rounded())
        g(.gauge(series: s, lo: total * lo, hi: total * hi, step: 4096 * 64, rounding: .integer), &b)
    }
    for name in ["node_load1", "node_load5", "node_load15"] {
        let s = b.series(name, initial: 1)
        g(.gauge(series: s, lo: 0, hi: 4, step: 0.2, rounding: .hundredths), &b)
    }
    for (dev, fstype, mp) in [("/dev/sda1", "ext4", "/"), ("/dev/sda2", "ext4", "/var"), ("tmpfs", "tmpfs", "/run")] {
        let extra = [("device", dev), ("fstype", fstype), ("mountpoint", mp)]
        let size = Double(Int(rng.uniform(20, 200)) << 30)
        g(.constant(series: b.series("node_filesystem_size_bytes", extra, initial: size), value: size), &b)
        let s = b.series("node_filesystem_avail_bytes", extra, initial: (size * 0.5).rounded())
        g(.gauge(series: s, lo: size * 0.2, hi: size * 0.8, step: 4096 * 256, rounding: .integer), &b)
        let f = b.series("node_filesystem_files_free", extra, initial: 1_000_000)
        g(.gauge(series: f, lo: 900_000, hi: 1_100_000, step: 50, rounding: .integer), &b)
    }
    for dev in ["eth0", "lo"] {
        for (name, rate) in [("node_network_receive_bytes_total", 2e5), ("node_network_transmit_bytes_total", 1e5),
                             ("node_network_receive_packets_total", 300.0), ("node_network_transmit_packets_total", 200.0)] {
            let s = b.series(name, [("device", dev)], initial: (rng.uniform(1e6, 1e9)).rounded())
            g(.counter(series: s, perStep: 15 * rate * rng.uniform(0.2, 2), jitter: 0.8, rounding: .integer), &b)
        }
    }
    for dev in ["sda", "sdb"] {
        for (name, rate, r) in [("node_disk_read_bytes_total", 5e4, Rounding.integer),
                                ("node_disk_written_bytes_total", 2e5, .integer),
                                ("node_disk_io_time_seconds_total", 0.05, .hundredths)] {
            let s = b.series(name, [("device", dev)], initial: r.apply(rng.uniform(1e3, 1e6)))
            g(.counter(series: s, perStep: 15 * rate * rng.uniform(0.2, 2), jitter: 0.9, rounding: r), &b)
        }
    }
    for (name, rate) in [("node_context_switches_total", 3000.0), ("node_intr_total", 2000.0), ("node_forks_total", 5.0)] {
        let s = b.series(name, initial: (rng.uniform(1e5, 1e8)).rounded())
        g(.counter(series: s, perStep: 15 * rate, jitter: 0.3, rounding: .integer), &b)
    }
    let boot = 1.7e9 + Double(rng.below(1_000_000))
    g(.constant(series: b.series("node_boot_time_seconds", initial: boot), value: boot), &b)
    g(.clock(series: b.series("node_time_seconds")), &b)
}

private func buildApp(_ b: inout TargetBuilder, rng: inout SplitMix64) {
    let g = { (gen: Generator, b: inout TargetBuilder) in b.generators.append(gen) }
    g(.constant(series: b.series("up", initial: 1), value: 1), &b)
    let handlers = ["/api/v1/items", "/api/v1/orders", "/api/v1/users", "/healthz", "/login"]
    let handlerRate: [Double] = [40, 12, 25, 1, 3]
    for (h, handler) in handlers.enumerated() {
        for (method, mShare) in [("GET", 0.8), ("POST", 0.2)] {
            for (code, cShare) in [("200", 0.95), ("404", 0.04), ("500", 0.01)] {
                let rate = handlerRate[h] * mShare * cShare * rng.uniform(0.5, 1.5)
                let s = b.series("http_requests_total", [("code", code), ("handler", handler), ("method", method)],
                                 initial: (rng.uniform(0, 1e5) * mShare * cShare).rounded())
                g(.counter(series: s, perStep: 15 * rate, jitter: 0.5, rounding: .integer), &b)
            }
        }
    }
    for (h, handler) in handlers.enumerated() {
        var buckets: [Int] = []
        for le in histogramBounds {
            buckets.append(b.series("http_request_duration_seconds_bucket", [("handler", handler), ("le", formatLe(le))]))
        }
        let sum = b.series("http_request_duration_seconds_sum", [("handler", handler)])
        let count = b.series("http_request_duration_seconds_count", [("handler", handler)])
        g(.histogram(buckets: buckets, les: histogramBounds, sum: sum, count: count,
                     perStep: 15 * handlerRate[h] * rng.uniform(0.5, 1.5), median: rng.uniform(0.01, 0.3)), &b)
    }
    let cpu = b.series("process_cpu_seconds_total", initial: (rng.uniform(10, 1e4)).rounded() / 100)
    g(.counter(series: cpu, perStep: 15 * rng.uniform(0.05, 0.8), jitter: 0.5, rounding: .hundredths), &b)
    let rss = b.series("process_resident_memory_bytes", initial: 1e8)
    g(.gauge(series: rss, lo: 5e7, hi: 3e8, step: 4096 * 128, rounding: .integer), &b)
    let vms = b.series("process_virtual_memory_bytes", initial: 1e9)
    g(.gauge(series: vms, lo: 8e8, hi: 1.5e9, step: 4096 * 64, rounding: .integer), &b)
    let fds = b.series("process_open_fds", initial: 50)
    g(.gauge(series: fds, lo: 10, hi: 200, step: 3, rounding: .integer), &b)
    let start = 1.7e9 + Double(rng.below(1_000_000)) + 0.5
    g(.constant(series: b.series("process_start_time_seconds", initial: start), value: start), &b)
    let gor = b.series("go_goroutines", initial: 100)
    g(.gauge(series: gor, lo: 20, hi: 500, step: 10, rounding: .integer), &b)
    let thr = b.series("go_threads", initial: 12)
    g(.gauge(series: thr, lo: 8, hi: 20, step: 1, rounding: .integer), &b)
    let alloc = b.series("go_memstats_alloc_bytes", initial: 3e7)
    g(.gauge(series: alloc, lo: 1e7, hi: 1e8, step: 1e6, rounding: .integer), &b)
    let heap = b.series("go_memstats_heap_inuse_bytes", initial: 4e7)
    g(.gauge(series: heap, lo: 2e7, hi: 1.2e8, step: 8192 * 64, rounding: .integer), &b)
    let qs: [Double] = [0, 0.25, 0.5, 0.75, 1]
    var quantiles: [Int] = []
    for q in qs { quantiles.append(b.series("go_gc_duration_seconds", [("quantile", q == 0 ? "0" : q == 1 ? "1" : String(q))])) }
    let gsum = b.series("go_gc_duration_seconds_sum")
    let gcount = b.series("go_gc_duration_seconds_count")
    g(.summary(quantiles: quantiles, qs: qs, sum: gsum, count: gcount, perStep: rng.uniform(1, 10), scale: 1e-4), &b)
    for queue in ["billing", "email", "search"] {
        let s = b.series("app_queue_length", [("queue", queue)], initial: 10)
        g(.gauge(series: s, lo: 0, hi: 1000, step: 20, rounding: .integer), &b)
    }
}

/// Builds whole node_exporter-like and application-like targets, alternating, while the next whole target
/// still fits in `maxSeries` (so no histogram is cut in half); the real count is `seriesCount`.
func buildCatalog(maxSeries: Int, intervalMs: Int64, seed: UInt64) -> Catalog {
    var rng = SplitMix64(seed: seed)
    var cat = Catalog()
    var nodeN = 0
    var appN = 0
    var preferNode = true
    while true {
        var built: TargetBuilder? = nil
        for kind in (preferNode ? ["node", "app"] : ["app", "node"]) {
            var trial = rng
            var b: TargetBuilder
            if kind == "node" {
                b = TargetBuilder(base: cat.seriesCount, job: "node",
                                  instance: "host-\(String(nodeN + 1).leftPadded(to: 4)):9100")
                buildNode(&b, rng: &trial)
            } else {
                b = TargetBuilder(base: cat.seriesCount, job: "app",
                                  instance: "app-\(String(appN + 1).leftPadded(to: 4)):8080")
                buildApp(&b, rng: &trial)
            }
            if cat.seriesCount + b.labels.count <= maxSeries {
                rng = trial
                built = b
                break
            }
        }
        guard let b = built else { break }
        let offset = Int64(rng.below(Int(intervalMs)))
        cat.targets.append(Target(kind: b.job, job: b.job, instance: b.instance, offsetMs: offset,
                                  firstSeries: b.base, seriesCount: b.labels.count, generators: b.generators))
        cat.labels += b.labels
        cat.initial += b.initial
        if b.job == "node" { nodeN += 1 } else { appN += 1 }
        preferNode.toggle()
    }
    // Scrape order within an interval: by phase, so samples leave in time order.
    cat.targets.sort { $0.offsetMs < $1.offsetMs || ($0.offsetMs == $1.offsetMs && $0.firstSeries < $1.firstSeries) }
    return cat
}

extension String {
    func leftPadded(to n: Int) -> String {
        count >= n ? self : String(repeating: "0", count: n - count) + self
    }
}
