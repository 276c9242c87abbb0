import ArgumentParser
import Foundation
import SundialCore
import SundialTSDB
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CoreFoundation)
// `timespec`'s fields resolve through CoreFoundation's re-export (MemberImportVisibility).
import CoreFoundation
#endif

/// `sundial tsdb bench status --series N`: the cost of `/api/v1/status/tsdb` over an in-memory
/// head of N series of the `bench write` workload (one sample each, no WAL). Times the
/// postings-based ``Head/cardinalityStats(_:)`` for the plain request, a `focusLabel`, a
/// `match[]` selecting half the series and one selecting a single target, and the label-scan
/// fallback (``StorageStats/scan(_:request:readSamples:)``) for comparison; checks both give the
/// same figures. Prints median wall and process-CPU milliseconds per call.
struct TSDBBenchStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Benchmark /api/v1/status/tsdb (cardinality statistics) over an in-memory head."
    )

    @Option(help: "Number of head series.")
    var series: Int = 1_000_000

    @Option(help: "Timed calls per request kind (the median is printed).")
    var repeats: Int = 5

    @Flag(help: "Give every series a unique `id` label as well (one label pair per series: the worst case for pair counting).")
    var uniqueLabel = false

    func validate() throws {
        guard series > 0, repeats > 0 else { throw ValidationError("--series and --repeats must be positive") }
    }

    static func cpuMs() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    static func wallMs() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
    }

    func measure(_ name: String, _ body: () throws -> StorageStats) rethrows -> StorageStats {
        var walls: [Double] = [], cpus: [Double] = []
        var last: StorageStats?
        for _ in 0..<repeats {
            let w0 = Self.wallMs(), c0 = Self.cpuMs()
            last = try body()
            cpus.append(Self.cpuMs() - c0)
            walls.append(Self.wallMs() - w0)
        }
        walls.sort()
        cpus.sort()
        let s = last!
        print("\(name): wall_ms_median=\(String(format: "%.1f", walls[walls.count / 2])) cpu_ms_median=\(String(format: "%.1f", cpus[cpus.count / 2])) series=\(s.numSeries) label_pairs=\(s.numLabelPairs)")
        return s
    }

    func run() throws {
        let workload = BenchWorkload(seriesCount: series)
        let head = Head()
        var start = 0
        while start < workload.labels.count {
            let end = Swift.min(start + 10_000, workload.labels.count)
            let app = head.appender()
            for i in start..<end {
                var l = workload.labels[i]
                if uniqueLabel { l = Labels(l.labels + [Label("id", "\(i)")]) }
                _ = try app.append(ref: .none, labels: l, timestamp: BenchWorkload.start, value: Double(i))
            }
            try app.commit()
            start = end
        }
        print("head: series=\(head.seriesCount) unique_label=\(uniqueLabel) repeats=\(repeats)")
        let half = StatsRequest(matcherSets: [[.equal("job", "node")]])
        let one = StatsRequest(matcherSets: [[.equal("instance", workload.labels[0].get("instance") ?? "")]])
        let requests: [(String, StatsRequest)] = [
            ("postings all", StatsRequest()), ("postings focusLabel=instance", StatsRequest(focusLabel: "instance")),
            ("postings match[]={job=\"node\"}", half), ("postings match[]={instance=<one>}", one),
        ]
        var fast: [StorageStats] = []
        for (name, r) in requests { fast.append(measure(name, { head.cardinalityStats(r) })) }
        let q = try head.querier(minTime: .min, maxTime: .max)
        defer { q.close() }
        let slow = try measure("label scan all") { try StorageStats.scan(q, request: StatsRequest(), readSamples: false) }
        let slowHalf = try measure("label scan match[]={job=\"node\"}") { try StorageStats.scan(q, request: half, readSamples: false) }
        let same = slow.seriesCountByLabelValuePair == fast[0].seriesCountByLabelValuePair
            && slow.labelValueCountByLabelName == fast[0].labelValueCountByLabelName
            && slowHalf.seriesCountByLabelValuePair == fast[2].seriesCountByLabelValuePair
            && slow.numLabelPairs == fast[0].numLabelPairs
        print("postings and label scan agree: \(same)")
        if !same { throw ExitCode(1) }
    }
}
