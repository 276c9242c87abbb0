import Testing
import SundialCore
import SundialEncoding
@testable import SundialTSDB

/// ``HeadQuerier``'s select snapshots: the open chunk is taken as a copy of its encoder (no
/// bytes copied), so samples appended after the select stay invisible; selections of
/// ``HeadQuerier/parallelMinimum`` series or more are snapshotted on all cores and come back in
/// the same order with the same samples.
@Suite struct HeadQuerierSnapshotTests {
    static func head(series: Int, samples: Int) throws -> Head {
        let head = Head(options: HeadOptions(stripeCount: 16))
        let app = head.appender()
        for i in 0..<series {
            let l = Labels([Label("__name__", "m"), Label("i", String(i)), Label("odd", String(i % 2))])
            for k in 0..<samples { _ = try app.append(ref: .none, labels: l, timestamp: Int64(k) * 15_000, value: Double(i * 1000 + k)) }
        }
        try app.commit()
        return head
    }

    static func read(_ s: any StorageSeries, _ mint: Int64 = .min, _ maxt: Int64 = .max) throws -> [Double] {
        var b = SampleBuffer()
        try s.samples(minTime: mint, maxTime: maxt, into: &b)
        return b.values
    }

    @Test func appendsAfterTheSelectAreNotSeen() throws {
        let head = try Self.head(series: 3, samples: 10)
        let q = try head.querier(minTime: .min, maxTime: .max)
        let sel = try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "m")])
        #expect(sel.count == 3)
        let app = head.appender()
        for i in 0..<3 {
            let l = Labels([Label("__name__", "m"), Label("i", String(i)), Label("odd", String(i % 2))])
            for k in 10..<40 { _ = try app.append(ref: .none, labels: l, timestamp: Int64(k) * 15_000, value: -1) }
        }
        try app.commit()
        for s in sel {
            let i = Int(s.labels.get("i")!)!
            #expect(try Self.read(s) == (0..<10).map { Double(i * 1000 + $0) })
            #expect(try Self.read(s, 30_000, 60_000) == (2...4).map { Double(i * 1000 + $0) })
        }
        // A new select sees them; the chunk list (full + open bytes) holds all 40 samples.
        let again = try HeadQuerier(head: head, minTime: .min, maxTime: .max)
            .selectHeadSeries(sorted: true, hints: nil, matchers: [.equal("i", "1")])
        #expect(try Self.read(again[0]).count == 40)
        #expect(again[0].chunks.reduce(0) { $0 + (XORChunk.sampleCount($1.bytes) ?? 0) } == 40)
    }

    @Test func largeSelectionsMatchSeriesBySeries() throws {
        let n = HeadQuerier.parallelMinimum + 1000
        let head = try Self.head(series: n, samples: 4)
        let q = HeadQuerier(head: head, minTime: .min, maxTime: .max)
        let all = try q.select(sorted: false, hints: nil, matchers: [.equal("__name__", "m")])
        #expect(all.count == n)
        // Unsorted: ref order, which is creation order here.
        #expect(all.map { Int($0.labels.get("i")!)! } == Array(0..<n))
        for s in all where Int(s.labels.get("i")!)! % 997 == 0 {
            let i = Int(s.labels.get("i")!)!
            #expect(try Self.read(s) == (0..<4).map { Double(i * 1000 + $0) })
        }
        let sorted = try q.selectHeadSeries(sorted: true, hints: nil, matchers: [.equal("odd", "1")])
        #expect(sorted.count == n / 2)
        #expect(sorted.map(\.labels) == sorted.map(\.labels).sorted())
        // Narrowed by hints: no series has samples after 45 s.
        #expect(try q.select(sorted: false, hints: SelectHints(start: 46_000, end: 90_000), matchers: [.equal("__name__", "m")]).isEmpty)
    }

    @Test func deletingTheOpenChunkDropsTheSeries() throws {
        let head = try Self.head(series: 2, samples: 5)
        try head.delete(matchers: [.equal("i", "0")], minTime: .min, maxTime: .max) { _ in }
        try head.delete(matchers: [.equal("i", "1")], minTime: 15_000, maxTime: 30_000) { _ in }
        let sel = try head.querier(minTime: .min, maxTime: .max).select(sorted: true, hints: nil, matchers: [.equal("__name__", "m")])
        #expect(sel.map { $0.labels.get("i") } == ["1"])
        #expect(try Self.read(sel[0]) == [1000, 1003, 1004])
    }
}
