import Benchmark
import PromQLEngine
import PromQLSyntax
import SundialCore
import SundialTSDB

// Micro-benchmarks of PromQL: parsing, and range evaluation of the issue's three target queries over a
// head holding application-like data (20 targets: 30 `http_requests_total` counters and a 12-bucket
// histogram for 5 handlers each = 1,800 series × 120 samples at 15 s).

let targetQueries: [(String, String)] = [
    ("sum(rate)", "sum(rate(http_requests_total[5m]))"),
    ("histogram_quantile", "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
    ("count(all)", #"count({__name__=~".+"})"#),
]

let startMs: Int64 = 1_795_000_000_000
let intervalMs: Int64 = 15_000
let samplesPerSeries = 120

func applicationHead() throws -> Head {
    let head = Head()
    let handlers = ["/a", "/b", "/c", "/d", "/e"]
    let les = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
    var series: [(Labels, Double)] = []
    for target in 0..<20 {
        let inst = "app-\(target):8080"
        for h in handlers {
            for m in ["GET", "POST"] {
                for c in ["200", "404", "500"] {
                    series.append((Labels([Label("__name__", "http_requests_total"), Label("code", c), Label("handler", h),
                                           Label("instance", inst), Label("job", "app"), Label("method", m)]),
                                   Double(1 + (target + c.count + h.count) % 7)))
                }
            }
            for (i, le) in les.enumerated() {
                series.append((Labels([Label("__name__", "http_request_duration_seconds_bucket"), Label("handler", h),
                                       Label("instance", inst), Label("job", "app"), Label("le", le)]),
                               Double(i + 1) * 2))
            }
        }
    }
    var refs = [SeriesRef](repeating: .none, count: series.count)
    for k in 0..<samplesPerSeries {
        let app = head.appender()
        for (i, (labels, rate)) in series.enumerated() {
            refs[i] = try app.append(ref: refs[i], labels: labels, timestamp: startMs + Int64(k) * intervalMs,
                                     value: rate * Double(k * 15))
        }
        try app.commit()
    }
    return head
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 10_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 100.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            .mallocCountTotal: .init(relative: [.p90: 5.0]),
        ]
    )

    let parseSet = targetQueries.map(\.1) + [
        #"sum by (job, instance) (rate(node_cpu_seconds_total{mode!="idle",instance=~"host-.*"}[5m] offset 1h)) / on (job, instance) group_left count by (job, instance) (node_cpu_seconds_total{mode="idle"})"#,
        #"topk(5, max_over_time(rate(http_requests_total{code=~"5.."}[1m])[30m:1m])) > bool 0.5 or vector(0)"#,
    ]
    Benchmark("PromQL parse 5 queries") { benchmark in
        for _ in benchmark.scaledIterations {
            for q in parseSet { blackHole(try Parser.parse(q)) }
        }
    }

    for (name, query) in targetQueries {
        Benchmark("PromQL range eval \(name), 1.8k series x 120 samples, 30 min at 60 s step",
                  configuration: .init(maxIterations: 500)) { benchmark in
            let head = try applicationHead()
            let engine = Engine()
            let expr = try Parser.parse(query)
            let start = startMs + 5 * 60_000
            let end = startMs + Int64(samplesPerSeries - 1) * intervalMs
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await engine.rangeQuery(expr, start: start, end: end, step: 60_000, storage: head))
            }
        }
    }
}
