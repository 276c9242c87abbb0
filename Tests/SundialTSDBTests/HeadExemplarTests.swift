import Foundation
import Testing
import SundialCore
import SundialTSDB
import SundialWAL
import SundialTestSupport

/// Exemplars through the head's appender and the database: staging rules (unknown series, order
/// against stored and staged exemplars, rollback), the WAL record written with the commit, replay
/// on restart with a real data directory, the limit on reopening, and checkpoints.
@Suite struct HeadExemplarTests {
    static let t0: Int64 = 1_700_000_000_000
    static let series = Labels(["__name__": "http_requests_total", "job": "api"])

    static func ex(_ t: Int64, _ v: Double = 1, trace: String = "abc") -> Exemplar {
        Exemplar(labels: Labels(["trace_id": trace]), value: v, timestamp: t)
    }

    static func selectAll(_ q: any ExemplarQueryable) throws -> [ExemplarSeries] {
        try q.selectExemplars(start: .min, end: .max, matcherSets: [[try LabelMatcher(.regexMatch, "__name__", ".+")]])
    }

    @Test func appenderStagesExemplarsOfKnownSeriesAndStoresThemAtCommit() throws {
        let head = Head()
        let app = head.appender()
        // No series yet: refused, and not created.
        do { _ = try app.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(Self.t0)); Issue.record("accepted") } catch {
            #expect(error.reason == .unknownSeries)
        }
        #expect(head.seriesCount == 0)
        let ref = try app.append(ref: .none, labels: Self.series, timestamp: Self.t0, value: 1)
        #expect(try app.appendExemplar(ref: ref, labels: Self.series, exemplar: Self.ex(Self.t0)) == .accepted)
        #expect(try Self.selectAll(head).isEmpty)  // not before commit
        try app.commit()
        #expect(try Self.selectAll(head) == [ExemplarSeries(seriesLabels: Self.series, exemplars: [Self.ex(Self.t0)])])

        let app2 = head.appender()
        // By labels (no ref); duplicate of the newest; out of order.
        #expect(try app2.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(Self.t0)) == .duplicate)
        do { _ = try app2.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(Self.t0 - 1)); Issue.record("accepted") } catch {
            #expect(error.reason == .outOfOrder)
        }
        // Two with the same time in one batch both pass staging; the second is dropped at commit.
        #expect(try app2.appendExemplar(ref: ref, labels: Self.series, exemplar: Self.ex(Self.t0 + 5, 2)) == .accepted)
        #expect(try app2.appendExemplar(ref: ref, labels: Self.series, exemplar: Self.ex(Self.t0 + 5, 3)) == .accepted)
        try app2.commit()  // an exemplar-only batch commits
        #expect(try Self.selectAll(head).first?.exemplars == [Self.ex(Self.t0), Self.ex(Self.t0 + 5, 2)])
        #expect(head.exemplars.stats.outOfOrderExemplars == 1)

        let app3 = head.appender()
        _ = try app3.appendExemplar(ref: ref, labels: Self.series, exemplar: Self.ex(Self.t0 + 9))
        app3.rollback()
        #expect(try Self.selectAll(head).first?.exemplars.count == 2)
    }

    @Test func headWithLimitZeroDropsExemplars() throws {
        var o = HeadOptions()
        o.maxExemplars = 0
        let head = Head(options: o)
        let app = head.appender()
        _ = try app.append(ref: .none, labels: Self.series, timestamp: Self.t0, value: 1)
        #expect(try app.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(Self.t0)) == .notStored)
        try app.commit()
        #expect(try Self.selectAll(head).isEmpty)
    }

    @Test func exemplarsAreLoggedAndReplayedOnRestart() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let other = Labels(["__name__": "latency", "le": "0.5"])
        var expected: [ExemplarSeries] = []
        do {
            let db = try DB.open(directory: dir.path)
            for batch in 0..<3 {
                let app = db.appender()
                let t = Self.t0 + Int64(batch) * 1000
                _ = try app.append(ref: .none, labels: Self.series, timestamp: t, value: Double(batch))
                _ = try app.append(ref: .none, labels: other, timestamp: t, value: 1)
                _ = try app.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(t, Double(batch), trace: "t\(batch)"))
                _ = try app.appendExemplar(ref: .none, labels: other, exemplar: Exemplar(labels: Labels(["trace_id": "o\(batch)", "span_id": "s"]), value: 0.25, timestamp: t + 1))
                try app.commit()
            }
            expected = try Self.selectAll(db)
            #expect(expected.count == 2)
            #expect(expected.allSatisfy { $0.exemplars.count == 3 })
            try db.close()
        }
        // The WAL holds them as exemplars records (type 4).
        var logged: [RefExemplar] = []
        _ = try SundialWAL.replay(directory: DB.walDirectory(dir.path), log: { _ in }, samples: { _ in }, handler: { r in
            if case .exemplars(let list) = r { logged += list }
        })
        #expect(logged.count == 6)
        do {
            let db = try DB.open(directory: dir.path)
            defer { try? db.close() }
            #expect(try Self.selectAll(db) == expected)
            // New exemplars continue the replayed chains, order rules included.
            let app = db.appender()
            _ = try app.append(ref: .none, labels: Self.series, timestamp: Self.t0 + 5000, value: 9)
            do { _ = try app.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(Self.t0)); Issue.record("accepted") } catch {
                #expect(error.reason == .outOfOrder)
            }
            #expect(try app.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(Self.t0 + 5000)) == .accepted)
            try app.commit()
            #expect(try Self.selectAll(db).first { $0.seriesLabels == Self.series }?.exemplars.count == 4)
        }
        do {
            // Reopened with a smaller limit: the newest exemplars in log order are kept.
            var options = DBOptions()
            options.head.maxExemplars = 2
            let db = try DB.open(directory: dir.path, options: options)
            defer { try? db.close() }
            let got = try Self.selectAll(db)
            #expect(got.flatMap(\.exemplars).map(\.timestamp).sorted() == [Self.t0 + 2001, Self.t0 + 5000])
        }
    }

    @Test func checkpointKeepsExemplarsAtOrAfterItsMinTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let db = try DB.open(directory: dir.path)
            for k in 0..<4 {
                let app = db.appender()
                let t = Self.t0 + Int64(k) * 60_000
                _ = try app.append(ref: .none, labels: Self.series, timestamp: t, value: Double(k))
                _ = try app.appendExemplar(ref: .none, labels: Self.series, exemplar: Self.ex(t, Double(k)))
                try app.commit()
                // Each truncation cuts a segment; from the third on, older segments are checkpointed.
                try db.truncateHead(before: Self.t0 + 60_000)
            }
            try db.close()
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: DB.walDirectory(dir.path)).filter { $0.hasPrefix("checkpoint.") }
        #expect(!checkpoints.isEmpty)
        let db = try DB.open(directory: dir.path)
        defer { try? db.close() }
        #expect(try Self.selectAll(db).first?.exemplars.map(\.timestamp) == [Self.t0 + 60_000, Self.t0 + 120_000, Self.t0 + 180_000])
    }

    @Test func concurrentAppendersKeepEachSeriesInTimeOrder() async throws {
        var o = HeadOptions()
        o.maxExemplars = 500
        let head = Head(options: o)
        let shared = Labels(["__name__": "shared"])
        // Four writers: each its own series and, interleaved, the shared one (whose exemplars from
        // concurrent commits may come out of order: those are dropped, never stored out of order).
        await withTaskGroup(of: Void.self) { g in
            for w in 0..<4 {
                g.addTask {
                    let own = Labels(["__name__": "own", "w": "\(w)"])
                    for k in 0..<200 {
                        let t = Self.t0 + Int64(k) * 10 + Int64(w)
                        let app = head.appender()
                        _ = try? app.append(ref: .none, labels: own, timestamp: t, value: 1)
                        _ = try? app.append(ref: .none, labels: shared, timestamp: t, value: 1)
                        _ = try? app.appendExemplar(ref: .none, labels: own, exemplar: Self.ex(t))
                        _ = try? app.appendExemplar(ref: .none, labels: shared, exemplar: Self.ex(t, trace: "w\(w)"))
                        try? app.commit()
                    }
                }
            }
        }
        let all = try Self.selectAll(head)
        var total = 0
        for r in all {
            let ts = r.exemplars.map(\.timestamp)
            #expect(ts == ts.sorted() && Set(ts).count == ts.count, "\(r.seriesLabels)")
            total += ts.count
        }
        #expect(total == 500)  // 4 × 200 own ones alone overflow the buffer
        #expect(head.exemplars.stats.exemplarsInStorage == 500)
        // A writer's own series keeps a suffix of its exemplars (the oldest go first), ending at its
        // newest, unless all were overwritten after it finished.
        for w in 0..<4 {
            guard let own = all.first(where: { $0.seriesLabels == Labels(["__name__": "own", "w": "\(w)"]) }) else { continue }
            let ts = own.exemplars.map(\.timestamp)
            #expect(ts == Array(stride(from: ts[0], through: Self.t0 + 1990 + Int64(w), by: 10)))
        }
    }
}
