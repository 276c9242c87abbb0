import Foundation
import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing

@testable import SundialWAL

/// Compatibility proof: a WAL written by Sundial is read by Prometheus 2.42's `promtool tsdb dump`
/// (which replays `<dir>/wal/` into a read-only head), and it prints exactly our samples.
@Suite struct PromtoolCompatibilityTests {
    static let promtool = "/usr/bin/promtool"



    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: promtool), "promtool 2.42 not installed"),
        arguments: [WALCompression.snappy, .none])
    func promtoolDumpsExactlyOurSamples(compression: WALCompression) throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.appending("wal"), options: WALOptions(segmentSize: 4 * WALFormat.pageSize, compression: compression))
        let base: Int64 = 1_700_000_000_000
        var series: [RefSeries] = []
        for i in 1...40 {
            let labels = Labels([
                "__name__": i % 2 == 0 ? "http_requests_total" : "node_temp", "instance": "host-\(i)",
                "job": "api", "path": "/v1/\"q\"\n\\é",
            ])
            series.append(RefSeries(ref: SeriesRef(UInt64(i)), labels: labels))
        }
        var buf: [UInt8] = []
        RecordEncoder.encodeSeries(series, into: &buf)
        try wal.append(buf)
        var expected: [String] = []
        for step in 0..<120 {
            var samples: [RefSample] = []
            for s in series {
                let v: Double = s.ref.rawValue % 2 == 0 ? Double(step * Int(s.ref.rawValue)) : Double(step) * 0.25 - 3
                samples.append(RefSample(ref: s.ref, t: base + Int64(step) * 15_000, v: v))
                expected.append("\(s.labels) \(GoFloatFormat.g(v)) \(base + Int64(step) * 15_000)")
            }
            buf.removeAll(keepingCapacity: true)
            RecordEncoder.encodeSamples(samples, into: &buf)
            let p = try wal.append(buf)
            if step % 40 == 0 { try wal.waitDurableBlocking(p) }
        }
        try wal.close()
        let r = try ChildProcess.run([Self.promtool, "tsdb", "dump", tmp.path])
        #expect(r.status == 0, "promtool failed: \(r.err)")
        let got = r.out.split(separator: "\n").map(String.init).sorted()
        #expect(got.count == expected.count)
        #expect(got == expected.sorted())
    }
}
