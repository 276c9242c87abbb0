import Dispatch
import SundialCore
import Synchronization
import Testing
@testable import SundialTSDB

/// Head deletion (``Head/delete(matchers:minTime:maxTime:log:)``): in-memory intervals honoured
/// by the head querier, clamped to existing samples, logged before applied, truncated with the head.
@Suite struct HeadTombstonesTests {
    static func fill(_ head: Head, names: [String], from: Int64, to: Int64, step: Int64 = 1_000) throws {
        var t = from
        while t <= to {
            let app = head.appender()
            for n in names { _ = try app.append(ref: .none, labels: HeadTestHelpers.labels(n), timestamp: t, value: Double(t)) }
            try app.commit()
            t += step
        }
    }

    static func timestamps(_ head: Head, _ name: String, mint: Int64 = .min, maxt: Int64 = .max) throws -> [Int64]? {
        let q = try head.querier(minTime: mint, maxTime: maxt)
        let got = try HeadTestHelpers.dump(q, matchers: [.equal("__name__", name)], mint: mint, maxt: maxt)
        return got.first?.1
    }

    static func noLog(_ stones: [Head.Stone]) throws {}

    @Test func deletedSamplesAreNeverReturnedOthersIntact() throws {
        let head = Head()
        try Self.fill(head, names: ["a", "b"], from: 0, to: 100_000)
        let n = try head.delete(matchers: [.equal("__name__", "a")], minTime: 20_000, maxTime: 40_500, log: Self.noLog)
        #expect(n == 1)
        let all = Array(stride(from: Int64(0), through: 100_000, by: 1_000))
        #expect(try Self.timestamps(head, "a") == all.filter { $0 < 20_000 || $0 > 40_500 })
        #expect(try Self.timestamps(head, "b") == all)
        // A range wholly inside the deletion selects nothing for "a" (no empty series).
        #expect(try Self.timestamps(head, "a", mint: 25_000, maxt: 35_000) == nil)
        #expect(try Self.timestamps(head, "b", mint: 25_000, maxt: 35_000) == Array(stride(from: Int64(25_000), through: 35_000, by: 1_000)))
        // Deleting again, overlapping: intervals merge.
        try head.delete(matchers: [.equal("__name__", "a")], minTime: 40_000, maxTime: 50_000, log: Self.noLog)
        #expect(head.deletedIntervals?.deleted(head.series(labels: HeadTestHelpers.labels("a"))!.ref.rawValue)
            == [DeletedInterval(minTime: 20_000, maxTime: 50_000)])
        // Label values are not filtered by deletions (as in Prometheus).
        #expect(try head.querier(minTime: .min, maxTime: .max).labelValues(name: "__name__", matchers: []) == ["a", "b"])
    }

    @Test func deletionIsClampedToTheSamplesHeldSoLaterAppendsSurvive() throws {
        let head = Head()
        try Self.fill(head, names: ["a"], from: 0, to: 10_000)
        var logged: [Head.Stone] = []
        try head.delete(matchers: [.equal("__name__", "a")], minTime: 5_000, maxTime: .max) { logged = $0 }
        #expect(logged.map(\.interval) == [DeletedInterval(minTime: 5_000, maxTime: 10_000)])
        try Self.fill(head, names: ["a"], from: 11_000, to: 15_000)
        #expect(try Self.timestamps(head, "a") == [0, 1_000, 2_000, 3_000, 4_000, 11_000, 12_000, 13_000, 14_000, 15_000])
        // Nothing matches outside the head's range or for unknown series: no record is logged.
        var calls = 0
        #expect(try head.delete(matchers: [.equal("__name__", "a")], minTime: 100_000, maxTime: 200_000) { _ in calls += 1 } == 0)
        #expect(try head.delete(matchers: [.equal("__name__", "zzz")], minTime: .min, maxTime: .max) { _ in calls += 1 } == 0)
        #expect(calls == 0)
    }

    struct LogFailure: Error {}

    @Test func aFailedLogAppliesNothing() throws {
        let head = Head()
        try Self.fill(head, names: ["a"], from: 0, to: 5_000)
        #expect(throws: LogFailure.self) {
            try head.delete(matchers: [.equal("__name__", "a")], minTime: .min, maxTime: .max) { _ in throw LogFailure() }
        }
        #expect(try Self.timestamps(head, "a")?.count == 6)
        #expect(head.deletedIntervals == nil)
    }

    @Test func truncationDropsIntervalsItPassesAndThoseOfRemovedSeries() throws {
        let head = Head()
        try Self.fill(head, names: ["a", "b"], from: 0, to: 100_000)
        try head.delete(matchers: [.equal("__name__", "a")], minTime: 0, maxTime: 10_000, log: Self.noLog)
        try head.delete(matchers: [.equal("__name__", "a")], minTime: 60_000, maxTime: 70_000, log: Self.noLog)
        try head.delete(matchers: [.equal("__name__", "b")], minTime: 90_000, maxTime: 95_000, log: Self.noLog)
        #expect(head.tombstones.count == 3)
        head.truncate(before: 50_000)
        #expect(head.tombstones.count == 2)
        // Truncating everything removes the series and with them their intervals.
        head.truncate(before: 200_000)
        #expect(head.tombstones.count == 0)
        #expect(head.deletedIntervals == nil)
    }

    /// A deletion racing appends never loses an acknowledged sample outside the deleted range.
    @Test func deleteRacingAppendsKeepsEverythingOutsideTheRange() throws {
        let head = Head()
        let n: Int64 = 4_000
        let deletedLo: Int64 = 1_000 * 1_000, deletedHi: Int64 = 2_000 * 1_000
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                var refs: [SeriesRef] = [.none, .none]
                for i in 0..<n {
                    let app = head.appender()
                    for (k, name) in ["x", "y"].enumerated() {
                        refs[k] = (try? app.append(ref: refs[k], labels: HeadTestHelpers.labels(name), timestamp: i * 1_000, value: 1)) ?? refs[k]
                    }
                    try? app.commit()
                }
            } else {
                for _ in 0..<200 {
                    _ = try? head.delete(matchers: [.equal("__name__", "x")], minTime: deletedLo, maxTime: deletedHi, log: Self.noLog)
                }
            }
        }
        // Whatever the interleaving, one more deletion after the fact gives the final answer.
        try head.delete(matchers: [.equal("__name__", "x")], minTime: deletedLo, maxTime: deletedHi, log: Self.noLog)
        let all = (0..<n).map { $0 * 1_000 }
        #expect(try Self.timestamps(head, "y") == all)
        #expect(try Self.timestamps(head, "x") == all.filter { $0 < deletedLo || $0 > deletedHi })
    }
}
