import SundialCore
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// The database with blocks: head compaction through ``DB/compact()``, merged queries, reopening.
@Suite struct CompactionDBTests {
    static let h: Int64 = 3_600_000

    static func labels(_ i: Int) -> Labels { Labels(["__name__": "dbc", "i": String(i)]) }

    /// Appends `series` series every 60 s over `[from, to)`, one commit per step.
    static func fill(_ db: DB, series: Int, from: Int64, to: Int64) throws {
        var refs = [SeriesRef](repeating: .none, count: series)
        var t = from
        while t < to {
            let app = db.appender()
            for i in 0..<series { refs[i] = try app.append(ref: refs[i], labels: labels(i), timestamp: t, value: Double(t / 60_000 + Int64(i))) }
            try app.commit()
            t += 60_000
        }
    }

    static func readAll(_ db: DB) throws -> [Labels: SampleBuffer] {
        let q = try db.querier(minTime: .min, maxTime: .max)
        defer { q.close() }
        var out: [Labels: SampleBuffer] = [:]
        for s in try q.select(sorted: true, hints: nil, matchers: []) {
            var b = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &b)
            out[s.labels] = b
        }
        return out
    }

    static func check(_ got: [Labels: SampleBuffer], series: Int, from: Int64, to: Int64) {
        #expect(got.count == series)
        for i in 0..<series {
            let ts = Array(stride(from: from, to: to, by: 60_000))
            #expect(got[labels(i)]?.timestamps == ts, "series \(i)")
            #expect(got[labels(i)]?.values == ts.map { Double($0 / 60_000 + Int64(i)) })
        }
    }

    @Test func compactPersistsHeadAndReopenLosesAndDuplicatesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try DB.open(directory: dir.path)
            try Self.fill(db, series: 10, from: 0, to: 5 * Self.h)
            let r = try db.compact()
            #expect(r.headBlocks.map { [$0.minTime, $0.maxTime] } == [[0, 2 * Self.h]])
            #expect(r.headBlocks.first?.stats.numSamples == 10 * 120)
            #expect(db.blocks.blocks.count == 1)
            #expect(db.head.minTime >= 2 * Self.h)
            Self.check(try Self.readAll(db), series: 10, from: 0, to: 5 * Self.h)
            // More data, then another pass: [2h,4h) joins.
            try Self.fill(db, series: 10, from: 5 * Self.h, to: 6 * Self.h)
            let r2 = try db.compact()
            #expect(r2.headBlocks.map { $0.maxTime } == [4 * Self.h])
            Self.check(try Self.readAll(db), series: 10, from: 0, to: 6 * Self.h)
            try db.close()
        }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        #expect(db.blocks.blocks.count == 2)
        Self.check(try Self.readAll(db), series: 10, from: 0, to: 6 * Self.h)
    }

    @Test func crashBeforeWALTruncationReplaysWithoutDuplicates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try DB.open(directory: dir.path)
            try Self.fill(db, series: 5, from: 0, to: 4 * Self.h)
            // The block is durable but the head/WAL were never truncated (a crash right after the rename).
            let meta = try #require(try HeadCompaction.persist(head: db.head, minTime: 0, maxTime: 2 * Self.h, into: dir.path))
            #expect(meta.stats.numSamples == 5 * 120)
            try db.close()
        }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        #expect(db.blocks.blocks.count == 1)
        Self.check(try Self.readAll(db), series: 5, from: 0, to: 4 * Self.h)
        // Samples older than the block's end are refused now.
        let app = db.appender()
        #expect(throws: AppendError.self) { _ = try app.append(ref: .none, labels: Self.labels(0), timestamp: Self.h, value: 1) }
        app.rollback()
    }

    @Test func readOnlyOpenChangesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        try Self.fill(db, series: 3, from: 0, to: 4 * Self.h)
        try db.compact()
        try db.close()
        try BlockFiles.makeDirectory(dir.appending("01AAAAAAAAAAAAAAAAAAAAAAAA.tmp-for-creation"))
        let ro = try DB.open(directory: dir.path, options: DBOptions(readOnly: true))
        defer { try? ro.close() }
        Self.check(try Self.readAll(ro), series: 3, from: 0, to: 4 * Self.h)
        #expect(BlockFiles.exists(dir.appending("01AAAAAAAAAAAAAAAAAAAAAAAA.tmp-for-creation")))
        #expect(try ro.compact().headBlocks.isEmpty)
    }

    @Test func retentionDeletesOldBlocks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var opts = DBOptions()
        opts.retentionMs = 3 * Self.h
        opts.blockRanges = [2 * Self.h]  // no leveled merging: keep the 2 h blocks apart
        let db = try DB.open(directory: dir.path, options: opts)
        defer { try? db.close() }
        try Self.fill(db, series: 2, from: 0, to: 11 * Self.h)
        let r = try db.compact()
        // Blocks end at 2,4,6,8 h; the newest ends at 8 h: those ending more than 3 h earlier go.
        #expect(r.headBlocks.map { $0.maxTime / Self.h } == [2, 4, 6, 8])
        #expect(r.retentionDeleted.count == 2)
        #expect(db.blocks.blocks.map { $0.meta.maxTime / Self.h } == [6, 8])
        Self.check(try Self.readAll(db), series: 2, from: 4 * Self.h, to: 11 * Self.h)
    }
}
