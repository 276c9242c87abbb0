import Foundation
import SundialCore
import SundialIngest
import SundialTestSupport

/// A deterministic stand-in for the PromQL compliance tester's data: three
/// `prometheus-demo-service` targets (`demo.promlabs.com:10000..10002`, job `demo`) scraped every
/// 5 s for 100 minutes, as a Prometheus scraper would have stored them (see
/// testdata/promql-compliance/README.md for the families, label sets and events).
///
/// What a real scrape loop does is reproduced: each target has its own fixed offset within the
/// 5 s interval plus a jitter of up to ±3 ms per scrape; a failed scrape writes a staleness marker
/// (`StaleMarker.value`) for every series of the previous scrape; a series that disappears from a
/// successful scrape (`demo_intermittent_metric`) gets a staleness marker at that scrape.
///
/// Events, all deterministic (seeded `SplitMix64`):
/// - `:10001` is down for scrapes 816–818 (minute 68) and restarts: every series goes stale, then
///   its counters (CPU, histogram) restart from 0 and its batch timestamp from 0;
/// - `:10002` restarts between scrapes 851 and 852 (minute 71): counters reset without a gap;
/// - `demo_intermittent_metric` disappears and reappears on every target;
/// - the data starts at 2026-01-31T22:37:00Z, so the default window (minutes 78–88) crosses
///   midnight into February (date functions).
///
/// Not thread-safe to build; the finished value is immutable.
struct ComplianceDemoData: Sendable {
    /// One series with its samples in time order (milliseconds, values; stale markers included).
    struct Series: Sendable {
        var labels: [Label]
        var timestamps: [Timestamp] = []
        var values: [Double] = []
    }

    static let instances = ["demo.promlabs.com:10000", "demo.promlabs.com:10001", "demo.promlabs.com:10002"]
    /// 2026-01-31T22:37:00Z in milliseconds.
    static let start: Timestamp = 1_769_899_020_000
    /// The scrape interval in milliseconds.
    static let interval: Int64 = 5_000
    /// Scrapes per target (100 minutes).
    static let scrapes = 1200
    /// `:10001` fails these scrapes, then restarts.
    static let outage = 816..<819
    /// `:10002` restarts just before this scrape (no gap).
    static let quickRestart = 852

    /// Upper bounds of the request-duration histogram (`le` as the Go client prints them), then `+Inf`.
    static let buckets = ["0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                          "0.25", "+Inf"]
    /// (method, path, status) of the API histogram, with a request rate per second and a typical duration.
    static let endpoints: [(method: String, path: String, status: String, rate: Double, seconds: Double)] = [
        ("GET", "/api/foo", "200", 4.1, 0.009), ("GET", "/api/foo", "500", 0.3, 0.004),
        ("POST", "/api/foo", "200", 1.7, 0.014), ("POST", "/api/foo", "500", 0.2, 0.006),
        ("GET", "/api/bar", "200", 2.6, 0.031), ("GET", "/api/bar", "500", 0.15, 0.012),
        ("POST", "/api/bar", "200", 0.9, 0.047), ("POST", "/api/bar", "500", 0.1, 0.02),
        ("GET", "/api/nonexistent", "404", 0.6, 0.0004), ("POST", "/api/nonexistent", "404", 0.25, 0.0006),
    ]

    let series: [Series]

    /// The last sample timestamp of all series (milliseconds).
    var lastTimestamp: Timestamp { series.map { $0.timestamps.last ?? 0 }.max() ?? 0 }

    /// Number of samples, stale markers included.
    var sampleCount: Int { series.reduce(0) { $0 + $1.timestamps.count } }

    init() {
        var all: [Series] = []
        for (k, instance) in Self.instances.enumerated() {
            all += Self.target(k, instance)
        }
        series = all
    }

    /// A remote-write 1.0 body: the protobuf `WriteRequest`, framed as snappy's block format with
    /// literal elements only (valid snappy, uncompressed; cheap to make and to decode in a debug build).
    static func body(_ req: RemoteWriteRequest) -> [UInt8] {
        let data = req.encoded(.v1)
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 65536 * 3 + 16)
        var n = UInt64(data.count)
        while n >= 0x80 {
            out.append(UInt8(n & 0x7F) | 0x80)
            n >>= 7
        }
        out.append(UInt8(n))
        var i = 0
        while i < data.count {
            let len = min(65536, data.count - i)
            let m = len - 1
            if m < 60 {
                out.append(UInt8(m << 2))
            } else if m < 256 {
                out += [60 << 2, UInt8(m)]
            } else {
                out += [61 << 2, UInt8(m & 0xFF), UInt8(m >> 8)]
            }
            out += data[i..<(i + len)]
            i += len
        }
        return out
    }

    /// Remote-write requests of all series, each covering `minutes` of data, in time order (an
    /// empty Prometheus head accepts old samples as long as they arrive in time order within 1 h).
    func requests(minutes: Int = 10) -> [RemoteWriteRequest] {
        let span = Int64(minutes) * 60_000
        var out: [RemoteWriteRequest] = []
        var from = Self.start - Self.interval
        let last = lastTimestamp
        var cursors = [Int](repeating: 0, count: series.count)
        while from <= last {
            let to = from + span
            var req = RemoteWriteRequest(series: [])
            for (i, s) in series.enumerated() {
                var samples: [RemoteWriteRequest.Sample] = []
                while cursors[i] < s.timestamps.count, s.timestamps[cursors[i]] < to {
                    samples.append(.init(value: s.values[cursors[i]], timestamp: s.timestamps[cursors[i]]))
                    cursors[i] += 1
                }
                if !samples.isEmpty { req.series.append(.init(labels: s.labels, samples: samples)) }
            }
            if !req.series.isEmpty { out.append(req) }
            from = to
        }
        return out
    }

    // MARK: - One target

    /// Labels sorted by name, as remote write 1.0 requires.
    static func labels(_ pairs: [(String, String)]) -> [Label] {
        pairs.sorted { $0.0 < $1.0 }.map { Label($0.0, $0.1) }
    }

    /// A roughly normal number (mean 0, deviation ~1) from three uniforms.
    static func gauss(_ rng: inout SplitMix64) -> Double {
        var s = 0.0
        for _ in 0..<3 { s += Double(rng.next() >> 11) / Double(1 << 53) }
        return (s - 1.5) * 2
    }

    static func uniform(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    static func target(_ k: Int, _ instance: String) -> [Series] {
        var rng = SplitMix64(seed: 0x5EED_0000 + UInt64(k))
        let base: [(String, String)] = [("instance", instance), ("job", "demo")]
        func make(_ name: String, _ extra: [(String, String)] = []) -> Series {
            Series(labels: labels([("__name__", name)] + base + extra))
        }
        let cpus = [4.0, 8.0, 6.0][k]
        let memTypes = ["buffers", "cached", "free", "used"]
        let modes = ["idle", "system", "user"]
        let bounds = buckets.map { Double($0)! }

        // Series indices: 0 num_cpus, 1..4 memory, 5..7 cpu, 8 disk, 9 batch, 10 intermittent,
        // then per endpoint: buckets…, _sum, _count.
        var out: [Series] = [make("demo_num_cpus")]
        out += memTypes.map { make("demo_memory_usage_bytes", [("type", $0)]) }
        out += modes.map { make("demo_cpu_usage_seconds_total", [("mode", $0)]) }
        out.append(make("demo_disk_usage_bytes"))
        out.append(make("demo_batch_last_success_timestamp_seconds"))
        out.append(make("demo_intermittent_metric"))
        let histBase = out.count
        let perEndpoint = buckets.count + 2
        for e in endpoints {
            let l = [("method", e.method), ("path", e.path), ("status", e.status)]
            for b in buckets { out.append(make("demo_api_request_duration_seconds_bucket", l + [("le", b)])) }
            out.append(make("demo_api_request_duration_seconds_sum", l))
            out.append(make("demo_api_request_duration_seconds_count", l))
        }

        // Process state (reset on restart).
        var cpuTotals = [0.0, 0.0, 0.0]
        var bucketCounts = [[Double]](repeating: [Double](repeating: 0, count: buckets.count), count: endpoints.count)
        var sums = [Double](repeating: 0, count: endpoints.count)
        var batchLast = 0.0
        // Slowly varying state (survives restarts: it models the machine).
        let memTotal = [8.0, 16.0, 12.0][k] * 1_073_741_824
        var used = memTotal * (0.35 + 0.1 * Double(k))
        var disk = 21_474_836_480.0 + Double(k) * 3_221_225_472
        var intermittentOn = true
        var intermittentLeft = 20 + rng.below(30)
        var intermittentValue = Double(rng.below(10))

        let offset = Int64((k * 1637 + 211) % 5000)
        let batchPeriod = 60 + 30 * k            // seconds between batch runs
        let batchPhase = (k * 17) % batchPeriod
        var wasPresent = [Bool](repeating: false, count: out.count)
        var prevT: Timestamp = start + offset - interval

        func restart() {
            cpuTotals = [0, 0, 0]
            bucketCounts = bucketCounts.map { $0.map { _ in 0 } }
            sums = sums.map { _ in 0 }
            batchLast = 0
        }

        for i in 0..<scrapes {
            let jitter = Int64(rng.below(7)) - 3
            let t = start + offset + Int64(i) * interval + jitter
            let seconds = Double(t - prevT) / 1000
            if k == 1, outage.contains(i) {
                // A failed scrape: stale markers for everything the last scrape returned.
                if i == outage.lowerBound {
                    for j in out.indices where wasPresent[j] {
                        out[j].timestamps.append(t)
                        out[j].values.append(StaleMarker.value)
                        wasPresent[j] = false
                    }
                }
                if i == outage.upperBound - 1 { restart() }
                prevT = t
                continue
            }
            if k == 2, i == quickRestart { restart() }

            var present = [Bool](repeating: true, count: out.count)
            var v = [Double](repeating: 0, count: out.count)
            v[0] = cpus
            // Memory: `used` wanders, buffers/cached follow, free is the rest (whole bytes).
            used = min(memTotal * 0.9, max(memTotal * 0.2, used + gauss(&rng) * memTotal * 0.004))
            let buffers = (memTotal * 0.03 + gauss(&rng) * 2_000_000).rounded()
            let cached = (memTotal * 0.18 + sin(Double(i) / 40) * memTotal * 0.02).rounded()
            let usedBytes = used.rounded()
            v[1] = buffers
            v[2] = cached
            v[3] = memTotal - usedBytes - buffers - cached
            v[4] = usedBytes
            // CPU seconds per mode.
            let user = min(0.95, max(0.02, 0.3 + 0.15 * sin(Double(i) / 90 + Double(k)) + gauss(&rng) * 0.03))
            let system = min(0.3, max(0.01, 0.08 + gauss(&rng) * 0.01))
            let fractions = [1 - user - system, system, user]
            for m in 0..<3 {
                cpuTotals[m] += seconds * cpus * fractions[m]
                v[5 + m] = cpuTotals[m]
            }
            // Disk: grows, now and then cleaned up.
            disk += 150_000 + uniform(&rng) * 1_900_000
            if rng.chance(1) && rng.chance(30) { disk -= 4_294_967_296 }
            v[8] = disk.rounded()
            // Batch job: runs every `batchPeriod` s, succeeds 80% of the time.
            let secondOfRun = Int((t - start) / 1000)
            if (secondOfRun + batchPhase) % batchPeriod < 5, rng.chance(80) {
                batchLast = Double(t / 1000)
            }
            v[9] = batchLast
            // Intermittent metric: on for 20–50 scrapes, off for 6–20.
            intermittentLeft -= 1
            if intermittentLeft <= 0 {
                intermittentOn.toggle()
                intermittentLeft = intermittentOn ? 20 + rng.below(30) : 6 + rng.below(14)
                if intermittentOn { intermittentValue = Double(rng.below(10)) }
            }
            present[10] = intermittentOn
            v[10] = intermittentValue
            // API histogram: observations since the last scrape.
            for (e, ep) in endpoints.enumerated() {
                let expected = ep.rate * seconds * (1 + 0.3 * sin(Double(i) / 55 + Double(e)))
                let n = max(0, Int((expected + gauss(&rng) * expected.squareRoot()).rounded()))
                for _ in 0..<n {
                    let d = ep.seconds * exp(gauss(&rng) * 0.9)
                    sums[e] += d
                    for (b, bound) in bounds.enumerated() where d <= bound { bucketCounts[e][b] += 1 }
                }
                let at = histBase + e * perEndpoint
                for b in 0..<buckets.count { v[at + b] = bucketCounts[e][b] }
                v[at + buckets.count] = sums[e]
                v[at + buckets.count + 1] = bucketCounts[e][buckets.count - 1]
            }

            for j in out.indices {
                if present[j] {
                    out[j].timestamps.append(t)
                    out[j].values.append(v[j])
                } else if wasPresent[j] {
                    out[j].timestamps.append(t)
                    out[j].values.append(StaleMarker.value)
                }
                wasPresent[j] = present[j]
            }
            prevT = t
        }
        return out
    }
}
