import Benchmark
import SundialCore
import SundialHTTP

// Micro-benchmark of the query API's JSON writer: a large matrix (1,000 series × 240 points, the
// size of a Grafana panel over a wide selector) rendered as Prometheus renders it.

let matrix: QueryData = {
    var series: [QueryData.RangeSeries] = []
    for s in 0..<1_000 {
        let labels = Labels([Label("__name__", "node_cpu_seconds_total"), Label("cpu", String(s % 4)),
                             Label("instance", "host-\(s / 4):9100"), Label("job", "node"), Label("mode", "user")])
        let ts = (0..<240).map { 1_795_000_000_000 + Int64($0) * 15_000 }
        let vs = (0..<240).map { Double(s * 1000 + $0) * 0.37 + 1e-3 }
        series.append(.init(labels: labels, timestamps: ts, values: vs))
    }
    return QueryData(.matrix(series))
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 10_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 100.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            .mallocCountTotal: .init(absolute: [.p90: 2]),
        ]
    )

    Benchmark("JSON matrix 1k series x 240 points") { benchmark in
        var w = JSONWriter(capacity: 16 << 20)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            w.bytes.removeAll(keepingCapacity: true)
            matrix.writeJSON(to: &w)
            blackHole(w.bytes.count)
        }
    }
}
