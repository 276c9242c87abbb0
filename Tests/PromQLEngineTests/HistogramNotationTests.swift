import Testing
import SundialCore
import PromQLTest
import PromQLEngine

/// The test-script notation for native histograms.
@Suite struct HistogramNotationTests {
    @Test func parsesEveryKey() throws {
        let v = try HistogramNotation.expand(
            "{{schema:1 sum:-3.5 count:22 z_bucket:2 z_bucket_w:0.001 buckets:[5 10 7] offset:-1 n_buckets:[1 2] n_offset:2 counter_reset_hint:gauge}}",
            line: 1)
        #expect(v.count == 1)
        guard case .histogram(let h, let hintSet) = v[0] else { Issue.record("not a histogram"); return }
        #expect(hintSet)
        #expect(h.schema == 1 && h.sum == -3.5 && h.count == 22 && h.zeroCount == 2 && h.zeroThreshold == 0.001)
        #expect(h.positiveSpans == [HistogramSpan(offset: -1, length: 3)] && h.positiveBuckets == [5, 10, 7])
        #expect(h.negativeSpans == [HistogramSpan(offset: 2, length: 2)] && h.negativeBuckets == [1, 2])
        #expect(h.counterResetHint == .gauge)
    }

    @Test func seriesExpansion() throws {
        let v = try SeriesNotation.parseValues(
            "{{schema:0 sum:4 count:4 buckets:[1 2 1]}}+{{sum:2 count:1 buckets:[1] offset:1}}x2 _ {{}}x1", line: 1)
        #expect(v.count == 6)
        guard case .histogram(let last, _) = v[2] else { Issue.record("not a histogram"); return }
        #expect(last.count == 6 && last.sum == 8)
        #expect(last.compacted().positiveBuckets == [1, 4, 1])
        #expect(v[3] == .gap)
        guard case .histogram(let empty, let hintSet) = v[5] else { Issue.record("not a histogram"); return }
        #expect(empty.count == 0 && !hintSet)
    }

    @Test func badInputIsAnError() {
        #expect(throws: ScriptError.self) { try HistogramNotation.expand("{{schema:0 bogus:1}}", line: 3) }
        #expect(throws: ScriptError.self) { try HistogramNotation.expand("{{sum:1 sum:2}}", line: 3) }
        #expect(throws: ScriptError.self) { try HistogramNotation.expand("{{buckets:[1 2}}", line: 3) }
        #expect(throws: ScriptError.self) { try HistogramNotation.expand("{{sum:1}}+{{sum:1}}", line: 3) }
    }
}
