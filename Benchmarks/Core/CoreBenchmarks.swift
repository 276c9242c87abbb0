import Benchmark
import SundialCore

// Micro-benchmarks of SundialCore's hot vocabulary: label matchers (RE2, with the literal fast paths)
// as postings selection and the engine apply them, and label-set hashing/comparison as the head's
// series lookup uses them. One iteration runs over the whole fixture (10k values or label sets).

/// 10k label values like a large `instance`/`handler`/`__name__` column.
let labelValues: [String] = (0..<10_000).map { i in
    switch i % 4 {
    case 0: "host-\(i):9100"
    case 1: "/api/v1/items/\(i)"
    case 2: "node_cpu_seconds_total_\(i % 97)"
    default: "app-\(i % 313).prod.example.com:8080"
    }
}

let labelSets: [Labels] = (0..<10_000).map { i in
    Labels([
        Label("__name__", ["http_requests_total", "node_cpu_seconds_total", "go_goroutines"][i % 3]),
        Label("instance", "host-\(i / 20):9100"),
        Label("job", i % 2 == 0 ? "node" : "app"),
        Label("mode", ["idle", "user", "system", "iowait"][i % 4]),
        Label("cpu", String(i % 8)),
    ])
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 100.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            .mallocCountTotal: .init(absolute: [.p90: 0]),
        ]
    )

    let matchers: [(String, LabelMatcher)] = [
        ("equal", .equal("instance", "host-4:9100")),
        ("regex .+", try! LabelMatcher(.regexMatch, "instance", ".+")),
        ("regex alternation", try! LabelMatcher(.regexMatch, "instance", "host-1:9100|host-2:9100|host-3:9100")),
        ("regex prefix", try! LabelMatcher(.regexMatch, "instance", "host-.*")),
        ("regex contains", try! LabelMatcher(.regexMatch, "instance", ".*items.*")),
        ("regex not-match", try! LabelMatcher(.regexNoMatch, "instance", "app-.*")),
    ]
    for (name, m) in matchers {
        Benchmark("LabelMatcher.matches \(name) x 10k values") { benchmark in
            for _ in benchmark.scaledIterations {
                var n = 0
                for v in labelValues where m.matches(v) { n += 1 }
                blackHole(n)
            }
        }
    }

    Benchmark("Labels.stableHash x 10k label sets") { benchmark in
        for _ in benchmark.scaledIterations {
            var h: UInt64 = 0
            for l in labelSets { h ^= l.stableHash }
            blackHole(h)
        }
    }

    Benchmark("Labels.compare x 10k adjacent pairs") { benchmark in
        for _ in benchmark.scaledIterations {
            var c = 0
            for i in 1..<labelSets.count { c &+= Labels.compare(labelSets[i - 1], labelSets[i]) }
            blackHole(c)
        }
    }
}
