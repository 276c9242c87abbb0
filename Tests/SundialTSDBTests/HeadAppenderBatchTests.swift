import Testing
import SundialCore
import Synchronization
@testable import SundialTSDB

/// The commit batch's life: reuse through the head's pool, unretained series kept alive by the
/// pending mark across garbage collection, appends by ref with an empty label set, and the
/// series records gathered at staging.
@Suite struct HeadAppenderBatchTests {
    let a = HeadTestHelpers.labels("up", ("job", "a"))
    let b = HeadTestHelpers.labels("up", ("job", "b"))

    func samples(_ head: Head) throws -> [(Labels, [Int64], [UInt64])] {
        try HeadTestHelpers.dump(try head.querier(minTime: .min, maxTime: .max))
    }

    /// Records what the head hands its log.
    final class RecordingLog: HeadLog, @unchecked Sendable {
        let batches = Mutex<[(newSeries: [UInt64], refs: [UInt64], timestamps: [Int64])]>([])
        func commit(_ batch: HeadCommitBatch, apply: () -> Void) throws {
            batches.withLock { $0.append((batch.newSeries.map(\.ref.rawValue), batch.refs, batch.timestamps)) }
            apply()
        }
    }

    @Test func pooledBatchesCarryNothingOverBetweenCommitsAndRollbacks() throws {
        let head = Head()
        var expected: [Int64] = []
        for round in 0..<6 {
            let app = head.appender()
            // Batches of different sizes, so a reused batch is both bigger and smaller than the next.
            for k in 0..<(round % 2 == 0 ? 50 : 3) {
                let t = Int64(round * 1000 + k)
                _ = try app.append(ref: .none, labels: a, timestamp: t, value: Double(t))
                expected.append(t)
            }
            try app.commit()
            let dropped = head.appender()
            _ = try dropped.append(ref: .none, labels: b, timestamp: Int64(round * 1000 + 999), value: 1)
            dropped.rollback()
        }
        let got = try samples(head)
        #expect(got.count == 1)
        #expect(got[0].0 == a)
        #expect(got[0].1 == expected)
        #expect(got[0].2 == expected.map { Double($0).bitPattern })
    }

    @Test func aStagedSeriesSurvivesGarbageCollectionAndReceivesItsSample() throws {
        let head = Head()
        let first = head.appender()
        let ref = try first.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        try first.commit()
        let app = head.appender()
        _ = try app.append(ref: ref, labels: a, timestamp: 9000, value: 9)
        // Truncation empties the series, but the batch's pending mark keeps it.
        let stats = head.truncate(before: 5000)
        #expect(stats.seriesRemoved == 0)
        #expect(head.series(ref) != nil)
        try app.commit()
        let got = try samples(head)
        #expect(got.count == 1)
        #expect(got[0].1 == [9000])
        // Unmarked and empty again: now it goes.
        #expect(head.truncate(before: 20_000).seriesRemoved == 1)
        #expect(head.series(ref) == nil)
    }

    @Test func aRemovedSeriesIsMarkedSoNoAppenderCanMarkIt() throws {
        let head = Head()
        let app = head.appender()
        let ref = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        try app.commit()
        let series = try #require(head.series(ref))
        head.truncate(before: 5000)
        #expect(series.state.withLock { $0.pendingOwner } == SeriesState.removedMark)
        // A label lookup now creates a new series; the detached one is never marked again.
        let next = head.appender()
        let newRef = try next.append(ref: .none, labels: a, timestamp: 9000, value: 9)
        #expect(newRef != ref)
        try next.commit()
        #expect(series.state.withLock { $0.pendingOwner } == SeriesState.removedMark)
        #expect(try samples(head).map(\.1) == [[9000]])
    }

    @Test func aKnownRefNeedsNoLabelsAndAnUnknownOneIsRefusedWithoutThem() throws {
        let head = Head()
        let app = head.appender()
        let ref = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        #expect(try app.append(ref: ref, labels: Labels(), timestamp: 2000, value: 2) == ref)
        #expect(throws: AppendError(.invalidLabels, labels: Labels(), timestamp: 3000, detail: "empty label set")) {
            try app.append(ref: SeriesRef(ref.rawValue + 100), labels: Labels(), timestamp: 3000, value: 3)
        }
        try app.commit()
        #expect(try samples(head).map(\.1) == [[1000, 2000]])
    }

    @Test func unloggedSeriesAreLoggedOncePerBatchUntilACommitLogsThem() throws {
        let log = RecordingLog()
        let head = Head(log: log)
        let first = head.appender()
        let ra = try first.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        _ = try first.append(ref: ra, labels: a, timestamp: 2000, value: 2)
        let rb = try first.append(ref: .none, labels: b, timestamp: 1000, value: 1)
        // A concurrent batch uses `a` before the first commits: it logs the series record too.
        let second = head.appender()
        _ = try second.append(ref: ra, labels: a, timestamp: 500, value: 5)
        try second.commit()
        try first.commit()
        let third = head.appender()
        _ = try third.append(ref: ra, labels: a, timestamp: 3000, value: 3)
        _ = try third.append(ref: rb, labels: b, timestamp: 3000, value: 3)
        try third.commit()
        let batches = log.batches.withLock { $0 }
        #expect(batches.map(\.newSeries) == [[ra.rawValue], [ra.rawValue, rb.rawValue], []])
        #expect(batches.map(\.refs) == [[ra.rawValue], [ra.rawValue, ra.rawValue, rb.rawValue], [ra.rawValue, rb.rawValue]])
        #expect(batches.map(\.timestamps) == [[500], [1000, 2000, 1000], [3000, 3000]])
    }

    @Test func aSeriesStagedTwiceApartIsAppliedInBothPlaces() throws {
        let head = Head()
        let app = head.appender()
        let ra = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        let rb = try app.append(ref: .none, labels: b, timestamp: 1000, value: 1)
        _ = try app.append(ref: ra, labels: a, timestamp: 2000, value: 2)
        _ = try app.append(ref: rb, labels: b, timestamp: 2000, value: 2)
        try app.commit()
        for r in [ra, rb] { #expect(head.series(r)!.state.withLock { $0.pendingOwner } == 0) }
        #expect(try samples(head).map(\.1) == [[1000, 2000], [1000, 2000]])
    }
}
