import Foundation
import SundialCore
import SundialFileIO
import SundialTestSupport
import Testing

@testable import SundialWAL

/// The reverse compatibility proof: a WAL written by Prometheus 2.42 itself
/// (testdata/wal/prometheus-2.42, made by testdata/wal/make-prometheus-wal.sh) replays cleanly
/// through our reader, and yields exactly the samples `promtool tsdb dump` prints for it.
@Suite struct PrometheusFixtureTests {
    static let fixture = Testdata.path("wal/prometheus-2.42/wal")

    static func replayFixture(_ dir: String) throws -> (series: [SeriesRef: Labels], samples: [RefSample], stats: ReplayStats) {
        var series: [SeriesRef: Labels] = [:]
        var samples: [RefSample] = []
        let stats = try replay(directory: dir) { rec in
            switch rec {
            case .series(let s): for x in s { series[x.ref] = x.labels }
            case .samples(let s): samples += s
            default: break
            }
        }
        return (series, samples, stats)
    }

    @Test func prometheusWrittenWALReplaysCleanly() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        try copyFixture(to: tmp.appending("wal"))
        let (series, samples, stats) = try Self.replayFixture(tmp.appending("wal"))
        #expect(stats.repaired == nil)
        #expect(series.count > 100)
        #expect(samples.count > 1000)
        #expect(samples.allSatisfy { series[$0.ref] != nil }, "a sample refers to an undefined series")
        #expect(series.values.allSatisfy { $0.metricName != nil })
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PromtoolCompatibilityTests.promtool), "promtool 2.42 not installed"))
    func ourReplayMatchesPromtoolDump() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        try copyFixture(to: tmp.appending("wal"))
        let (series, samples, _) = try Self.replayFixture(tmp.appending("wal"))
        let r = try ChildProcess.run([PromtoolCompatibilityTests.promtool, "tsdb", "dump", tmp.path])
        #expect(r.status == 0, "promtool failed: \(r.err)")
        // `{labels} value timestamp`: split off the last two fields (label values may hold spaces).
        struct Line: Hashable {
            var labels: String
            var bits: UInt64
            var t: Int64
        }
        func canonicalBits(_ v: Double) -> UInt64 { v.isNaN ? Double.nan.bitPattern : v.bitPattern }
        var theirs: [Line] = []
        for raw in r.out.split(separator: "\n") {
            let parts = raw.split(separator: " ")
            guard parts.count >= 3, let t = Int64(parts[parts.count - 1]), let v = Double(String(parts[parts.count - 2])) else {
                Issue.record("unparsable promtool line: \(raw)")
                continue
            }
            theirs.append(Line(labels: parts[0..<(parts.count - 2)].joined(separator: " "), bits: canonicalBits(v), t: t))
        }
        let ours = samples.map { Line(labels: series[$0.ref]?.description ?? "?", bits: canonicalBits($0.v), t: $0.t) }
        #expect(ours.count == theirs.count)
        #expect(Set(ours) == Set(theirs))
    }

    private func copyFixture(to dir: String) throws {
        try FileSystem.createDirectory(dir)
        for name in try FileSystem.listDirectory(Self.fixture) {
            let bytes = try DiskFile(path: Self.fixture + "/" + name, mode: .read).readAll()
            try DiskFile(path: dir + "/" + name, mode: .createNew).write(bytes, at: 0)
        }
    }
}

extension PrometheusFixtureTests {
    /// Damaged copies of the Prometheus-written segment (testdata/wal/make-damaged.sh): replay
    /// delivers exactly the records wholly before the damage, repairs, and a second replay agrees.
    @Test(arguments: [("torn", 20000), ("bitflip", 10000)])
    func damagedPrometheusSegmentsAreRepaired(name: String, damageOffset: Int) throws {
        // Where each record of the pristine segment ends.
        let pristine = try DiskFile(path: Self.fixture + "/00000000", mode: .read).readAll()
        var reader = SegmentReader(data: pristine)
        var rec: [UInt8] = []
        var ends: [Int] = []
        while try reader.next(into: &rec) { ends.append(reader.offset) }
        let intact = ends.filter { $0 <= damageOffset }.count
        #expect(intact > 0 && intact < ends.count)

        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let bytes = try DiskFile(path: Testdata.path("wal/\(name)/00000000"), mode: .read).readAll()
        try DiskFile(path: tmp.appending("00000000"), mode: .createNew).write(bytes, at: 0)
        var lines: [String] = []
        var got: [[UInt8]] = []
        let stats = try replayRecords(directory: tmp.path, log: { lines.append($0) }) { got.append($0) }
        #expect(got.count == intact)
        #expect(stats.repaired?.segment == 0)
        #expect(lines.contains { $0.contains("00000000") && $0.contains("offset") })
        let (again, stats2) = try readAllRecords(tmp.path)
        #expect(again == got && stats2.repaired == nil)
    }
}
