import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct BlockStoreTests {
    static let h: Int64 = 3_600_000

    /// A head holding `series` series sampled every 30 s over `[0, hours h)`, appended in time order.
    static func filledHead(series: Int, hours: Int64) throws -> Head {
        let head = Head(options: HeadOptions(stripeCount: 64))
        var refs = [SeriesRef](repeating: .none, count: series)
        var t: Int64 = 0
        while t < hours * h {
            let app = head.appender()
            for i in 0..<series {
                refs[i] = try app.append(ref: refs[i], labels: labels(i), timestamp: t + Int64(i), value: value(i, t))
            }
            try app.commit()
            t += 30_000
        }
        return head
    }

    static func labels(_ i: Int) -> Labels { Labels(["__name__": "hc", "i": String(i), "odd": i % 2 == 1 ? "1" : "0"]) }
    static func value(_ i: Int, _ t: Int64) -> Double { Double(t / 30_000) * Double(i + 1) }

    static func readAll(_ q: any Querier) throws -> [Labels: SampleBuffer] {
        var out: [Labels: SampleBuffer] = [:]
        for s in try q.select(sorted: true, hints: nil, matchers: []) {
            var buf = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            out[s.labels] = buf
        }
        return out
    }

    static func expected(series: Int, hours: Int64) -> [Labels: SampleBuffer] {
        var out: [Labels: SampleBuffer] = [:]
        for i in 0..<series {
            var b = SampleBuffer()
            for t in stride(from: Int64(0), to: hours * h, by: 30_000) { b.append(t + Int64(i), value(i, t)) }
            out[labels(i)] = b
        }
        return out
    }

    @Test func headCompactionPersistsTheOldestRangeAndLosesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let head = try Self.filledHead(series: 20, hours: 5)
        let store = try BlockStore(directory: dir.path)
        var truncations: [Int64] = []
        let written = try store.compactHead(head, chunkRange: 2 * Self.h) { t in
            truncations.append(t)
            head.truncate(before: t)
        }
        // Head spans [0, 5h): [0,2h) is persisted; then [2h,5h) spans 3h, not > 3h: stop.
        #expect(written.map { [$0.minTime, $0.maxTime] } == [[0, 2 * Self.h]])
        #expect(truncations == [2 * Self.h])
        #expect(written[0].stats.numSeries == 20)
        #expect(written[0].stats.numSamples == 20 * 240)
        #expect(written[0].compaction.level == 1)
        #expect(head.minTime >= 2 * Self.h)

        let parts: [any Querier] = store.queriers(minTime: .min, maxTime: .max) + [try head.querier(minTime: .min, maxTime: .max)]
        let got = try Self.readAll(MergeQuerier(parts))
        let want = Self.expected(series: 20, hours: 5)
        #expect(got.count == want.count)
        for (ls, w) in want {
            #expect(got[ls]?.timestamps == w.timestamps, "\(ls)")
            #expect(got[ls]?.values == w.values)
        }
        // Reopening finds the block.
        let reopened = try BlockStore(directory: dir.path)
        #expect(reopened.blocks.map(\.id) == written.map(\.ulid))
    }

    @Test func headCompactionWithoutTruncationStillDeduplicates() throws {
        // A crash after the block is durable but before the head/WAL truncation: both hold the range.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let head = try Self.filledHead(series: 3, hours: 4)
        let store = try BlockStore(directory: dir.path)
        let meta = try #require(try HeadCompaction.persist(head: head, minTime: 0, maxTime: 2 * Self.h, into: dir.path))
        try store.add(meta.ulid)
        let parts: [any Querier] = store.queriers(minTime: .min, maxTime: .max) + [try head.querier(minTime: .min, maxTime: .max)]
        let got = try Self.readAll(MergeQuerier(parts))
        for (ls, w) in Self.expected(series: 3, hours: 4) { #expect(got[ls]?.timestamps == w.timestamps) }
    }

    @Test func storeCompactsRetainsAndDeletes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let head = try Self.filledHead(series: 4, hours: 9)
        let store = try BlockStore(directory: dir.path)
        try store.compactHead(head, chunkRange: 2 * Self.h) { head.truncate(before: $0) }
        // [0,2) [2,4) [4,6) persisted; head keeps [6,9).
        #expect(store.blocks.map { $0.meta.maxTime / Self.h } == [2, 4, 6])
        // 6h level: the newest block is held back, [0,2)+[2,4) end before it starts → compacted.
        let ranges = CompactionPlanner.exponentialRanges(min: 2 * Self.h, steps: 3, factor: 3)
        let compacted = try store.compact(ranges: ranges)
        #expect(compacted.count == 1)
        #expect(store.blocks.map { [$0.meta.minTime / Self.h, $0.meta.maxTime / Self.h] } == [[0, 4], [4, 6]])
        #expect(BlockFiles.list(dir.path).count == 2)

        // Deletion: series i=1 in [1h, 5h) gets tombstones in both blocks; queries skip them.
        let n = try store.delete(matchers: [.equal("i", "1")], minTime: Self.h, maxTime: 5 * Self.h - 1)
        #expect(n == 2)
        let q = MergeQuerier(store.queriers(minTime: .min, maxTime: .max))
        let got = try Self.readAll(q)
        let s1 = try #require(got[Self.labels(1)])
        #expect(s1.timestamps.allSatisfy { $0 < Self.h || $0 >= 5 * Self.h })
        #expect(s1.count == 120 + 120)
        #expect(got[Self.labels(2)]?.count == 720)
        // Reopen keeps the tombstones.
        let reopened = try BlockStore(directory: dir.path)
        #expect(try Self.readAll(MergeQuerier(reopened.queriers(minTime: .min, maxTime: .max)))[Self.labels(1)]?.count == 240)

        // Retention by time relative to the newest block (maxTime 6h): 1h keeps only [4,6).
        let dropped = try store.applyRetention(retentionMs: Self.h)
        #expect(dropped.count == 1)
        #expect(store.blocks.map { $0.meta.maxTime / Self.h } == [6])
        let bySize = try store.applyRetention(retentionMs: 0, maxBytes: 1)
        #expect(bySize.count == 1)
        #expect(store.blocks.isEmpty)
        #expect(BlockFiles.list(dir.path).isEmpty)
    }

    @Test func reopenCleansInterruptedWork() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let head = try Self.filledHead(series: 2, hours: 7)
        let store = try BlockStore(directory: dir.path)
        try store.compactHead(head, chunkRange: 2 * Self.h) { head.truncate(before: $0) }
        let parents = store.blocks
        #expect(parents.count == 2)
        // Simulate a crash after the compacted block was renamed into place but before its parents
        // were deleted: write the compacted block directly, leaving the parents.
        let merged = try #require(try Compactor.compact(parents, into: dir.path))
        // And leftovers of an interrupted write and deletion.
        try BlockFiles.makeDirectory(dir.appending("01AAAAAAAAAAAAAAAAAAAAAAAA.tmp-for-creation/chunks"))
        try BlockFiles.makeDirectory(dir.appending("01BBBBBBBBBBBBBBBBBBBBBBBB.tmp-for-deletion"))
        let reopened = try BlockStore(directory: dir.path)
        #expect(reopened.blocks.map(\.id) == [merged.ulid])
        #expect(BlockFiles.list(dir.path) == [merged.ulid.string])
        let got = try Self.readAll(MergeQuerier(reopened.queriers(minTime: .min, maxTime: .max)))
        #expect(got[Self.labels(0)]?.count == 480)
    }

    @Test func corruptBlockIsSkippedAndReported() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let head = try Self.filledHead(series: 2, hours: 4)
        let store = try BlockStore(directory: dir.path)
        let written = try store.compactHead(head, chunkRange: 2 * Self.h) { head.truncate(before: $0) }
        let id = try #require(written.first?.ulid)
        let indexPath = dir.appending("\(id)/index")
        var bytes = try BlockFiles.read(indexPath)
        bytes[bytes.count - 10] ^= 0xFF
        try BlockFiles.writeDurably(indexPath, bytes)
        let reopened = try BlockStore(directory: dir.path)
        #expect(reopened.blocks.isEmpty)
        #expect(reopened.skipped.count == 1)
        #expect(reopened.skipped.first?.path == indexPath)
        #expect(BlockFiles.exists(indexPath))  // left for the operator
    }
}
