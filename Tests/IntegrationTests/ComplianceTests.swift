import Foundation
import SundialCore
import SundialIngest
import SundialTestSupport
import Testing

/// What the compliance test needs installed.
enum ComplianceTools {
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: ScrapeTools.prometheus) && ServerProcess.binaryExists
    }
}

/// The PromQL compliance tester's corpus (testdata/promql-parse/compliance-queries.tsv: 539
/// queries expanded from the upstream templates), Sundial against a real Prometheus 2.42.
///
/// The same demo-service data (`ComplianceDemoData`) is remote-written (1.0) to Prometheus
/// (`--web.enable-remote-write-receiver`, temp dir, 127.0.0.1) and to a `sundial serve`; then
/// every query is sent to both as a range query over two windows — the tester's default (end =
/// last sample − 12 min, 10 min long, 10 s step, end not aligned to the step) and one crossing a
/// target's outage (staleness) and two counter resets — and as instant queries at a few times.
/// Answers are compared as the tester does (ComplianceComparison.swift): labels and timestamps
/// exact, values within 1e-5 relative, NaN = NaN, errors on both sides for `should_fail`, no
/// tweaks. Every differing query is printed on one line with the first difference.
/// `SUNDIAL_COMPLIANCE_EXTENDED=1` adds three windows (1 m step over all the data, 7 s step over its
/// start, 13 s step past its end).
@Suite(.serialized, .enabled(if: ComplianceTools.available, "needs /usr/bin/prometheus and the sundial binary"))
struct ComplianceTests {

    /// A range-query window (milliseconds).
    struct Window: Sendable {
        var name: String
        var start: Int64
        var end: Int64
        var step: Int64 = 10_000
    }

    static func seconds(_ ms: Int64) -> String {
        let r = ms % 1000
        return "\(ms / 1000)." + String(String(r + 1000).dropFirst())
    }

    static func form(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
    }

    /// The corpus: (should fail, query).
    static func corpus() throws -> [(Bool, String)] {
        let text = try String(contentsOfFile: Testdata.path("promql-parse/compliance-queries.tsv"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return (parts[0] == "fail", String(parts[1]))
        }
    }

    /// Runs `work` over `items` with at most `width` in flight; results in input order.
    static func parallel<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ work: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var out = [R?](repeating: nil, count: items.count)
            var next = 0
            for _ in 0..<min(width, items.count) {
                let i = next, item = items[i]
                group.addTask { (i, try await work(item)) }
                next += 1
            }
            while let (i, r) = try await group.next() {
                out[i] = r
                if next < items.count {
                    let j = next, item = items[j]
                    group.addTask { (j, try await work(item)) }
                    next += 1
                }
            }
            return out.map { $0! }
        }
    }

    @Test func corpusAnswersLikePrometheus() async throws {
        let clock = ContinuousClock()
        let began = clock.now
        let dir = try TemporaryDirectory(prefix: "sundial-compliance")
        defer { dir.remove() }
        let peers = try ReceiverPair(dir: dir, sundialArgs: ["--retention-time", "50y"],
                                     prometheusArgs: ["--storage.tsdb.retention.time=50y"])
        defer { peers.stop() }
        let (sundialPort, promPort) = (peers.sundialPort, peers.promPort)
        // Generous read timeouts: in the full suite, everything else runs beside the debug server.
        let p = ServerTestClient(port: promPort, receiveTimeout: 300)
        let s = ServerTestClient(port: sundialPort, receiveTimeout: 300)

        // 1. The same samples into both, in time order.
        let data = ComplianceDemoData()
        let generated = clock.now - began
        var encodeTime = Duration.zero
        var writeTime = Duration.zero
        for req in data.requests() {
            let e0 = clock.now
            let body = ComplianceDemoData.body(req)
            encodeTime += clock.now - e0
            let w0 = clock.now
            async let wp = p.request("POST", "/api/v1/write", headers: LimitsTests.v1Headers, body: body)
            async let ws = s.request("POST", "/api/v1/write", headers: LimitsTests.v1Headers, body: body)
            for (port, w) in [(p.port, try await wp), (s.port, try await ws)] {
                try #require(w.status == 204 || w.status == 200, "write to \(port): \(w.status) \(w.text)")
            }
            writeTime += clock.now - w0
        }
        let loaded = clock.now - began
        print("compliance: generated in \(generated), encoded in \(encodeTime), written to both in \(writeTime)")

        // 2. The windows and instant times.
        let last = data.lastTimestamp
        let t0 = ComplianceDemoData.start
        // Not aligned to the step or the scrapes, but within 1 s after one target's scrape, so the
        // `[1s]` selectors find a sample there.
        let defaultEnd = last + 600 - 12 * 60_000
        var windows = [
            Window(name: "default", start: defaultEnd - 10 * 60_000, end: defaultEnd),
            Window(name: "outage+resets", start: t0 + 65 * 60_000 + 7_500, end: t0 + 75 * 60_000 + 7_500),
        ]
        // SUNDIAL_COMPLIANCE_EXTENDED=1: more windows (other steps, the start and end of the data).
        if ProcessInfo.processInfo.environment["SUNDIAL_COMPLIANCE_EXTENDED"] == "1" {
            windows += [
                Window(name: "whole@1m", start: t0, end: last + 5 * 60_000, step: 60_000),
                Window(name: "start@7s", start: t0 - 30_000 + 333, end: t0 + 8 * 60_000, step: 7_000),
                Window(name: "end@13s", start: last - 9 * 60_000 + 1, end: last + 6 * 60_000, step: 13_000),
            ]
        }
        let instants: [Int64] = [
            defaultEnd,
            t0 + Int64(ComplianceDemoData.outage.lowerBound) * 5_000 + 2_000,
            t0 + Int64(ComplianceDemoData.quickRestart) * 5_000 + 4_000,
            t0 + 83 * 60_000,
        ]

        enum Kind: Sendable { case range(Window), instant(Int64) }
        struct Job: Sendable { var fail: Bool; var query: String; var kind: Kind }
        let queries = try Self.corpus()
        #expect(queries.count == 539)
        var jobs: [Job] = []
        for w in windows { jobs += queries.map { Job(fail: $0.0, query: $0.1, kind: .range(w)) } }
        for t in instants { jobs += queries.map { Job(fail: $0.0, query: $0.1, kind: .instant(t)) } }

        // 3. Ask both, compare.
        struct Outcome: Sendable {
            var diff: String?
            /// Prometheus answered with at least one point.
            var nonEmpty: Bool
            /// Prometheus answered with an error.
            var referenceFailed: Bool
            /// Matching, but some value not byte-identical.
            var inexact: String?
        }
        let results = try await Self.parallel(jobs, width: 4) { job -> Outcome in
            let path: String
            let body: String
            switch job.kind {
            case .range(let w):
                path = "/api/v1/query_range"
                body = Self.form([("query", job.query), ("start", Self.seconds(w.start)), ("end", Self.seconds(w.end)),
                                  ("step", Self.seconds(w.step))])
            case .instant(let t):
                path = "/api/v1/query"
                body = Self.form([("query", job.query), ("time", Self.seconds(t))])
            }
            async let pa = p.postForm(path, body)
            async let sa = s.postForm(path, body)
            let a = ComplianceAnswer(try await pa.body)
            let b = ComplianceAnswer(try await sa.body)
            let diff = b.difference(from: a, shouldFail: job.fail)
            return Outcome(diff: diff, nonEmpty: a.series.contains { !$0.points.isEmpty }, referenceFailed: a.error != nil,
                           inexact: diff == nil ? b.inexactPoint(from: a) : nil)
        }

        var report: [String] = []
        var failedRange = [Set<String>](repeating: [], count: windows.count)
        var failedInstant = Set<String>()
        var inexact: [String] = []
        var nonEmpty = [Int](repeating: 0, count: windows.count)
        var referenceFailed = [Int](repeating: 0, count: windows.count)
        for (job, outcome) in zip(jobs, results) {
            if case .range(let w) = job.kind, let i = windows.firstIndex(where: { $0.name == w.name }) {
                if outcome.nonEmpty { nonEmpty[i] += 1 }
                if outcome.referenceFailed { referenceFailed[i] += 1 }
            }
            if let x = outcome.inexact { inexact.append("\(job.query): \(x)") }
            guard let diff = outcome.diff else { continue }
            switch job.kind {
            case .range(let w):
                failedRange[windows.firstIndex { $0.name == w.name }!].insert(job.query)
                report.append("range[\(w.name)] \(job.query): \(diff)")
            case .instant(let t):
                failedInstant.insert(job.query)
                report.append("instant@\(Self.seconds(t)) \(job.query): \(diff)")
            }
        }
        let rangeIdentical = queries.filter { q in !failedRange.contains { $0.contains(q.1) } }.count
        let elapsed = clock.now - began
        print("compliance: \(data.series.count) series, \(data.sampleCount) samples loaded in \(loaded)")
        for (i, w) in windows.enumerated() {
            print("compliance: range window \(w.name) [\(Self.seconds(w.start)), \(Self.seconds(w.end))]: "
                  + "\(queries.count - failedRange[i].count)/\(queries.count) identical; Prometheus answered "
                  + "\(nonEmpty[i]) with data, \(referenceFailed[i]) with an error")
        }
        print("compliance: instant (\(instants.count) times): \(queries.count - failedInstant.count)/\(queries.count) identical at every time")
        print("compliance: corpus \(rangeIdentical)/\(queries.count) range queries identical to Prometheus 2.42 (both windows); \(elapsed)")
        for line in report { print("DIFF " + line) }
        // Informational: answers within the tolerance whose printed values still differ in a digit.
        print("compliance: \(Set(inexact.map { $0.prefix { $0 != ":" } }).count) queries with values not byte-identical (within 1e-5)")
        for line in inexact { print("INEXACT " + line) }
        // The data must exercise the corpus: nearly every query has points in Prometheus's answer
        // (the exceptions are the nonexistent metrics, absent() of present ones, the should_fail ones).
        for i in windows.indices { #expect(nonEmpty[i] >= 480, "window \(windows[i].name): only \(nonEmpty[i]) non-empty answers") }
        #expect(report.isEmpty, "\(report.count) answers differ:\n\(report.joined(separator: "\n"))")
    }
}
