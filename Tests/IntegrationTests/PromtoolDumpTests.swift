import Foundation
import Testing
import SundialCore
import SundialTSDB
import SundialTestSupport

/// A data directory Sundial wrote (WAL only, snappy records) is read by `promtool tsdb dump`
/// from Prometheus 2.42, and its output equals `sundial tsdb dump`'s line for line after sorting:
/// our WAL is Prometheus's format, and our dump prints values exactly as promtool does.
@Suite struct PromtoolDumpTests {
    static let promtool = "/usr/bin/promtool"

    static func sundialBinary() -> String? {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("sundial").path)
                dir.deleteLastPathComponent()
            }
        }
        candidates.append(Testdata.repositoryRoot + "/.build/debug/sundial")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }


    /// Values that exercise every branch of Go's `%g`: integers, exponents at both thresholds,
    /// long fractions, tiny and huge magnitudes, negative zero, NaN, stale markers, infinities.
    static let values: [Double] = [
        0, -0.0, 1, -1, 0.5, 42, 100_000, 999_999, 1_000_000, 1_234_567, 123_456.789, 0.0001, 0.00001,
        0.000123456, 1e21, 1e-7, 3.141592653589793, Double(bitPattern: 0x0000_2e00_0000_0001), 1.7976931348623157e308, -123.25,
        .nan, StaleMarker.value, .infinity, -.infinity, 1e15 + 0.3, 9_007_199_254_740_992, 0.1 + 0.2,
    ]

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: promtool)))
    func promtoolAndSundialDumpTheSameSamples() throws {
        let sundial = try #require(Self.sundialBinary(), "build the sundial executable first")
        let dir = try TemporaryDirectory(prefix: "sundial-dump")
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        let t0: Int64 = 1_700_000_000_000
        // Several commits, new series along the way, label values needing quoting.
        for round in 0..<40 {
            let app = db.appender()
            for s in 0..<12 {
                let l = Labels([Label("__name__", s % 3 == 0 ? "gauge_a" : "counter_b_total"), Label("s", "\(s)"),
                                Label("path", "/a \"quoted\"\\path\n\(s % 2)")])
                let v = Self.values[(round + s) % Self.values.count]
                _ = try app.append(ref: .none, labels: l, timestamp: t0 + Int64(round) * 15_000 + Int64(s), value: v)
            }
            if round >= 20 {
                let l = Labels([Label("__name__", "late_series"), Label("job", "x")])
                _ = try app.append(ref: .none, labels: l, timestamp: t0 + Int64(round) * 15_000, value: Double(round) / 7)
            }
            try app.commit()
        }
        try db.close()

        let ours = try ChildProcess.run([sundial, "tsdb", "dump", dir.path])
        #expect(ours.status == 0)
        let theirs = try ChildProcess.run([Self.promtool, "tsdb", "dump", dir.path])
        #expect(theirs.status == 0)
        let a = ours.out.split(separator: "\n").sorted()
        let b = theirs.out.split(separator: "\n").sorted()
        #expect(a.count == 40 * 12 + 20)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) where x != y {
            Issue.record("sundial: \(x)\npromtool: \(y)")
            break
        }
    }
}
