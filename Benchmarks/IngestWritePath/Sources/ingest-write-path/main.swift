import Glibc
import SundialCore
import SundialEncoding
import SundialIngest

// Measures, for requests shaped like Prometheus's queue manager sends them (one sample per
// TimeSeries, node_exporter-like labels) and for multi-sample series:
// - decode: snappy + protobuf into the decoder's reused buffers;
// - write path: decode + label resolution (series cache) + Appender calls + commit, with a storage
//   that only counts, so the figure is SundialIngest's own cost per sample;
// - the series cache's memory for 100k distinct series (RSS growth).

/// An Appendable that accepts everything and stores nothing.
final class NoopStorage: Appendable, @unchecked Sendable {
    final class App: Appender {
        var n = 0
        func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
            n &+= 1
            return ref == .none ? SeriesRef(UInt64(labels.count)) : ref
        }
        func appendMetadata(_ metadata: MetricMetadata) {}
        func commit() throws {}
        func rollback() {}
    }
    func appender() -> any Appender { App() }
}

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func request(series: Int, samplesPerSeries: Int, offset: Int = 0, t0: Int64) -> RemoteWriteRequest {
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    var out: [RemoteWriteRequest.Series] = []
    out.reserveCapacity(series)
    for j in 0..<series {
        let i = j + offset
        let labels = [
            Label("__name__", "node_cpu_seconds_total"), Label("cpu", String(i % 512)),
            Label("instance", "host-\(i / 512).example.internal:9100"), Label("job", "node-exporter"), Label("mode", modes[i % 8]),
            Label("pod", "node-exporter-\(i / 512)-abcde"),
        ]
        out.append(.init(labels: labels, samples: (0..<samplesPerSeries).map { .init(value: Double(i) * 1.25 + Double($0), timestamp: t0 + Int64($0) * 15000) }))
    }
    return RemoteWriteRequest(series: out)
}

func r1(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }

func bench(_ name: String, iterations: Int, samples: Int, bytes: Int, _ body: () throws -> Void) rethrows {
    try body()  // warm
    let c0 = cpuNow()
    for _ in 0..<iterations { try body() }
    let dt = cpuNow() - c0
    let perIter = dt / Double(iterations)
    print("\(name): \(r1(perIter * 1000)) ms/req, \(r1(Double(bytes) / perIter / 1e6)) MB/s (decoded bytes), \(Int(Double(samples) / perIter)) samples/CPU-s")
}

let t0: Int64 = 1_795_000_000_000
if CommandLine.arguments.dropFirst().first == "memory" {
    let big = request(series: 100_000, samplesPerSeries: 1, offset: 1_000_000, t0: t0)
    let body = big.compressed(.v1)
    let d = RemoteWriteDecoder()
    try d.decode(body, version: .v1)
    let r0 = rssKiB()
    var o = RemoteWriteOptions()
    o.seriesCacheEntries = 1 << 20
    let ing = RemoteWriteIngester(storage: NoopStorage(), options: o, now: { t0 })
    _ = try ing.write(body, version: .v1)
    let r1 = rssKiB()
    print("100k series: \(ing.cachedSeriesCount) cached; RSS +\((r1 - r0) / 1024) MiB after the first request (series cache + one pooled decoder of \(d.decodedBytes >> 20) MiB body)")
    withExtendedLifetime(d) {}
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "cold" {
    // The queue manager's pattern at 100k series: requests of 500 one-sample series, each series
    // seen again only after every other series was (so the series cache is always cache-cold, as
    // in `sundial serve` under Benchmarks/compare). Rounds of all 200 requests; best round counts.
    let nSeries = 100_000, perReq = 500, rounds = 6
    var bodies: [[UInt8]] = []
    for r in 0..<(nSeries / perReq) {
        bodies.append(request(series: perReq, samplesPerSeries: 1, offset: r * perReq, t0: t0).compressed(.v1))
    }
    let ing = RemoteWriteIngester(storage: NoopStorage(), now: { t0 })
    for b in bodies { _ = try ing.write(b, version: .v1) }  // fill the cache
    var best = Double.infinity
    for _ in 0..<rounds {
        let c0 = cpuNow()
        for b in bodies {
            let r = try ing.write(b, version: .v1)
            precondition(r.samplesWritten == perReq)
        }
        best = min(best, cpuNow() - c0)
    }
    print("cold 100k series, 500 per request, 1.0: \(r1(best / Double(nSeries) * 1e9)) ns/sample, \(Int(Double(nSeries) / best)) samples/CPU-s (best of \(rounds) rounds)")
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "limits" {
    // Write path with every IngestLimits limit on (set high enough that nothing is refused) vs
    // all off; rounds alternate and the best round of each counts, to damp a shared machine's noise.
    var on = RemoteWriteOptions()
    on.limits.maxSeries = 1_000_000
    on.limits.maxSeriesPerMetric = 1_000_000
    on.limits.maxLabelNamesPerSeries = 30
    on.limits.maxLabelNameLength = 1024
    on.limits.maxLabelValueLength = 2048
    on.limits.ingestionRate = 1e12
    for (label, nSeries, perSeries, iters) in [("10k series x 1 sample", 10_000, 1, 30), ("500 series x 1 sample", 500, 1, 600), ("1k series x 10 samples", 1_000, 10, 150)] {
        let req = request(series: nSeries, samplesPerSeries: perSeries, t0: t0)
        let compressed = req.compressed(.v1)
        let n = nSeries * perSeries
        let off = RemoteWriteIngester(storage: NoopStorage(), now: { t0 })
        let lim = RemoteWriteIngester(storage: NoopStorage(), options: on, now: { t0 })
        var best = [Double.infinity, .infinity]
        for _ in 0..<7 {
            for (k, ing) in [off, lim].enumerated() {
                _ = try ing.write(compressed, version: .v1)
                let c0 = cpuNow()
                for _ in 0..<iters {
                    let r = try ing.write(compressed, version: .v1)
                    precondition(r.samplesWritten == n)
                }
                best[k] = min(best[k], (cpuNow() - c0) / Double(iters))
            }
        }
        print("== \(label), 1.0: limits off \(Int(Double(n) / best[0])) samples/CPU-s, on \(Int(Double(n) / best[1])) samples/CPU-s, cost \(r1((best[1] / best[0] - 1) * 100))%")
    }
    exit(0)
}
for (label, nSeries, perSeries, iters) in [("10k series x 1 sample", 10_000, 1, 60), ("500 series x 1 sample", 500, 1, 1500), ("1k series x 10 samples", 1_000, 10, 300)] {
    let req = request(series: nSeries, samplesPerSeries: perSeries, t0: t0)
    for version in [RemoteWriteVersion.v1, .v2] {
        let compressed = req.compressed(version)
        let raw = req.encoded(version)
        let n = nSeries * perSeries
        print("== \(label), \(version == .v1 ? "1.0" : "2.0"): \(raw.count) bytes decoded, \(compressed.count) compressed")
        let d = RemoteWriteDecoder()
        try bench("decode (protobuf only)", iterations: iters, samples: n, bytes: raw.count) { try d.decode(uncompressed: raw, version: version) }
        try bench("decode (snappy + protobuf)", iterations: iters, samples: n, bytes: raw.count) { try d.decode(compressed, version: version) }
        let ing = RemoteWriteIngester(storage: NoopStorage(), now: { t0 })
        try bench("write path, no-op storage, series cache warm", iterations: iters, samples: n, bytes: raw.count) {
            let r = try ing.write(compressed, version: version)
            precondition(r.samplesWritten == n)
        }
        var o = RemoteWriteOptions()
        o.seriesCacheEntries = 0
        let ing2 = RemoteWriteIngester(storage: NoopStorage(), options: o, now: { t0 })
        try bench("write path, no-op storage, no series cache", iterations: iters, samples: n, bytes: raw.count) {
            let r = try ing2.write(compressed, version: version)
            precondition(r.samplesWritten == n)
        }
    }
}

// Memory of the series cache for 100k distinct series, in a fresh process
// (`ingest-write-path memory`): RSS before and after one 100k-series request through an
// ingester, after the decoder's buffers were sized on a separate decoder.
func rssKiB() -> Int {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(cString: line)
        if s.hasPrefix("VmRSS:") { return Int(s.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0 }
    }
    return 0
}
