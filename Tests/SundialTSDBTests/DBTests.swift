import Testing
import SundialCore
import SundialTSDB
import SundialWAL
import SundialTestSupport

@Suite struct DBTests {
    static func write(_ db: DB, series: Int, rounds: Range<Int>, start: Int64 = 1_700_000_000_000) throws {
        for r in rounds {
            let app = db.appender()
            for s in 0..<series {
                let l = HeadTestHelpers.labels("m", ("s", "\(s)"))
                _ = try app.append(ref: .none, labels: l, timestamp: start + Int64(r) * 15_000, value: Double(r * s) + 0.5)
            }
            try app.commit()
        }
    }

    @Test func reopenReplaysEverySampleExactly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        try Self.write(db, series: 50, rounds: 0..<300)
        let app = db.appender()
        _ = try app.append(ref: .none, labels: HeadTestHelpers.labels("stale"), timestamp: 1_700_000_000_000 + 299 * 15_000, value: StaleMarker.value)
        app.appendMetadata(MetricMetadata(metricFamily: "m", type: .gauge, help: "help text", unit: "bytes"))
        try app.commit()
        let before = try HeadTestHelpers.dump(try db.querier(minTime: .min, maxTime: .max))
        let refsBefore = before.map { db.head.series(labels: $0.0)!.ref }
        try db.close()

        let db2 = try DB.open(directory: dir.path)
        defer { try? db2.close() }
        let after = try HeadTestHelpers.dump(try db2.querier(minTime: .min, maxTime: .max))
        #expect(after.count == before.count)
        for (a, b) in zip(after, before) { #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2) }
        #expect(after.map { db2.head.series(labels: $0.0)!.ref } == refsBefore)
        #expect(db2.replayStats.samples == 50 * 300 + 1)
        #expect(db2.head.metadata("m") == MetricMetadata(metricFamily: "m", type: .gauge, help: "help text", unit: "bytes"))
        #expect(db2.head.minTime == 1_700_000_000_000 && db2.head.maxTime == 1_700_000_000_000 + 299 * 15_000)
        // New series after a replay get refs above the replayed ones, and appends continue.
        let app2 = db2.appender()
        let ref = try app2.append(ref: .none, labels: HeadTestHelpers.labels("new"), timestamp: 1_700_000_000_000 + 300 * 15_000, value: 1)
        try app2.commit()
        #expect(ref.rawValue == 52)
    }

    /// Records large enough to be applied by several replay threads come back exactly too.
    @Test func largeRecordsReplayInParallelExactly() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        try Self.write(db, series: 3000, rounds: 0..<6)
        let before = try HeadTestHelpers.dump(try db.querier(minTime: .min, maxTime: .max))
        try db.close()
        let db2 = try DB.open(directory: dir.path)
        defer { try? db2.close() }
        let after = try HeadTestHelpers.dump(try db2.querier(minTime: .min, maxTime: .max))
        #expect(db2.replayStats.samples == 18_000 && after.count == 3000)
        for (a, b) in zip(after, before) { #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2) }
        #expect(db2.head.stats.chunks == 3000)
    }

    @Test func theDirectoryIsLocked() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        #expect(throws: TSDBError.self) { _ = try DB.open(directory: dir.path) }
        try db.close()
        try DB.open(directory: dir.path).close()
    }

    @Test func readOnlyOpenSeesDataAndRefusesAppends() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        try Self.write(db, series: 3, rounds: 0..<10)
        // While the writer is still open (no lock taken by the reader).
        let ro = try DB.open(directory: dir.path, options: DBOptions(readOnly: true))
        #expect(try HeadTestHelpers.dump(try ro.querier(minTime: .min, maxTime: .max)).count == 3)
        let app = ro.appender()
        _ = try app.append(ref: .none, labels: HeadTestHelpers.labels("x"), timestamp: 1_700_000_000_000, value: 1)
        #expect(throws: TSDBError.self) { try app.commit() }
        #expect(try HeadTestHelpers.dump(try ro.querier(minTime: .min, maxTime: .max)).count == 3)
        try ro.close()
        try db.close()
    }

    @Test func closedDatabaseRefusesWork() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        try db.close()
        try db.close()  // idempotent
        #expect(db.isClosed)
        #expect(throws: (any Error).self) { _ = try db.querier(minTime: 0, maxTime: 1) }
        let app = db.appender()
        _ = try app.append(ref: .none, labels: HeadTestHelpers.labels("x"), timestamp: 1, value: 1)
        #expect(throws: (any Error).self) { try app.commit() }
    }

    @Test func truncateHeadCheckpointsTheWALAndReplayKeepsOnlyLiveData() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Small segments so that several exist.
        let opts = DBOptions(wal: WALOptions(segmentSize: 32 * 1024))
        let db = try DB.open(directory: dir.path, options: opts)
        let start: Int64 = 0
        try Self.write(db, series: 20, rounds: 0..<200, start: start)  // 0 … 49.75 min
        // A series that stops early: gone after truncation.
        let app = db.appender()
        _ = try app.append(ref: .none, labels: HeadTestHelpers.labels("gone"), timestamp: 10_000, value: 1)
        try app.commit()
        try Self.write(db, series: 20, rounds: 200..<1000, start: start)  // … 4h10m
        let segmentsBefore = try #require(try db.wal!.segments())
        let mint: Int64 = 2 * 3_600_000
        let stats = try db.truncateHead(before: mint)
        #expect(stats.seriesRemoved == 1)
        let segmentsAfter = try #require(try db.wal!.segments())
        #expect(segmentsAfter.lowerBound > segmentsBefore.lowerBound)
        let live = try HeadTestHelpers.dump(try db.querier(minTime: .min, maxTime: .max))
        try Self.write(db, series: 20, rounds: 1000..<1010, start: start)
        let liveAfter = try HeadTestHelpers.dump(try db.querier(minTime: .min, maxTime: .max))
        try db.close()

        let db2 = try DB.open(directory: dir.path, options: opts)
        defer { try? db2.close() }
        #expect(db2.replayStats.wal?.checkpoint != nil)
        let replayed = try HeadTestHelpers.dump(try db2.querier(minTime: mint, maxTime: .max), mint: mint)
        let expected = liveAfter.map { (l, ts, vs) -> (Labels, [Int64], [UInt64]) in
            let keep = ts.indices.filter { ts[$0] >= mint }
            return (l, keep.map { ts[$0] }, keep.map { vs[$0] })
        }
        #expect(replayed.count == expected.count && live.count == 20)
        for (a, b) in zip(replayed, expected) { #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2) }
        #expect(db2.head.series(labels: HeadTestHelpers.labels("gone")) == nil)
    }

    @Test func concurrentCommitsShareFsyncs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<4 {
                group.addTask {
                    for b in 0..<25 {
                        let app = db.appender()
                        for s in 0..<10 {
                            _ = try? app.append(ref: .none, labels: HeadTestHelpers.labels("c", ("w", "\(w)"), ("s", "\(s)")),
                                                timestamp: 1_000_000 + Int64(b) * 1000, value: Double(b))
                        }
                        try? app.commit()
                    }
                }
            }
        }
        #expect(db.head.stats.samplesAppended == 1000)
        #expect(db.wal!.fsyncCount <= 100)
        try db.close()
        let db2 = try DB.open(directory: dir.path)
        #expect(db2.replayStats.samples == 1000)
        try db2.close()
    }
}
