import Foundation
import PromQLEngine
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

    /// Until start timestamps are stored, only evals reading a series that has them are skipped;
    /// a wrong result over the other series of the same load still fails.
    @Test func onlyEvalsOverSeriesWithStartTimestampsAreSkipped() async {
        let runner = TestRunner(options: EngineOptions(semantics: .prometheus3)) { MemoryStorage() }
        let outcomes = await runner.run(script: """
            load 1m
                with_st@st  _ -1mx3
                with_st     _ 60x3
                without_st  _ 60x3

            eval instant at 4m increase(with_st[5m])
                {} 240

            eval instant at 4m increase(without_st[5m])
                {} 240

            """, name: "inline")
        #expect(outcomes.count == 2)
        guard outcomes.count == 2 else { return }
        guard case .skipped(let reason) = outcomes[0].status else {
            Issue.record("expected a skip, got \(outcomes[0].status)")
            return
        }
        #expect(reason.hasPrefix("start timestamps (@st) are not stored"))
        guard case .failed = outcomes[1].status else {
            Issue.record("expected a failure, got \(outcomes[1].status)")
            return
        }
    }
}
