import Dispatch
import Foundation
import SundialCore
import SundialFileIO
import SundialTestSupport
import SundialWAL
import Synchronization
import Testing
@testable import SundialTSDB

/// ``DB/delete(matchers:minTime:maxTime:)``, ``DB/cleanBlockTombstones()`` and
/// ``DB/snapshot(into:withHead:)`` on real directories: head and blocks, restart, compaction.
@Suite struct DBAdminTests {
    static let h: Int64 = 3_600_000
    typealias C = CompactionDBTests

    /// Expected timestamps of series `i` after deleting `[lo, hi]` from it.
    static func expected(from: Int64, to: Int64, minus lo: Int64, _ hi: Int64) -> [Int64] {
        stride(from: from, to: to, by: 60_000).filter { $0 < lo || $0 > hi }
    }

    /// 10 series over [0, 5h), compacted into a [0, 2h) block, then series 3 deleted over [1h, 3h].
    static func deletedDB(_ dir: String) throws -> DB {
        let db = try DB.open(directory: dir)
        try C.fill(db, series: 10, from: 0, to: 5 * h)
        try db.compact()
        #expect(db.blocks.blocks.count == 1)
        let r = try db.delete(matchers: [.equal("i", "3")], minTime: 1 * h, maxTime: 3 * h)
        #expect(r == DB.DeletionResult(blockSeries: 1, headSeries: 1))
        return db
    }

    static func checkDeleted(_ got: [Labels: SampleBuffer], to: Int64) {
        #expect(got.count == 10)
        for i in 0..<10 {
            let want = i == 3 ? expected(from: 0, to: to, minus: h, 3 * h) : expected(from: 0, to: to, minus: 1, 0)
            #expect(got[C.labels(i)]?.timestamps == want, "series \(i)")
        }
    }

    @Test func deleteInHeadAndBlocksSurvivesRestartAndHeadCompaction() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Self.deletedDB(dir.path)
            Self.checkDeleted(try C.readAll(db), to: 5 * Self.h)
            #expect(db.blocks.blocks[0].tombstones.count == 1)
            #expect(db.head.tombstones.count == 1)
            try db.close()
        }
        do {
            // Restart: the head's deletion comes back from the WAL's tombstones record.
            let db = try DB.open(directory: dir.path)
            #expect(db.replayStats.tombstones == 1)
            Self.checkDeleted(try C.readAll(db), to: 5 * Self.h)
            // Head compaction writes [2h, 4h) without the deleted samples, and truncation drops
            // the head interval (it ends at 3h, before the new head minimum).
            try C.fill(db, series: 10, from: 5 * Self.h, to: 6 * Self.h)
            let r = try db.compact()
            let meta = try #require(r.headBlocks.first)
            #expect([meta.minTime, meta.maxTime] == [2 * Self.h, 4 * Self.h])
            #expect(meta.stats.numSamples == 10 * 120 - 61)  // series 3 lost [2h, 3h]: 61 samples
            #expect(meta.stats.numTombstones == 0)
            #expect(db.head.tombstones.count == 0)
            Self.checkDeleted(try C.readAll(db), to: 6 * Self.h)
            try db.close()
        }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        Self.checkDeleted(try C.readAll(db), to: 6 * Self.h)
    }

    @Test func deleteOnReadOnlyOrClosedDatabaseThrows() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        try C.fill(db, series: 1, from: 0, to: Self.h)
        try db.close()
        #expect(throws: TSDBError.self) { try db.delete(matchers: [.equal("i", "0")], minTime: 0, maxTime: 1) }
        var options = DBOptions()
        options.readOnly = true
        let ro = try DB.open(directory: dir.path, options: options)
        #expect(throws: TSDBError.self) { try ro.delete(matchers: [.equal("i", "0")], minTime: 0, maxTime: 1) }
    }

    @Test func cleanTombstonesRewritesBlocksAndKeepsRunningQueries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.deletedDB(dir.path)
        defer { try? db.close() }
        let old = db.blocks.blocks[0]
        let before = try C.readAll(db)
        // A querier opened before the clean keeps reading the old block.
        let q = try db.querier(minTime: .min, maxTime: .max)
        let done = try db.cleanBlockTombstones()
        #expect(done.count == 1)
        let meta = try #require(done[0].new)
        #expect(done[0].old == old.id)
        #expect(meta.ulid != old.id)
        #expect([meta.minTime, meta.maxTime] == [old.meta.minTime, old.meta.maxTime])
        #expect(meta.compaction.level == old.meta.compaction.level)
        #expect(meta.compaction.sources == old.meta.compaction.sources)
        #expect(meta.compaction.parents.map(\.ulid) == [old.id])
        #expect(meta.stats.numTombstones == 0)
        #expect(meta.stats.numSamples == old.meta.stats.numSamples - 60)  // series 3 lost [1h, 2h)
        #expect(db.blocks.blocks.map(\.id) == [meta.ulid])
        #expect(!FileManager.default.fileExists(atPath: old.directory))
        #expect(db.blocks.blocks[0].tombstones.isEmpty)
        var n = 0
        for s in try q.select(sorted: true, hints: nil, matchers: []) {
            var b = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &b)
            #expect(b.timestamps == before[s.labels]?.timestamps)
            n += 1
        }
        #expect(n == 10)
        q.close()
        Self.checkDeleted(try C.readAll(db), to: 5 * Self.h)
        // Nothing left to clean: a second pass does nothing. Head tombstones stay (Prometheus 2.42).
        #expect(try db.cleanBlockTombstones().isEmpty)
        #expect(db.head.tombstones.count == 1)
    }

    @Test func cleanTombstonesRemovesAFullyDeletedBlock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        try C.fill(db, series: 3, from: 0, to: 4 * Self.h)
        try db.compact()
        try db.delete(matchers: [.equal("__name__", "dbc")], minTime: 0, maxTime: 2 * Self.h - 1)
        let done = try db.cleanBlockTombstones()
        #expect(done.count == 1 && done[0].new == nil)
        #expect(db.blocks.blocks.isEmpty)
        let got = try C.readAll(db)
        #expect(got[C.labels(0)]?.timestamps.first == 2 * Self.h)
    }

    /// A crash after the rewritten block is durable but before the old one is removed: on reopen
    /// the old block is a parent of a complete block and is deleted, so nothing is seen twice.
    @Test func crashDuringCleanTombstonesLeavesNoDuplicate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try Self.deletedDB(dir.path)
            let b = db.blocks.blocks[0]
            let history = BlockMeta.Compaction(level: b.meta.compaction.level, sources: b.meta.compaction.sources,
                                               parents: [.init(ulid: b.id, minTime: b.meta.minTime, maxTime: b.meta.maxTime)])
            _ = try Compactor.compact([b], into: dir.path, compaction: history)
            try db.close()
        }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        #expect(db.blocks.blocks.count == 1)
        #expect(db.blocks.blocks[0].tombstones.isEmpty)
        Self.checkDeleted(try C.readAll(db), to: 5 * Self.h)
    }

    @Test func snapshotLinksBlocksAndWritesTheHeadAsABlock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try Self.deletedDB(dir.path)
        defer { try? db.close() }
        let want = try C.readAll(db)
        let snap = dir.path + "/snapshots/full"
        let ids = try db.snapshot(into: snap, withHead: true)
        #expect(ids.count == 2)
        // Blocks are hard links of the originals.
        let block = db.blocks.blocks[0]
        let attrs = try FileManager.default.attributesOfItem(atPath: "\(snap)/\(block.id.string)/index")
        #expect((attrs[.referenceCount] as? Int ?? 0) >= 2)
        var ro = DBOptions()
        ro.readOnly = true
        do {
            let s = try DB.open(directory: snap, options: ro)
            let got = try C.readAll(s)
            #expect(got.mapValues(\.timestamps) == want.mapValues(\.timestamps))
            #expect(got.mapValues { $0.values.map(\.bitPattern) } == want.mapValues { $0.values.map(\.bitPattern) })
            #expect(s.blocks.blocks.count == 2)
            // The head block carries no tombstones: its deleted samples were never written.
            #expect(s.blocks.blocks[1].tombstones.isEmpty)
        }
        let blocksOnly = dir.path + "/snapshots/blocks"
        #expect(try db.snapshot(into: blocksOnly, withHead: false) == [block.id])
        let s = try DB.open(directory: blocksOnly, options: ro)
        let got = try C.readAll(s)
        #expect(got[C.labels(0)]?.timestamps == Self.expected(from: 0, to: 2 * Self.h, minus: 1, 0))
        #expect(got[C.labels(3)]?.timestamps == Self.expected(from: 0, to: 2 * Self.h, minus: Self.h, 3 * Self.h))
        // Appends go on after a snapshot; the database still works.
        try C.fill(db, series: 10, from: 5 * Self.h, to: 5 * Self.h + 60_000)
    }

    @Test func snapshotRefusesTheBaseDirectoryAndULIDNames() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        #expect(throws: TSDBError.self) { try db.snapshot(into: dir.path, withHead: true) }
        #expect(throws: TSDBError.self) { try db.snapshot(into: dir.path + "/01ARZ3NDEKTSV4RRFFQ69G5FAV", withHead: true) }
        // An empty database snapshots to a directory holding only an empty WAL directory.
        let name = try db.snapshot(skipHead: false)
        #expect(FileSystem.isDirectory(DB.snapshotsDirectory(dir.path) + "/" + name))
        #expect(try FileSystem.listDirectory(DB.snapshotsDirectory(dir.path) + "/" + name) == ["wal"])
    }

    @Test func snapshotNamesFollowPrometheus() {
        #expect(DB.snapshotName(nowMs: 1_763_748_243_999, random: 0xabc) == "20251121T180403Z-0000000000000abc")
        #expect(DB.snapshotName(nowMs: 951_825_600_000, random: .max) == "20000229T120000Z-7fffffffffffffff")
        #expect(DB.snapshotName(nowMs: 0, random: 0) == "19700101T000000Z-0000000000000000")
    }

    /// A head deletion folded into a WAL checkpoint by head compaction survives a restart.
    @Test func headDeletionSurvivesACheckpoint() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try DB.open(directory: dir.path)
            try C.fill(db, series: 4, from: 0, to: 5 * Self.h)
            try db.delete(matchers: [.equal("i", "2")], minTime: 210 * 60_000, maxTime: 270 * 60_000)
            // Later segments, so that the checkpoint of the compaction below covers the tombstones record.
            for k in Int64(0)..<3 {
                _ = try db.wal?.cutSegment()
                try C.fill(db, series: 4, from: 5 * Self.h + k * 600_000, to: 5 * Self.h + (k + 1) * 600_000)
            }
            try db.compact()
            try db.close()
        }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        #expect(db.replayStats.wal?.checkpoint != nil)
        #expect(db.replayStats.tombstones == 1)
        let got = try C.readAll(db)
        let ts = try #require(got[C.labels(2)]?.timestamps)
        #expect(!ts.contains { $0 >= 210 * 60_000 && $0 <= 270 * 60_000 })
        #expect(ts.contains(209 * 60_000) && ts.contains(271 * 60_000))
        #expect(got[C.labels(1)]?.timestamps.contains(240 * 60_000) == true)
    }

    /// Snapshots taken while another thread appends: every commit succeeds, and every snapshot
    /// holds exactly a prefix of what was committed (nothing torn, nothing invented).
    @Test func snapshotsWhileAppending() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        try C.fill(db, series: 5, from: 0, to: 3 * Self.h)
        try db.compact()
        let start = 3 * Self.h, steps: Int64 = 200
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                do { try C.fill(db, series: 5, from: start, to: start + steps * 60_000) } catch { failures.withLock { $0 += 1 } }
            } else {
                for k in 0..<3 {
                    do { try db.snapshot(into: dir.path + "/snapshots/s\(k)", withHead: true) } catch { failures.withLock { $0 += 1 } }
                }
            }
        }
        #expect(failures.withLock { $0 } == 0)
        let live = try C.readAll(db)
        C.check(live, series: 5, from: 0, to: start + steps * 60_000)
        var ro = DBOptions()
        ro.readOnly = true
        for k in 0..<3 {
            let s = try DB.open(directory: dir.path + "/snapshots/s\(k)", options: ro)
            let got = try C.readAll(s)
            #expect(got.count == 5)
            for (labels, b) in got {
                let all = try #require(live[labels])
                #expect(b.timestamps == Array(all.timestamps.prefix(b.count)), "snapshot \(k) \(labels)")
                #expect(b.values == Array(all.values.prefix(b.count)))
                #expect(b.count >= Int(3 * Self.h / 60_000))
            }
        }
    }

    /// With a short block range (chunks cut at 10 min) and a head compaction behind it, the
    /// snapshot's blocks hold every live sample exactly once: no head sample already persisted in a
    /// block is written again (promtool counts meta.json's numSamples, which does not deduplicate).
    @Test func snapshotCountsEverySampleOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path, options: DBOptions(head: HeadOptions(chunkRange: 600_000)))
        defer { try? db.close() }
        try C.fill(db, series: 7, from: 0, to: 3_600_000 + 15_000)
        try db.compact()
        #expect(db.blocks.blocks.count >= 2)
        let live = try C.readAll(db).values.reduce(0) { $0 + $1.count }
        #expect(live == 7 * 61)
        let ids = try db.snapshot(into: dir.path + "/snapshots/s", withHead: true)
        var ro = DBOptions()
        ro.readOnly = true
        let s = try DB.open(directory: dir.path + "/snapshots/s", options: ro)
        #expect(s.blocks.blocks.map(\.id) == ids)
        #expect(s.blocks.blocks.reduce(0) { $0 + Int($1.meta.stats.numSamples) } == live)
    }
}
