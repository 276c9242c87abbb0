@testable import PromQLEngine
import SundialCore
import SundialTestSupport
import Testing

/// Prometheus 3 annotations as the engine raises them: texts exactly as `util/annotations` words
/// them, positions as `(line:col)` of the node, deduplicated, and none at all with 2.42 semantics.
@Suite struct AnnotationsTests {
    /// `requests{i}` (no counter suffix), `requests_total`, and classic buckets `lat_bucket{le}`
    /// (one non-monotonic group, one series with a malformed `le`), every 15 s over 0–600 s.
    static func storage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for t in stride(from: Int64(0), through: 600_000, by: 15_000) {
            let x = Double(t / 1000)
            for i in 0..<2 {
                _ = try app.append(ref: .none, labels: Labels(["__name__": "requests", "i": "\(i)"]), timestamp: t, value: x)
            }
            _ = try app.append(ref: .none, labels: Labels(["__name__": "requests_total"]), timestamp: t, value: x)
            for (le, c) in [("0.1", 5.0), ("1", 4.0), ("+Inf", 10.0)] {
                _ = try app.append(ref: .none, labels: Labels(["__name__": "lat_bucket", "le": le]), timestamp: t, value: c)
            }
            _ = try app.append(ref: .none, labels: Labels(["__name__": "bad_bucket", "le": "Hello World"]), timestamp: t, value: 1)
        }
        try app.commit()
        return s
    }

    static let v3 = Engine(options: EngineOptions(semantics: .prometheus3))

    func instant(_ q: String, _ engine: Engine = AnnotationsTests.v3) async throws -> QueryResult {
        try await engine.instantQuery(q, at: 600_000, storage: try Self.storage())
    }

    @Test func rateOfANonCounterNameIsAnInfoWithPosition() async throws {
        let r = try await instant("rate(requests[5m])")
        #expect(r.annotations.map(\.text) == [#"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests""#])
        #expect(r.infos == [#"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests" (1:6)"#])
        #expect(r.warnings.isEmpty)
        // Two series of one name: one annotation. A counter suffix, or a function other than rate/increase: none.
        #expect(try await instant("increase(requests[5m]) + rate(requests_total[5m])").infos.count == 1)
        #expect(try await instant("rate(requests_total[5m])").annotations.isEmpty)
        #expect(try await instant("delta(requests[5m])").annotations.isEmpty)
        // Over a subquery too, positioned at the subquery; the position counts lines.
        let sq = try await instant("sum(\n  rate(requests[5m:1m]))")
        #expect(sq.infos == [#"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests" (2:8)"#])
        // No output, no info: the window holds one sample only.
        #expect(try await instant("rate(requests[10s])").annotations.isEmpty)
    }

    @Test func prometheus2RaisesNone() async throws {
        let e = Engine()
        for q in ["rate(requests[5m])", "quantile(2, requests)", "histogram_quantile(0.5, lat_bucket)",
                  "histogram_quantile(0.5, bad_bucket)"] {
            let r = try await instant(q, e)
            #expect(r.annotations.isEmpty && r.warnings.isEmpty && r.infos.isEmpty, "\(q)")
        }
    }

    @Test func invalidQuantilesAreWarnings() async throws {
        let r = try await instant("quantile(1.5, requests)")
        #expect(r.warnings == ["PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:10)"])
        #expect(try await instant("quantile(NaN, requests)").annotations.map(\.text)
            == ["PromQL warning: quantile value should be between 0 and 1, got NaN"])
        #expect(try await instant("quantile(0.5, requests)").annotations.isEmpty)
        #expect(try await instant("quantile_over_time(-1, requests_total[5m])").annotations.map(\.text)
            == ["PromQL warning: quantile value should be between 0 and 1, got -1"])
        // quantile_over_time only warns where a window held samples.
        #expect(try await instant("quantile_over_time(2, nothing[5m])").annotations.isEmpty)
        // histogram_quantile warns even without input.
        #expect(try await instant("histogram_quantile(1e6, nothing)").annotations.map(\.text)
            == ["PromQL warning: quantile value should be between 0 and 1, got 1e+06"])
    }

    @Test func classicBucketAnnotations() async throws {
        let mono = try await instant("histogram_quantile(0.5, lat_bucket)")
        #expect(mono.infos == [
            "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) (1:25)",
        ])
        let bad = try await instant("histogram_quantile(0.5, bad_bucket)")
        #expect(bad.warnings
            == [#"PromQL warning: bucket label "le" is missing or has a malformed value of "Hello World" for metric name "bad_bucket" (1:25)"#])
        // The monotonicity info names the metric only when delayed name removal keeps the name on the group.
        var o = EngineOptions(semantics: .prometheus3)
        o.delayedNameRemoval = true
        let named = try await instant("histogram_quantile(0.5, lat_bucket)", Engine(options: o))
        #expect(named.annotations.map(\.text) == [
            #"PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "lat_bucket""#,
        ])
        #expect(try await instant("histogram_fraction(0, 1, bad_bucket)").annotations.count == 1)
    }

    @Test func sortInARangeQueryAndLimitRatio() async throws {
        let s = try Self.storage()
        let r = try await Self.v3.rangeQuery("sort_desc(requests)", start: 0, end: 60_000, step: 30_000, storage: s)
        #expect(r.warnings == ["PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)"])
        #expect(try await Self.v3.instantQuery("sort(requests)", at: 0, storage: s).annotations.isEmpty)
        let l = try await Self.v3.rangeQuery("limit_ratio(1.1, requests) or limit_ratio(-2, requests)", start: 0, end: 60_000,
                                             step: 30_000, storage: s)
        #expect(l.annotations.map(\.text) == ["PromQL warning: ratio value should be between -1 and 1, got 1.1, capping to 1",
                                              "PromQL warning: ratio value should be between -1 and 1, got -2, capping to -1"])
    }

    @Test func deduplicationAndAPIStrings() {
        var a = Annotations()
        a.add(.possibleNonCounter(metricName: "x", SourceRangeFixture.at(0)))
        a.add(.possibleNonCounter(metricName: "x", SourceRangeFixture.at(7)))
        a.add(.sortInRangeQuery(nil))
        #expect(a.all.count == 2)
        #expect(a.all[0].position?.start == 7)
        let (w, i) = a.strings(query: "abcdefghij", maxWarnings: 0, maxInfos: 0)
        #expect(w == ["PromQL warning: sort is ineffective for range queries since results are always ordered by labels"])
        #expect(i == [#"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "x" (1:8)"#])
        var many = Annotations()
        for k in 0..<12 { many.add(.invalidQuantile(Double(k + 2), nil)) }
        let capped = many.strings(query: "", maxWarnings: 10, maxInfos: 10).warnings
        #expect(capped.count == 11)
        #expect(capped.last == "2 more warning annotations omitted")
    }

    @Test func goPercentG() {
        let cases: [(Double, String)] = [(1.1, "1.1"), (-1.1, "-1.1"), (2, "2"), (-0.1, "-0.1"), (1e6, "1e+06"), (123456, "123456"),
                                         (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (1e21, "1e+21"),
                                         (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (0, "0"), (1234567.5, "1.2345675e+06")]
        for (v, s) in cases { #expect(GoFormat.g(v) == s, "\(v)") }
    }
}

import PromQLSyntax

enum SourceRangeFixture {
    static func at(_ start: Int) -> SourceRange { SourceRange(start: start, end: start + 1) }
}
