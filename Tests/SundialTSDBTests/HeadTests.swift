import Testing
import SundialCore
import SundialEncoding
import SundialTSDB

@Suite struct HeadTests {
    static func append(_ head: Head, _ l: Labels, _ ts: some Sequence<Int64>) throws {
        let app = head.appender()
        var ref = SeriesRef.none
        for (i, t) in ts.enumerated() { ref = try app.append(ref: ref, labels: l, timestamp: t, value: Double(i)) }
        try app.commit()
    }

    static func chunkSizes(_ head: Head, _ l: Labels) throws -> [Int] {
        let q = try head.querier(minTime: .min, maxTime: .max) as! HeadQuerier
        let s = try q.selectHeadSeries(sorted: false, hints: nil, matchers: l.map { LabelMatcher.equal($0.name, $0.value) })
        return s[0].chunks.map { XORChunk.sampleCount($0.bytes)! }
    }

    /// 15 s samples over one 2 h range: four chunks of 120, none crossing the range end.
    @Test func cutsChunksLikePrometheus() throws {
        let head = Head()
        let l = HeadTestHelpers.labels("m")
        try Self.append(head, l, stride(from: 0, to: 7_200_000 + 15_000 * 10, by: 15_000))
        #expect(try Self.chunkSizes(head, l) == [120, 120, 120, 120, 10])
        // 1 s samples: the end predicted at 1/4 full spreads the range over chunks of about 120
        // (Prometheus 2.42 arithmetic gives 61 chunks of 117 or 118 samples here).
        let l2 = HeadTestHelpers.labels("m2")
        let headl2 = Head()
        try Self.append(headl2, l2, stride(from: 0, to: 7_200_000, by: 1000))
        let sizes = try Self.chunkSizes(headl2, l2)
        #expect(sizes == Array(repeating: 117, count: 8) + Array(repeating: 119, count: 10) + Array(repeating: 118, count: 43))
        // A sudden rate increase: cut at 2 × 120.
        let l3 = HeadTestHelpers.labels("m3")
        let headl3 = Head()
        try Self.append(headl3, l3, (0..<31).map { Int64($0) * 60_000 } + (1..<400).map { 30 * 60_000 + Int64($0) })
        #expect(try Self.chunkSizes(headl3, l3).first == 240)
        // Chunk boundaries follow the chunk range, not the first sample.
        let l4 = HeadTestHelpers.labels("m4")
        let headl4 = Head()
        try Self.append(headl4, l4, [7_100_000, 7_199_999, 7_200_000])
        #expect(try Self.chunkSizes(headl4, l4) == [2, 1])
    }

    @Test func truncationDropsOldChunksAndCollectsEmptySeries() throws {
        let head = Head()
        let old = HeadTestHelpers.labels("old")
        let live = HeadTestHelpers.labels("live")
        try Self.append(head, old, stride(from: 0, to: 3_600_000, by: 15_000))
        try Self.append(head, live, stride(from: 0, to: 10_800_000, by: 15_000))
        #expect(head.seriesCount == 2)
        let st = head.truncate(before: 7_200_000)
        #expect(st.seriesRemoved == 1)
        #expect(head.seriesCount == 1)
        #expect(head.series(labels: old) == nil)
        let q = try head.querier(minTime: .min, maxTime: .max)
        let got = try HeadTestHelpers.dump(q)
        #expect(got.map(\.0) == [live])
        #expect(got[0].1.first! >= 7_200_000 - 15_000 * 240)  // whole chunks only
        #expect(head.minTime == got[0].1.first!)
        #expect(try q.labelValues(name: "__name__", matchers: []) == ["live"])
        // Nothing older than the cut is accepted any more, and a collected series comes back fresh.
        let app = head.appender()
        #expect(throws: AppendError.self) { try app.append(ref: .none, labels: old, timestamp: 7_199_999, value: 1) }
        let ref = try app.append(ref: .none, labels: old, timestamp: 10_800_000, value: 1)
        try app.commit()
        #expect(ref.rawValue == 3)
    }

    @Test func memoryPerSeriesStaysCompact() throws {
        // Full chunks keep exact-size bytes: 120 samples of a 15 s counter take well under 2 bytes each.
        let head = Head()
        let l = HeadTestHelpers.labels("c")
        try Self.append(head, l, stride(from: 0, to: 7_200_000, by: 15_000))
        let q = try head.querier(minTime: .min, maxTime: .max) as! HeadQuerier
        let chunks = try q.selectHeadSeries(sorted: false, hints: nil, matchers: [.equal("__name__", "c")])[0].chunks
        let bytes = chunks.reduce(0) { $0 + $1.bytes.count }
        #expect(Double(bytes) / 480 < 2)
    }
}
