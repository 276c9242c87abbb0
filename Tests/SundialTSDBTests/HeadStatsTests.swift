import SundialCore
import SundialTSDB
import Testing

/// ``Head/cardinalityStats(_:)`` (postings-based) gives exactly the figures of the label scan
/// (``StorageStats/scan(_:request:readSamples:)``) for every kind of request, and Prometheus's
/// head bounds and chunk count.
@Suite struct HeadStatsTests {
    /// 3 jobs × 40 instances of `up`, 300 `http_requests_total{job, instance, code}` series, and
    /// `old` series written only at t < 1h. Samples at 0..2h every 5 min (old: 0..30 min).
    static func head() throws -> Head {
        let head = Head()
        let app = head.appender()
        for t in stride(from: Int64(0), through: 7_200_000, by: 300_000) {
            for j in 0..<3 {
                for i in 0..<40 {
                    _ = try app.append(ref: .none, labels: Labels(["__name__": "up", "job": "j\(j)", "instance": "i\(i)"]),
                                       timestamp: t, value: 1)
                }
            }
            for k in 0..<300 {
                _ = try app.append(ref: .none, labels: Labels(["__name__": "http_requests_total", "job": "j\(k % 3)",
                                                               "instance": "i\(k % 40)", "code": "\(200 + k % 7)"]),
                                   timestamp: t, value: Double(t))
            }
            if t <= 1_800_000 {
                for k in 0..<5 {
                    _ = try app.append(ref: .none, labels: Labels(["__name__": "old", "k": "v\(k)"]), timestamp: t, value: 0)
                }
            }
        }
        try app.commit()
        return head
    }

    static func scan(_ head: Head, _ r: StatsRequest) throws -> StorageStats {
        let q = try head.querier(minTime: r.timeRange?.lowerBound ?? .min, maxTime: r.timeRange?.upperBound ?? .max)
        defer { q.close() }
        return try StorageStats.scan(q, request: r)
    }

    static let requests: [StatsRequest] = [
        StatsRequest(),
        StatsRequest(limit: 3),
        StatsRequest(limit: 1000, focusLabel: "code"),
        StatsRequest(matcherSets: [[.equal("job", "j1")]]),
        StatsRequest(limit: 5, matcherSets: [[.equal("__name__", "up")], [.equal("code", "201")]], focusLabel: "job"),
        StatsRequest(matcherSets: [[.equal("__name__", "old")]]),
        StatsRequest(timeRange: 3_600_000...7_200_000),
        StatsRequest(matcherSets: [[.equal("__name__", "old")]], timeRange: 3_600_000...7_200_000),
        StatsRequest(hiddenLabelNames: ["job"]),
        StatsRequest(matcherSets: [[.equal("job", "nope")]]),
    ]

    @Test(arguments: requests) func postingsFiguresEqualTheLabelScan(_ r: StatsRequest) throws {
        let head = try Self.head()
        let fast = head.cardinalityStats(r)
        let slow = try Self.scan(head, r)
        #expect(fast.numSeries == slow.numSeries)
        #expect(fast.numLabelPairs == slow.numLabelPairs)
        #expect(fast.seriesCountByMetricName == slow.seriesCountByMetricName)
        #expect(fast.labelValueCountByLabelName == slow.labelValueCountByLabelName)
        #expect(fast.memoryInBytesByLabelName == slow.memoryInBytesByLabelName)
        #expect(fast.seriesCountByLabelValuePair == slow.seriesCountByLabelValuePair)
        #expect(fast.seriesCountByLabelName == slow.seriesCountByLabelName)
        #expect(fast.seriesCountByFocusLabelValue == slow.seriesCountByFocusLabelValue)
        if fast.numSeries > 0 {
            #expect(fast.minTime == slow.minTime)
            #expect(fast.maxTime == slow.maxTime)
        }
    }

    @Test func wholeHeadFigures() throws {
        let head = try Self.head()
        let s = head.cardinalityStats(StatsRequest(limit: 2, focusLabel: "code"))
        #expect(s.numSeries == 120 + 300 + 5)
        #expect(s.minTime == 0)
        #expect(s.maxTime == 7_200_000)
        #expect(s.chunkCount == head.stats.chunks)
        #expect(s.seriesCountByMetricName == [.init(name: "http_requests_total", value: 300), .init(name: "up", value: 120)])
        #expect(s.labelValueCountByLabelName == [.init(name: "instance", value: 40), .init(name: "code", value: 7)])
        // 300 series over 7 codes: 43 each for 200..202, 43 for the rest but 200+k%7 for k<300 gives 43,43,43,43,43,43,42.
        #expect(s.seriesCountByFocusLabelValue == [.init(name: "200", value: 43), .init(name: "201", value: 43)])
        #expect(s.seriesCountByLabelName.first == .init(name: "__name__", value: 425))
        // Filtered by time: the `old` series stop at 30 min.
        let late = head.cardinalityStats(StatsRequest(timeRange: 3_600_000...7_200_000))
        #expect(late.numSeries == 420)
        #expect(late.minTime == 3_600_000)
        let empty = head.cardinalityStats(StatsRequest(timeRange: 9_000_000...10_000_000))
        #expect(empty.numSeries == 0)
        #expect(empty.seriesCountByMetricName.isEmpty)
    }
}
