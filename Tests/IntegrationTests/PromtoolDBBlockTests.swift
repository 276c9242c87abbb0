import Foundation
import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// A Sundial data directory written through the appender over more than 3 h and compacted by
/// ``DB/compact()``: promtool 2.42 lists the blocks with the right counts, analyzes them, and
/// dumps (blocks + WAL) exactly the lines Sundial's own querier prints in promtool's format.
@Suite(.serialized) struct PromtoolDBBlockTests {
    static let h: Int64 = 3_600_000

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PromtoolBlockTests.promtool)))
    func compactedDirectoryMatchesPromtool() throws {
        let dir = try TemporaryDirectory(prefix: "sundial-promtool-db")
        defer { dir.remove() }
        let t0: Int64 = 1_700_000_000_000 / (2 * Self.h) * (2 * Self.h)
        do {
            let db = try DB.open(directory: dir.path)
            var refs = [SeriesRef](repeating: .none, count: 40)
            var t = t0
            var k = 0
            while t < t0 + 5 * Self.h {
                let app = db.appender()
                for i in 0..<40 {
                    let ls = Labels(["__name__": i % 4 == 0 ? "db_gauge" : "db_requests_total", "job": "it", "i": String(i)])
                    var v = i % 4 == 0 ? Double((k * 31 + i) % 100) / 8 - 3 : Double(k * i)
                    if i == 5 && k == 33 { v = .nan }
                    if i == 6 && k == 40 { v = StaleMarker.value }
                    refs[i] = try app.append(ref: refs[i], labels: ls, timestamp: t + Int64(i), value: v)
                }
                try app.commit()
                t += 30_000
                k += 1
            }
            let r = try db.compact()
            #expect(r.headBlocks.count == 1)
            try db.close()
        }
        let list = try ChildProcess.run([PromtoolBlockTests.promtool, "tsdb", "list", dir.path])
        #expect(list.status == 0)
        let rows = list.out.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.count == 1)
        #expect(rows.first.map { String($0[1]) } == String(t0))
        #expect(rows.first.map { String($0[2]) } == String(t0 + 2 * Self.h))
        #expect(rows.first.map { String($0[4]) } == String(40 * 240))  // samples
        #expect(rows.first.map { String($0[6]) } == "40")  // series

        let analyze = try ChildProcess.run([PromtoolBlockTests.promtool, "tsdb", "analyze", "--extended", dir.path])
        #expect(analyze.status == 0)
        #expect(analyze.out.contains("Series: 40"))

        // Our side, formatted as promtool prints: `{labels} %g-value ts`.
        let db = try DB.open(directory: dir.path, options: DBOptions(readOnly: true))
        var ours: [String] = []
        let q = try db.querier(minTime: .min, maxTime: .max)
        var buf = SampleBuffer()
        for s in try q.select(sorted: true, hints: nil, matchers: []) {
            buf.removeAll()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            for i in 0..<buf.count { ours.append("\(s.labels) \(GoFloatFormat.g(buf.values[i])) \(buf.timestamps[i])") }
        }
        try db.close()
        #expect(ours.count == 40 * 600)
        let dump = try ChildProcess.run([PromtoolBlockTests.promtool, "tsdb", "dump", dir.path])
        #expect(dump.status == 0)
        let theirs = dump.out.split(separator: "\n").map(String.init)
        #expect(theirs.count == ours.count)
        #expect(theirs.sorted() == ours.sorted())
    }
}
