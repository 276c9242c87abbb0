// The three queries of issue 5 (Prometheus 2.42: 357 / 1046 / 1325 ms, VictoriaMetrics 1.79:
// 194 / 426 / 974 ms, median) over 100k series, 30 minutes at 15 s, as range queries over the
// whole span at a 60 s step. Data lives in a TSDB head (the real storage path).
#if canImport(Glibc)
import Glibc
#endif
import PromQLEngine
import SundialCore
import SundialTSDB

let seriesTarget = 100_000
let scrape: Int64 = 15_000
let span: Int64 = 30 * 60_000
let start: Int64 = 1_700_000_000_000

let head = Head(options: HeadOptions())


/// Counters http_requests_total (20k series), histogram buckets (12 le × 5k = 60k) and gauges (20k).
func load() throws {
    let les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    var series: [(Labels, Double)] = []  // labels and per-scrape increment
    series.reserveCapacity(seriesTarget)
    for i in 0..<20_000 {
        series.append((Labels(["__name__": "http_requests_total", "job": "api", "instance": "host-\(i / 20)",
                                "path": "/api/v1/p\(i % 20)", "code": i % 20 < 18 ? "200" : "500"]),
                       Double(i % 7 + 1)))
    }
    for h in 0..<5_000 {
        for (k, le) in les.enumerated() {
            series.append((Labels(["__name__": "http_request_duration_seconds_bucket", "job": "api",
                                    "instance": "host-\(h / 10)", "path": "/api/v1/p\(h % 10)", "le": le]),
                           Double(k + 1)))
        }
    }
    for g in 0..<20_000 {
        series.append((Labels(["__name__": "node_memory_bytes", "job": "node", "instance": "host-\(g / 20)",
                                "kind": "k\(g % 20)"]), 0))
    }
    var refs = [SeriesRef](repeating: .none, count: series.count)
    var value = [Double](repeating: 0, count: series.count)
    var t = start
    while t <= start + span {
        let app = head.appender()
        for (i, (labels, inc)) in series.enumerated() {
            value[i] += inc == 0 ? Double.random(in: -1...1) * 1000 : inc
            refs[i] = try app.append(ref: refs[i], labels: labels, timestamp: t, value: value[i])
        }
        try app.commit()
        t += scrape
    }
}

let clock = ContinuousClock()
let loadTime = try clock.measure { try load() }
print("loaded \(seriesTarget) series × \(span / scrape + 1) samples in \(loadTime)")

struct Storage: Queryable {
    let head: Head
    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        try head.querier(minTime: minTime, maxTime: maxTime)
    }
}
let storage = Storage(head: head)
let engine = Engine()
let queries = [
    "sum(rate(http_requests_total[5m]))",
    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    "count({__name__=~\".+\"})",
]
/// CPU time of the whole process, ms (the machine is shared: wall time includes waiting for a core).
func cpuMs() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}
/// Heap bytes and calls allocated so far, when the counting allocator is preloaded
/// (`LD_PRELOAD=libcount.so`, see BENCHMARKS.md); nil otherwise.
typealias CounterFn = @convention(c) () -> UInt64
let allocBytesFn: CounterFn? = dlsym(dlopen(nil, RTLD_NOW), "alloc_counter_bytes")
    .map { unsafeBitCast($0, to: CounterFn.self) }
let allocCallsFn: CounterFn? = dlsym(dlopen(nil, RTLD_NOW), "alloc_counter_calls")
    .map { unsafeBitCast($0, to: CounterFn.self) }
// Arguments: [runs] [query index...] (defaults: 7 runs, all three queries).
let args = CommandLine.arguments.dropFirst()
let runs = args.first.flatMap { Int($0) } ?? 7
let selected = args.dropFirst().compactMap { Int($0) }
for (qi, q) in queries.enumerated() where selected.isEmpty || selected.contains(qi) {
    var times: [Duration] = []
    var cpu: [Double] = []
    var samples = 0
    var allocBytes: [UInt64] = []
    var allocCalls: [UInt64] = []
    for _ in 0..<runs {
        let c0 = cpuMs()
        let b0 = allocBytesFn?() ?? 0, n0 = allocCallsFn?() ?? 0
        let d = try await clock.measure {
            let r = try await engine.rangeQuery(q, start: start, end: start + span, step: 60_000, storage: storage)
            samples = r.samplesProcessed
        }
        allocBytes.append((allocBytesFn?() ?? 0) - b0)
        allocCalls.append((allocCallsFn?() ?? 0) - n0)
        times.append(d)
        cpu.append(cpuMs() - c0)
    }
    times.sort()
    cpu.sort()
    allocBytes.sort()
    allocCalls.sort()
    let ms = { (d: Duration) in Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
    var line = "\(String(describing: q)) wall median \(ms(times[times.count / 2])) ms, min \(ms(times[0])) ms; CPU median \(cpu[cpu.count / 2]) ms, min \(cpu[0]) ms; samples \(samples)"
    if allocBytesFn != nil {
        let b = allocBytes[allocBytes.count / 2], n = allocCalls[allocCalls.count / 2]
        line += "; allocated \(b) bytes in \(n) calls = \(Double(b) / Double(max(1, samples))) bytes/sample"
    }
    print(line)
}
