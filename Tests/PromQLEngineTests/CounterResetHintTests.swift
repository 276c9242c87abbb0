@testable import PromQLEngine
import PromQLSyntax
import PromQLTest
import SundialCore
import SundialTSDB
import SundialTestSupport
import Testing

/// Prometheus 3's read-side counter-reset hints over the real head (which keeps writing the
/// 2.42-compatible "counter reset" chunk header): `reset` reads as `unknown` in v3 and stays
/// `reset` in 2.42 mode; selectors below `histogram_count`/`histogram_sum`/`histogram_avg`
/// re-detect resets (HistogramStatsIterator); sums warn when their inputs hold both `reset` and
/// `not_reset`.
@Suite struct CounterResetHintTests {
    /// From native_histograms.test (v3.14): a counter, a counter with a reset at 6m, a gauge.
    static let data = """
        load 1m
          metric{type="gauge"} {{sum:4 count:4 counter_reset_hint:gauge buckets:[1 2 1]}}+{{sum:2 count:3 counter_reset_hint:gauge buckets:[1 1 1]}}x10
          metric{type="counter"} {{sum:6 count:5 buckets:[2 2 1]}}+{{sum:2 count:3 buckets:[1 1 1]}}x10
          metric{type="counter_with_reset"} {{sum:6 count:5 buckets:[2 2 1]}}+{{sum:2 count:3 buckets:[1 1 1]}}x5 {{sum:4 count:4 buckets:[1 2 1]}}+{{sum:2 count:3 buckets:[1 1 1]}}x5

        """

    func run(_ evals: String) async -> TestReport {
        let runner = TestRunner(options: EngineOptions(semantics: .prometheus3)) { HeadScriptStorage() }
        var r = TestReport()
        r.outcomes = await runner.run(script: Self.data + "\n" + evals, name: "inline")
        return r
    }

    @Test func headResetReadsAsUnknownInV3() async {
        let r = await run("""
            eval instant at 6m metric{type="counter_with_reset"}
              metric{type="counter_with_reset"} {{count:4 sum:4 counter_reset_hint:unknown buckets:[1 2 1]}}

            eval instant at 7m metric{type="counter_with_reset"}
              metric{type="counter_with_reset"} {{count:7 sum:6 counter_reset_hint:not_reset buckets:[2 3 2]}}

            eval instant at 6m sum(metric{type=~"counter.*"})
              expect no_warn
              {} {{count:27 sum:22 counter_reset_hint:unknown buckets:[9 10 8]}}

            """)
        #expect(r.failed == 0 && r.skipped == 0, "\(r.render())")
        #expect(r.passed == 3)
    }

    @Test func headResetStaysResetIn242Mode() async throws {
        let storage = HeadScriptStorage()
        var app = storage.appender()
        let a = FloatHistogram(schema: 0, count: 5, sum: 6, positiveSpans: [HistogramSpan(offset: 0, length: 1)],
                               positiveBuckets: [5])
        var b = a
        b.count = 1
        b.sum = 1
        b.positiveBuckets = [1]
        var ref = SeriesRef.none
        let labels = Labels(["__name__": "h"])
        ref = try app.appendHistogram(ref: ref, labels: labels, timestamp: 0, histogram: nil, floatHistogram: a)
        ref = try app.appendHistogram(ref: ref, labels: labels, timestamp: 60_000, histogram: nil, floatHistogram: b)
        try app.commit()
        func hint(_ semantics: Semantics) async throws -> CounterResetHint? {
            let r = try await Engine(options: EngineOptions(semantics: semantics))
                .instantQuery("h", at: 60_000, storage: storage)
            guard case .vector(let v) = r.value else { return nil }
            return v.first?.histogram?.counterResetHint
        }
        #expect(try await hint(.prometheus2) == .counterReset)
        #expect(try await hint(.prometheus3) == .unknown)
    }

    @Test func statsSelectorsRedetectResets() async {
        let r = await run("""
            eval instant at 6m histogram_count(sum(metric{type=~"counter.*"}))
              expect warn msg:PromQL warning: conflicting counter resets during histogram aggregation
              {} 27

            eval instant at 6m histogram_count(sum(metric))
              expect warn msg:PromQL warning: conflicting counter resets during histogram aggregation
              {} 49

            eval instant at 6m histogram_sum(avg(metric{type=~"counter.*"}))
              expect warn msg:PromQL warning: conflicting counter resets during histogram aggregation
              {} 11

            eval instant at 6m sum(metric)
              expect no_warn
              {} {{count:49 sum:38 counter_reset_hint:gauge buckets:[16 18 15]}}

            """)
        #expect(r.failed == 0 && r.skipped == 0, "\(r.render())")
        #expect(r.passed == 4)
    }

    @Test func statsSelectorPositions() throws {
        let engine = Engine(options: EngineOptions(semantics: .prometheus3))
        func stats(_ q: String) throws -> [String] {
            let e = try engine.parse(q)
            return Evaluator.histogramStatsSelectors(e).sorted { $0.start < $1.start }.map { r in
                String(q.utf8[q.utf8.index(q.utf8.startIndex, offsetBy: r.start)..<q.utf8.index(q.utf8.startIndex, offsetBy: r.end)])!
            }
        }
        #expect(try stats("histogram_count(sum(a))") == ["a"])
        #expect(try stats("histogram_sum(rate(a[5m])) + histogram_avg(b)") == ["a", "b"])
        #expect(try stats("sum(a)").isEmpty)
        #expect(try stats("max_over_time(histogram_count(a)[5m:1m])").isEmpty)
        #expect(try stats("histogram_count(max_over_time(a[5m:1m]))").isEmpty)
        #expect(try stats("histogram_count(a </ 5)").isEmpty)
        #expect(try stats("histogram_count(a) * histogram_fraction(0, 1, b)") == ["a"])
    }
}
