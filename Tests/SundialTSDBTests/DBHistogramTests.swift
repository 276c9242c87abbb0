import SundialCore
import SundialTSDB
import SundialWAL
import SundialTestSupport
import Testing

/// Native histograms through the database: WAL records on commit, replay on open, checkpoints.
@Suite struct DBHistogramTests {
    static func samples(_ db: DB, _ name: String, mint: Int64 = .min) throws -> (floats: [Int64], hists: [(Int64, FloatHistogram)]) {
        let q = try db.querier(minTime: mint, maxTime: .max)
        guard let s = try q.select(sorted: false, hints: nil, matchers: [LabelMatcher.equal("__name__", name)]).first else { return ([], []) }
        var fb = SampleBuffer()
        try s.samples(minTime: mint, maxTime: .max, into: &fb)
        var hb = HistogramSampleBuffer()
        try s.histogramSamples(minTime: mint, maxTime: .max, into: &hb)
        return (fb.timestamps, Array(zip(hb.timestamps, hb.histograms)))
    }

    static func hist(_ i: Int) -> Histogram {
        Histogram(schema: 1, zeroThreshold: 0.01, zeroCount: UInt64(i), count: UInt64(3 * i + 5), sum: Double(i) * 0.5,
                  positiveSpans: [HistogramSpan(offset: 1, length: 2)], negativeSpans: [HistogramSpan(offset: -1, length: 1)],
                  positiveBuckets: [Int64(i), 1], negativeBuckets: [Int64(i) + 2])
    }

    @Test func histogramsSurviveReopen() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        let nhcb = FloatHistogram(schema: customBucketsSchema, count: 3, sum: 2,
                                  positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [1, 2], customValues: [0.5])
        for i in 0..<50 {
            let app = db.appender()
            let t = Int64(i) * 15_000
            _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("int_h"), timestamp: t, histogram: Self.hist(i), floatHistogram: nil)
            _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("float_h"), timestamp: t, histogram: nil, floatHistogram: Self.hist(i).toFloat())
            _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("nhcb"), timestamp: t, histogram: nil, floatHistogram: nhcb)
            if i % 10 < 5 {
                _ = try app.append(ref: .none, labels: HeadTestHelpers.labels("mixed"), timestamp: t, value: Double(i))
            } else {
                _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("mixed"), timestamp: t, histogram: Self.hist(i), floatHistogram: nil)
            }
            try app.commit()
        }
        let before = try ["int_h", "float_h", "nhcb", "mixed"].map { try Self.samples(db, $0) }
        try db.close()
        let db2 = try DB.open(directory: dir.path)
        defer { try? db2.close() }
        #expect(db2.replayStats.samples == 200)
        let after = try ["int_h", "float_h", "nhcb", "mixed"].map { try Self.samples(db2, $0) }
        for (a, b) in zip(before, after) {
            #expect(a.floats == b.floats)
            #expect(a.hists.map(\.0) == b.hists.map(\.0))
            #expect(zip(a.hists, b.hists).allSatisfy { $0.1.isIdentical(to: $1.1) && $0.1.counterResetHint == $1.1.counterResetHint })
        }
        #expect(after[0].hists.count == 50 && after[2].hists.count == 50)
        #expect(after[3].floats.count == 25 && after[3].hists.count == 25)
        #expect(after[0].hists[7].1 == Self.hist(7).toFloat().withHint(.notCounterReset))
    }

    @Test func checkpointsKeepHistograms() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let opts = DBOptions(wal: WALOptions(segmentSize: 32 * 1024))
        let db = try DB.open(directory: dir.path, options: opts)
        for i in 0..<1000 {
            let app = db.appender()
            for k in 0..<6 {
                _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels(k == 0 ? "h" : "h\(k)"), timestamp: Int64(i) * 15_000,
                                            histogram: Self.hist(i + k), floatHistogram: nil)
            }
            try app.commit()
        }
        let mint: Int64 = 2 * 3_600_000
        try db.truncateHead(before: mint)
        let live = try Self.samples(db, "h", mint: mint)
        try db.close()
        let db2 = try DB.open(directory: dir.path, options: opts)
        defer { try? db2.close() }
        #expect(db2.replayStats.wal?.checkpoint != nil)
        let replayed = try Self.samples(db2, "h", mint: mint)
        #expect(replayed.hists.map(\.0) == live.hists.map(\.0))
        #expect(replayed.hists.count == 1000 - 480)
    }
}

extension FloatHistogram {
    func withHint(_ h: CounterResetHint) -> FloatHistogram {
        var c = self
        c.counterResetHint = h
        return c
    }
}
