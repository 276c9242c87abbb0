import Benchmark
import FoundationEssentials
import SundialCore
import SundialTSDB

#if canImport(Glibc)
import Glibc
#endif

// HeadBenchmarks: micro-benchmarks of the storage hot paths: head append + commit (no WAL), postings selection
// through the head querier, and a WAL-backed commit (DB with its default sync mode) in a temp dir.

/// 10k node_exporter-like label sets (`node_cpu_seconds_total` per cpu and mode over 312 instances,
/// plus some `http_requests_total`).
let seriesLabels: [Labels] = (0..<10_000).map { i in
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    if i % 5 == 4 {
        return Labels([
            Label("__name__", "http_requests_total"), Label("code", ["200", "404", "500"][i % 3]),
            Label("handler", "/api/v1/h\(i % 7)"), Label("instance", "app-\(i / 50):8080"), Label("job", "app"),
        ])
    }
    return Labels([
        Label("__name__", "node_cpu_seconds_total"), Label("cpu", String(i % 4)),
        Label("instance", "host-\(i / 32):9100"), Label("job", "node"), Label("mode", modes[i % 8]),
    ])
}

/// A head holding one sample of every series, and the refs its appender returned.
func populatedHead() throws -> (Head, [SeriesRef]) {
    let head = Head()
    let app = head.appender()
    var refs: [SeriesRef] = []
    refs.reserveCapacity(seriesLabels.count)
    for l in seriesLabels { refs.append(try app.append(ref: .none, labels: l, timestamp: 1_000, value: 1)) }
    try app.commit()
    return (head, refs)
}

func makeTempDir() -> String {
    var template = Array("/tmp/sundial-bench-wal.XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 2_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 100.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            // Chunk cutting and buffer growth allocate every so often: allow a little slack.
            .mallocCountTotal: .init(relative: [.p90: 10.0]),
        ]
    )

    Benchmark("Head append 10k samples (known refs) + commit", configuration: .init(units: [.throughput: .kilo])) { benchmark in
        let (head, refs) = try populatedHead()
        var t: Int64 = 1_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            t += 15_000
            let app = head.appender()
            for (i, ref) in refs.enumerated() {
                _ = try app.append(ref: ref, labels: seriesLabels[i], timestamp: t, value: Double(t))
            }
            try app.commit()
        }
    }

    Benchmark("Head append 10k new series + commit", configuration: .init(maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations {
            benchmark.stopMeasurement()
            let head = Head()
            benchmark.startMeasurement()
            let app = head.appender()
            for l in seriesLabels { _ = try app.append(ref: .none, labels: l, timestamp: 1_000, value: 1) }
            try app.commit()
            blackHole(head)
        }
    }

    let selections: [(String, [LabelMatcher])] = [
        ("name + equal", [.equal("__name__", "node_cpu_seconds_total"), .equal("mode", "idle")]),
        ("name + regex", [.equal("__name__", "http_requests_total"), try! LabelMatcher(.regexMatch, "handler", "/api/v1/h[1-3]")]),
        ("regex .+ on name", [try! LabelMatcher(.regexMatch, "__name__", ".+")]),
        ("name + not-equal + regex", [.equal("__name__", "node_cpu_seconds_total"), try! LabelMatcher(.notEqual, "mode", "idle"),
                                      try! LabelMatcher(.regexMatch, "instance", "host-1.*")]),
    ]
    for (name, matchers) in selections {
        Benchmark("Head select (postings) \(name) over 10k series") { benchmark in
            let (head, _) = try populatedHead()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let q = try head.querier(minTime: 0, maxTime: .max)
                blackHole(try q.select(sorted: true, hints: nil, matchers: matchers).count)
            }
        }
    }

    Benchmark("DB commit 500 samples through the WAL (default sync mode)", configuration: .init(maxIterations: 2_000)) { benchmark in
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try DB.open(directory: dir)
        let app0 = db.appender()
        var refs: [SeriesRef] = []
        for l in seriesLabels.prefix(500) { refs.append(try app0.append(ref: .none, labels: l, timestamp: 1_000, value: 1)) }
        try app0.commit()
        var t: Int64 = 1_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            t += 15_000
            let app = db.appender()
            for (i, ref) in refs.enumerated() {
                _ = try app.append(ref: ref, labels: seriesLabels[i], timestamp: t, value: Double(t))
            }
            try app.commit()
        }
        benchmark.stopMeasurement()
        try db.close()
    }
}
