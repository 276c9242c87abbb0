import Foundation
@testable import PromQLTest
import SundialCore
import SundialTestSupport
import Testing

/// The v3 `@st` load lines (start_timestamps.test): one offset per value position, nil for `_`.
@Suite struct StartTimestampNotationTests {
    @Test(arguments: [
        ("_", [nil]), ("_x3", [nil, nil, nil]), ("-1m", [-60_000]), ("+1m", [60_000]), ("0", [0]),
        ("-0msx2", [0, 0, 0]), ("-1mx2", [-60_000, -60_000, -60_000]),
        ("-30s-1mx2", [-30_000, -90_000, -150_000]), ("1ms-1mx1", [1, -59_999]),
        ("0-1mx1", [0, -60_000]), ("-59999ms-1mx1", [-59_999, -119_999]),
    ] as [(String, [Int64?])])
    func items(_ item: String, _ offsets: [Int64?]) throws {
        #expect(try StartTimestampNotation.parseItem(item, line: 1) == offsets)
    }

    @Test(arguments: ["x", "-1mx", "1m+", "--1m", "-1m-1m", "abc", "1q"])
    func badItems(_ item: String) {
        #expect(throws: ScriptError.self) { try StartTimestampNotation.parseItem(item, line: 1) }
    }

    @Test func loadKeepsTheOffsetsBesideTheValues() throws {
        let script = try TestScript(parsing: """
            load 1m
                cumulative{type="st"}@st   _ _ -30s-1mx2 -1m
                cumulative{type="st"}      _ _ 0+60x3
                series@st  _ _ -1m -1s   _   _
                series     _ _   5   5   2   _

            """)
        guard case .load(_, let interval, let series, _, let sts) = script.commands.first else {
            Issue.record("no load")
            return
        }
        #expect(interval == 60_000)
        #expect(series.count == 2)
        #expect(sts.count == 2)
        #expect(sts[0].labels == Labels(["__name__": "cumulative", "type": "st"]))
        #expect(sts[0].offsets == [nil, nil, -30_000, -90_000, -150_000, -60_000])
        #expect(sts[1].labels == Labels(["__name__": "series"]))
        #expect(sts[1].offsets == [nil, nil, -60_000, -1_000, nil, nil])
    }

    @Test func upstreamStartTimestampScriptParses() throws {
        let text = try String(contentsOfFile: Testdata.shared("promql-testdata/start_timestamps.test"), encoding: .utf8)
        let script = try TestScript(parsing: text)
        var lines = 0
        for case .load(_, _, _, _, let sts) in script.commands { lines += sts.count }
        #expect(lines == 37)
    }
}
