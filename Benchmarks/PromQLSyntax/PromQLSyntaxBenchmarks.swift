import Benchmark
import Foundation
import PromQLSyntax

// Micro-benchmarks of the PromQL front end (issue 4 targets: a typical 100–300 character dashboard
// query parses in < 5 µs; a 10 KB generated expression in < 1 ms; time linear in input size).
// One iteration parses (or prints) one expression.

/// Typical Grafana / alerting-rule queries, 100–300 characters each.
let dashboardQueries: [String] = [
    #"sum by (job, instance) (rate(http_requests_total{job="api-server", status=~"5..", method!="OPTIONS"}[5m])) / sum by (job, instance) (rate(http_requests_total{job="api-server"}[5m]))"#,
    #"histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket{job="api", handler=~"/api/v1/.*"}[5m]))) > 0.5"#,
    #"100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle", instance=~"node-.*:9100"}[2m]))) > on (instance) group_left (nodename) node_uname_info"#,
    #"(node_filesystem_avail_bytes{fstype!~"tmpfs|overlay", mountpoint="/"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay", mountpoint="/"}) * 100 < 10 and predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0"#,
    #"topk(10, sum without (pod, container) (rate(container_cpu_usage_seconds_total{namespace="prod", container!="POD"}[5m] offset 1h)))"#,
]

/// A ~10 KB expression: groups of ten rate() terms, parenthesised and summed (realistic shape,
/// bounded nesting).
func generatedExpression(bytes: Int) -> String {
    var groups: [String] = []
    var size = 0
    var i = 0
    while size < bytes {
        var terms: [String] = []
        for _ in 0..<10 {
            terms.append("sum by (job) (rate(metric_\(i)_total{job=\"j\(i % 7)\", instance=~\"host-\(i % 13).*\"}[5m]))")
            i += 1
        }
        let g = "(" + terms.joined(separator: " + ") + ")"
        size += g.utf8.count + 3
        groups.append(g)
    }
    return groups.joined(separator: " or ")
}

let expr1K = generatedExpression(bytes: 1_000)
let expr10K = generatedExpression(bytes: 10_000)
let expr100K = generatedExpression(bytes: 100_000)

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 35.0]),
            .throughput: .init(relative: [.p90: 35.0]),
        ]
    )

    for (n, q) in dashboardQueries.enumerated() {
        Benchmark("Parser.parse dashboard query \(n + 1) (\(q.utf8.count) B)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? Parser.parse(q))
            }
        }
    }
    // The same queries with regex matchers turned into equality: the parser's own cost without
    // RE2 compiling the patterns (which `LabelMatcher` does at construction, as Prometheus does).
    for (n, q) in dashboardQueries.enumerated() {
        let plain = q.replacingOccurrences(of: "=~", with: "=").replacingOccurrences(of: "!~", with: "!=")
        Benchmark("Parser.parse dashboard query \(n + 1) without regexes") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? Parser.parse(plain))
            }
        }
    }
    // With a warm shared MatcherCache (what a server passes): regexes compiled once.
    let cache = MatcherCache()
    for (n, q) in dashboardQueries.enumerated() {
        _ = try? Parser.parse(q, matcherCache: cache)
        Benchmark("Parser.parse dashboard query \(n + 1) with warm MatcherCache") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? Parser.parse(q, matcherCache: cache))
            }
        }
    }
    _ = try? Parser.parse(expr10K, matcherCache: cache)
    Benchmark("Parser.parse generated 10 KB with warm MatcherCache") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? Parser.parse(expr10K, matcherCache: cache))
        }
    }
    for (name, q) in [("1 KB", expr1K), ("10 KB", expr10K), ("100 KB", expr100K)] {
        Benchmark("Parser.parse generated \(name) (\(q.utf8.count) B)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try? Parser.parse(q))
            }
        }
    }
    let ast10K = try! Parser.parse(expr10K)
    Benchmark("Printer.print generated 10 KB") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(Printer.print(ast10K))
        }
    }
}
