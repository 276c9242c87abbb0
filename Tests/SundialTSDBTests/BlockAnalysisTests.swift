import Testing
@testable import SundialTSDB

/// Expected values are what `promtool tsdb analyze` (2.42) prints for the same fixture block.
@Suite struct BlockAnalysisTests {
    @Test func fixtureMatchesPromtoolAnalyze() throws {
        let a = try BlockAnalysis(try PromFixture.open(), limit: 100)
        #expect(a.durationMs == 2_990_001)
        #expect(a.series == 19)
        #expect(a.labelNames == 8)
        #expect(a.postings == 23)
        #expect(a.postingEntries == 71)
        func value(_ list: [BlockAnalysis.Entry], _ key: String) -> UInt64? { list.first { $0.key == key }?.value }
        #expect(a.churnPairs.prefix(2).map(\.key).sorted() == ["__name__=fixture_http_requests_total", "job=api"])
        #expect(value(a.churnPairs, "job=api") == 10)
        #expect(value(a.churnPairs, "code=503") == 3)
        #expect(value(a.churnPairs, "handler=/metrics") == 2)
        #expect(value(a.churnPairs, "code=500") == 0)
        #expect(value(a.churnNames, "__name__") == 13)
        #expect(value(a.churnNames, "code") == 10)
        #expect(value(a.commonPairs, "job=fixture") == 7)
        #expect(value(a.commonPairs, "code=200") == 5)
        #expect(a.valueLength.first == .init(key: "__name__", value: 121))
        #expect(value(a.valueLength, "handler") == 48)
        #expect(a.cardinality.first == .init(key: "__name__", value: 7))
        #expect(a.metricNames.first == .init(key: "fixture_http_requests_total", value: 12))
        #expect(value(a.metricNames, "fixture_requests_total") == 2)
        #expect(try BlockAnalysis(try PromFixture.open(), limit: 3).commonPairs.count == 3)
    }
}
