import SundialCore
import SundialTSDB
#if canImport(Glibc)
import Glibc
#endif

/// The deterministic workload of `sundial tsdb bench write`: label sets of node-exporter-like and
/// application-like scrape targets, and each series' value as a pure function of (series, round),
/// so writer threads share nothing mutable.
final class BenchWorkload: @unchecked Sendable {
    enum Kind {
        /// Monotonic: `base + round·step + wobble(round)`, `wobble < step`, scaled by `scale`.
        case counter(base: Double, step: Int, wobble: Int, scale: Double)
        /// Oscillating, quantized: `base + amplitude·sin(round/period + phase)` rounded to `quantum`.
        case gauge(base: Double, amplitude: Double, period: Double, phase: Double, quantum: Double)
        /// A classic histogram bucket: `floor(cdf · count(round))` of histogram `id`.
        case bucket(id: Int, cdf: Double)
        /// A histogram's `_count`.
        case histogramCount(id: Int)
        /// A histogram's `_sum`: count × mean latency, in ms resolution.
        case histogramSum(id: Int, mean: Double)
    }

    /// Scrape interval (ms).
    static let interval: Int64 = 15_000
    /// First scrape time (ms): 2023-11-14T22:13:20Z.
    static let start: Int64 = 1_700_000_000_000

    let labels: [Labels]
    let kinds: [Kind]
    /// Scrape offset of each series' target within the interval (ms).
    let offsets: [Int64]
    let targetIDs: [UInt64]
    let refs: RefCache

    init(seriesCount: Int) {
        var labels: [Labels] = []
        var kinds: [Kind] = []
        var offsets: [Int64] = []
        var targets: [UInt64] = []
        labels.reserveCapacity(seriesCount)
        var target = 0
        var histogramID = 0
        while labels.count < seriesCount {
            let offset = Int64(BenchWorkload.mix(UInt64(target) &+ 77) % UInt64(BenchWorkload.interval))
            let before = labels.count
            if target % 2 == 0 {
                BenchWorkload.nodeTarget(target, into: &labels, &kinds)
            } else {
                BenchWorkload.appTarget(target, histogramID: &histogramID, into: &labels, &kinds)
            }
            for _ in before..<labels.count {
                offsets.append(offset)
                targets.append(UInt64(target))
            }
            target += 1
        }
        labels.removeSubrange(seriesCount...)
        kinds.removeSubrange(seriesCount...)
        offsets.removeSubrange(seriesCount...)
        targets.removeSubrange(seriesCount...)
        self.labels = labels
        self.kinds = kinds
        self.offsets = offsets
        self.targetIDs = targets
        self.refs = RefCache(count: seriesCount)
    }

    /// SplitMix64 finalizer: a deterministic hash.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The sample of series `s` in scrape round `round`: (timestamp ms, value).
    @inline(__always)
    func sample(series s: Int, round: Int) -> (Int64, Double) {
        let target = targetIDs[s]
        // Scrape jitter of 0–2 ms per target and round, as real scrapes have.
        let jitter = Int64(BenchWorkload.mix(target &* 1_000_003 &+ UInt64(round)) % 3)
        let t = BenchWorkload.start + offsets[s] + Int64(round) * BenchWorkload.interval + jitter
        return (t, value(kinds[s], series: UInt64(s), round: round))
    }

    @inline(__always)
    func value(_ kind: Kind, series: UInt64, round: Int) -> Double {
        switch kind {
        case let .counter(base, step, wobble, scale):
            let w = Int(BenchWorkload.mix(series &* 31 &+ UInt64(round)) % UInt64(wobble))
            return (base + Double(round * step + w)) * scale
        case let .gauge(base, amplitude, period, phase, quantum):
            let raw = base + amplitude * sin(Double(round) / period + phase)
            return (raw / quantum).rounded() * quantum
        case let .bucket(id, cdf):
            return (cdf * histogramCount(id, round)).rounded(.down)
        case let .histogramCount(id):
            return histogramCount(id, round)
        case let .histogramSum(id, mean):
            return (histogramCount(id, round) * mean * 1000).rounded() / 1000
        }
    }

    @inline(__always)
    func histogramCount(_ id: Int, _ round: Int) -> Double {
        let w = Int(BenchWorkload.mix(UInt64(id) &* 7919 &+ UInt64(round)) % 40)
        return Double(1000 + round * 40 + w)
    }

    static func nodeTarget(_ n: Int, into labels: inout [Labels], _ kinds: inout [Kind]) {
        let instance = "10.\(n / 65536 % 256).\(n / 256 % 256).\(n % 256):9100"
        func add(_ name: String, _ extra: [(String, String)], _ kind: Kind) {
            labels.append(Labels([Label("__name__", name), Label("instance", instance), Label("job", "node")]
                + extra.map { Label($0.0, $0.1) }))
            kinds.append(kind)
        }
        let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
        let shares = [1350, 20, 1, 2, 5, 0, 60, 150]  // hundredths of a CPU-second per 15 s
        for cpu in 0..<4 {
            for (m, mode) in modes.enumerated() {
                let step = shares[m]
                add("node_cpu_seconds_total", [("cpu", "\(cpu)"), ("mode", mode)],
                    .counter(base: Double(mix(UInt64(n * 64 + cpu * 8 + m)) % 10_000_000), step: max(step, 1), wobble: max(1, step / 2), scale: 0.01))
            }
        }
        for (i, mem) in ["MemFree", "MemAvailable", "Cached", "Buffers"].enumerated() {
            add("node_memory_\(mem)_bytes", [],
                .gauge(base: Double(2 + i) * 1e9, amplitude: 2e8, period: 37 + Double(i), phase: Double(n % 7), quantum: 4096))
        }
        for dev in ["eth0", "lo"] {
            for dir in ["receive", "transmit"] {
                add("node_network_\(dir)_bytes_total", [("device", dev)],
                    .counter(base: 1e9, step: dev == "lo" ? 2000 : 150_000, wobble: dev == "lo" ? 1000 : 100_000, scale: 1))
            }
        }
        for (mount, dev) in [("/", "/dev/sda1"), ("/boot", "/dev/sda2")] {
            add("node_filesystem_avail_bytes", [("device", dev), ("fstype", "ext4"), ("mountpoint", mount)],
                .gauge(base: 5e10, amplitude: 1e7, period: 200, phase: 0, quantum: 4096))
        }
        for (i, load) in ["node_load1", "node_load5", "node_load15"].enumerated() {
            add(load, [], .gauge(base: 1.5, amplitude: 0.8 / Double(i + 1), period: 11 + Double(i) * 5, phase: Double(n % 5), quantum: 0.01))
        }
        for dir in ["read", "written"] {
            add("node_disk_\(dir)_bytes_total", [("device", "sda")], .counter(base: 5e9, step: 409_600, wobble: 204_800, scale: 1))
        }
    }

    static let bucketBounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    static let bucketCDF = [0.05, 0.12, 0.3, 0.55, 0.75, 0.88, 0.94, 0.97, 0.99, 0.995, 0.999, 1.0]

    static func appTarget(_ n: Int, histogramID: inout Int, into labels: inout [Labels], _ kinds: inout [Kind]) {
        let instance = "app-\(n):8080"
        func add(_ name: String, _ extra: [(String, String)], _ kind: Kind) {
            labels.append(Labels([Label("__name__", name), Label("instance", instance), Label("job", "api")]
                + extra.map { Label($0.0, $0.1) }))
            kinds.append(kind)
        }
        let handlers = ["/api/v1/query", "/api/v1/write", "/metrics"]
        for h in handlers {
            for method in ["GET", "POST"] {
                for code in ["200", "500"] {
                    let step = code == "200" ? 300 : 2
                    add("http_requests_total", [("code", code), ("handler", h), ("method", method)],
                        .counter(base: 0, step: step, wobble: max(1, step / 3), scale: 1))
                }
            }
        }
        for h in handlers {
            let id = histogramID
            histogramID += 1
            for (i, le) in bucketBounds.enumerated() {
                add("http_request_duration_seconds_bucket", [("handler", h), ("le", le)], .bucket(id: id, cdf: bucketCDF[i]))
            }
            add("http_request_duration_seconds_sum", [("handler", h)], .histogramSum(id: id, mean: 0.0873))
            add("http_request_duration_seconds_count", [("handler", h)], .histogramCount(id: id))
        }
        add("process_resident_memory_bytes", [], .gauge(base: 3e8, amplitude: 5e7, period: 23, phase: Double(n % 3), quantum: 4096))
        add("go_goroutines", [], .gauge(base: 120, amplitude: 30, period: 7, phase: 0, quantum: 1))
        add("process_cpu_seconds_total", [], .counter(base: 1000, step: 45, wobble: 20, scale: 0.01))
        add("go_memstats_alloc_bytes", [], .gauge(base: 8e7, amplitude: 3e7, period: 5, phase: 1, quantum: 8))
    }
}

extension BenchWorkload {
    /// Appends series `s`'s sample as a scraper or a remote-write receiver with a series cache
    /// does (and as promtool's `tsdb bench write` does with `Appender.Append(ref, …)`): by its
    /// label set until the ref is known, then by the ref alone
    /// (``Appender/append(ref:timestamp:value:)``, no label set passed or retained); a ref the
    /// storage no longer knows is retried with the label set. Returns false when the sample was
    /// refused.
    @inline(__always)
    static func append(_ app: any Appender, _ workload: BenchWorkload, series s: Int, _ t: Int64, _ v: Double) -> Bool {
        do {
            let ref = workload.refs.ref(s)
            if ref != .none, try app.append(ref: ref, timestamp: t, value: v) != nil { return true }
            _ = try app.append(ref: .none, labels: workload.labels[s], timestamp: t, value: v)
            return true
        } catch {
            return false
        }
    }
}

/// Series refs learned after the first round, passed back as append hints (as a scraper caches
/// them). Written only between rounds (single-threaded), read concurrently during rounds.
final class RefCache: @unchecked Sendable {
    private var refs: [SeriesRef]
    private var published = false
    init(count: Int) { refs = Array(repeating: .none, count: count) }
    @inline(__always) func ref(_ s: Int) -> SeriesRef { refs[s] }
    /// Fills the cache from the head once (call between rounds).
    func publish(_ head: Head, _ labels: [Labels]) {
        guard !published else { return }
        published = true
        for (i, l) in labels.enumerated() { refs[i] = head.series(labels: l)?.ref ?? .none }
    }
}
