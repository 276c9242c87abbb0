import SundialCore
import SundialTestSupport
import Testing

/// The label-scan statistics and ``StatsRequest``: `match[]` OR-of-ANDs without double counting,
/// focus label, hidden labels, time filter, top-N order (value desc, then name) and AND-ing a
/// tenant matcher in.
@Suite struct StorageStatsTests {
    static func storage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for (i, l) in [
            ["__name__": "a", "job": "x", "t": "1"], ["__name__": "a", "job": "y", "t": "1"],
            ["__name__": "b", "job": "x", "t": "1"], ["__name__": "c", "job": "zz", "t": "2"],
        ].enumerated() {
            _ = try app.append(ref: .none, labels: Labels(l), timestamp: Int64(i) * 1000, value: 1)
        }
        try app.commit()
        return s
    }

    func scan(_ r: StatsRequest) throws -> StorageStats {
        let q = try Self.storage().querier(minTime: .min, maxTime: .max)
        return try StorageStats.scan(q, request: r)
    }

    @Test func wholeStorage() throws {
        let s = try scan(StatsRequest())
        #expect(s.numSeries == 4)
        #expect(s.numLabelPairs == 3 + 3 + 2)
        #expect(s.minTime == 0 && s.maxTime == 3000)
        #expect(s.seriesCountByMetricName == [.init(name: "a", value: 2), .init(name: "b", value: 1), .init(name: "c", value: 1)])
        #expect(s.labelValueCountByLabelName == [.init(name: "__name__", value: 3), .init(name: "job", value: 3), .init(name: "t", value: 2)])
        #expect(s.memoryInBytesByLabelName == [.init(name: "job", value: 4), .init(name: "__name__", value: 3), .init(name: "t", value: 2)])
        #expect(s.seriesCountByLabelValuePair.prefix(3) == [.init(name: "t=1", value: 3), .init(name: "__name__=a", value: 2),
                                                            .init(name: "job=x", value: 2)])
        #expect(s.seriesCountByLabelName == [.init(name: "__name__", value: 4), .init(name: "job", value: 4), .init(name: "t", value: 4)])
        #expect(s.seriesCountByFocusLabelValue == nil)
    }

    @Test func matchFocusHiddenAndTime() throws {
        // Two sets selecting a{job="x"} twice: counted once.
        let r = StatsRequest(limit: 2, matcherSets: [[.equal("job", "x")], [.equal("__name__", "a")]], focusLabel: "job",
                             hiddenLabelNames: ["t"])
        let s = try scan(r)
        #expect(s.numSeries == 3)
        #expect(s.seriesCountByFocusLabelValue == [.init(name: "x", value: 2), .init(name: "y", value: 1)])
        #expect(!s.labelValueCountByLabelName.contains { $0.name == "t" })
        #expect(s.numLabelPairs == 2 + 2)
        let late = try scan(StatsRequest(timeRange: 2000...5000))
        #expect(late.numSeries == 2)
        #expect(late.minTime == 2000)
        let none = try scan(StatsRequest(matcherSets: [[.equal("job", "none")]]))
        #expect(none.numSeries == 0 && none.seriesCountByLabelName.isEmpty && none.minTime > none.maxTime)
    }

    @Test func andAddsTheMatcherToEverySet() {
        let tenant = LabelMatcher.equal("tenant_id", "a")
        #expect(StatsRequest().and([tenant]).matcherSets == [[tenant]])
        let r = StatsRequest(matcherSets: [[.equal("job", "x")], [.equal("job", "y")]]).and([tenant])
        #expect(r.matcherSets == [[.equal("job", "x"), tenant], [.equal("job", "y"), tenant]])
        #expect(StatsRequest(limit: 0).limit == 1)
    }
}
