import Testing
import SundialCore
import Synchronization
@testable import SundialTSDB

/// The appender's per-batch validation through the series' pending mark (and its fallback for
/// series another live batch has marked), and the dense ref table behind ref lookups.
@Suite struct HeadAppenderStagingTests {
    let a = HeadTestHelpers.labels("up", ("job", "a"))
    let b = HeadTestHelpers.labels("up", ("job", "b"))

    func owner(_ head: Head, _ labels: Labels) -> UInt32 {
        head.series(labels: labels)!.state.withLock { $0.pendingOwner }
    }

    func samples(_ head: Head) throws -> [(Labels, [Int64], [UInt64])] {
        try HeadTestHelpers.dump(try head.querier(minTime: .min, maxTime: .max))
    }

    @Test func twoLiveBatchesOnOneSeriesEachValidateAgainstTheirOwnSamples() throws {
        let head = Head()
        let first = head.appender()
        let second = head.appender()
        let ref = try first.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        #expect(owner(head, a) == first.id)
        // The second batch finds the mark taken: it validates against committed samples (none)
        // and then against its own staged sample, tracked in its fallback map.
        _ = try second.append(ref: ref, labels: a, timestamp: 500, value: 5)
        #expect(second.staged[ref.rawValue] != nil)
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 400)) {
            try second.append(ref: ref, labels: a, timestamp: 400, value: 4)
        }
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 500)) {
            try second.append(ref: ref, labels: a, timestamp: 500, value: 6)
        }
        _ = try second.append(ref: ref, labels: a, timestamp: 500, value: 5)  // exact duplicate: ignored
        _ = try second.append(ref: ref, labels: a, timestamp: 600, value: 6)
        // The first batch still validates against its own newest sample through the mark.
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 900)) {
            try first.append(ref: ref, labels: a, timestamp: 900, value: 9)
        }
        _ = try first.append(ref: ref, labels: a, timestamp: 2000, value: 2)
        #expect(first.staged.isEmpty)

        try second.commit()
        #expect(owner(head, a) == first.id)  // not the second batch's mark: left alone
        try first.commit()
        #expect(owner(head, a) == 0)
        #expect(try samples(head)[0].1 == [500, 600, 1000, 2000])
    }

    @Test func aLaterBatchAppliedAfterANewerCommitDropsOnlyTheStaleSamples() throws {
        let head = Head()
        let first = head.appender()
        let second = head.appender()
        _ = try first.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        _ = try first.append(ref: .none, labels: a, timestamp: 3000, value: 3)
        _ = try second.append(ref: .none, labels: a, timestamp: 2000, value: 2)
        _ = try second.append(ref: .none, labels: b, timestamp: 2000, value: 2)
        try second.commit()
        try first.commit()  // 1000 is now out of order against the committed 2000; 3000 goes in
        #expect(try samples(head)[0].1 == [2000, 3000])
        #expect(try samples(head)[1].1 == [2000])
        #expect(head.stats.outOfOrderSamples == 1)
    }

    @Test func rollbackAndDroppedAppendersClearTheirMarks() throws {
        let head = Head()
        let app = head.appender()
        _ = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        _ = try app.append(ref: .none, labels: b, timestamp: 1000, value: 1)
        _ = try app.append(ref: .none, labels: a, timestamp: 2000, value: 2)
        #expect(owner(head, a) == app.id && owner(head, b) == app.id)
        app.rollback()
        #expect(owner(head, a) == 0 && owner(head, b) == 0)

        do {
            let dropped = head.appender()
            _ = try dropped.append(ref: .none, labels: a, timestamp: 1000, value: 1)
            #expect(owner(head, a) == dropped.id)
        }
        #expect(owner(head, a) == 0)

        // With the marks gone, a new batch validates against committed samples only.
        let next = head.appender()
        _ = try next.append(ref: .none, labels: a, timestamp: 500, value: 5)
        try next.commit()
        #expect(try samples(head)[0].1 == [500])
    }

    @Test func aFailedLogWriteClearsTheMarksAndAppliesNothing() throws {
        struct FailingLog: HeadLog {
            struct Failure: Error {}
            func commit(_ batch: HeadCommitBatch, apply: () -> Void) throws { throw Failure() }
        }
        let head = Head(log: FailingLog())
        let app = head.appender()
        _ = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        #expect(throws: TSDBError.self) { try app.commit() }
        #expect(owner(head, a) == 0)
        #expect(head.stats.samplesAppended == 0)
    }

    @Test func refHintsResolveThroughTheTableAcrossPages() throws {
        let head = Head()
        let app = head.appender()
        var refs: [SeriesRef] = []
        let n = SeriesTable.pageSize * 3 + 7
        for i in 0..<n {
            refs.append(try app.append(ref: .none, labels: HeadTestHelpers.labels("m", ("i", "\(i)")), timestamp: 1000, value: 1))
        }
        try app.commit()
        #expect(Set(refs.map(\.rawValue)).count == n)
        let next = head.appender()
        // Refs in scattered order, each with its own label set; every hint must hit its series.
        for i in Array(stride(from: n - 1, through: 0, by: -3)) + Array(stride(from: 0, to: n, by: 3)) {
            let l = HeadTestHelpers.labels("m", ("i", "\(i)"))
            #expect(try next.append(ref: refs[i], labels: l, timestamp: 2000, value: 2) == refs[i])
        }
        // A stale hint (no such ref) falls back to the labels.
        let l0 = HeadTestHelpers.labels("m", ("i", "0"))
        #expect(try next.append(ref: SeriesRef(999_999), labels: l0, timestamp: 3000, value: 3) == refs[0])
        try next.commit()
        #expect(head.seriesCount == n)
    }

    @Test func tableDropsEmptyPagesAndKeepsRefsAboveTheDenseLimit() {
        let table = SeriesTable()
        let low = MemSeries(ref: SeriesRef(5), labels: a, logged: false)
        let sameRef = MemSeries(ref: SeriesRef(5), labels: b, logged: false)
        let high = MemSeries(ref: SeriesRef(SeriesTable.denseLimit + 3), labels: b, logged: false)
        table.insert(low)
        table.insert(high)
        #expect(table.get(5) === low && table.get(SeriesTable.denseLimit + 3) === high)
        #expect(table.get(6) == nil && table.get(UInt64(SeriesTable.pageSize) * 40) == nil)
        var visited: [UInt64] = []
        table.forEach { visited.append($0.ref.rawValue) }
        #expect(visited == [5, SeriesTable.denseLimit + 3])

        var cursor = SeriesTableCursor()
        #expect(cursor.get(5, in: table) === low)
        table.remove(sameRef)  // another series with that ref: nothing removed
        #expect(table.get(5) === low)
        table.remove(low)
        table.remove(high)
        #expect(table.get(5) == nil && table.get(SeriesTable.denseLimit + 3) == nil)
        #expect(table.directory.withLock { $0.allSatisfy { $0 == nil } })
        // The cursor's dropped page only makes it miss; a new page serves later inserts.
        #expect(cursor.get(5, in: table) == nil)
        table.insert(sameRef)
        #expect(table.get(5) === sameRef)
        var fresh = SeriesTableCursor()
        #expect(fresh.get(5, in: table) === sameRef)
    }

    @Test func truncationRemovesSeriesFromTheTable() throws {
        let head = Head()
        let app = head.appender()
        let ra = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        let rb = try app.append(ref: .none, labels: b, timestamp: 5_000_000, value: 1)
        try app.commit()
        let stats = head.truncate(before: 2_000_000)
        #expect(stats.seriesRemoved == 1)
        #expect(head.series(ra) == nil && head.series(rb) != nil)
        #expect(head.series(labels: a) == nil)
    }
}
