import Testing
import SundialCore
import SundialTSDB

/// Native histograms in the head: validation, order rules, kind switches, queries, truncation.
@Suite struct HeadHistogramTests {
    let a = HeadTestHelpers.labels("rpc_seconds", ("job", "a"))

    /// An integer histogram with two positive buckets [1, 2] (deltas [1, 1]) plus `extra` in the zero bucket.
    static func hist(_ extra: UInt64 = 0, hint: CounterResetHint = .unknown) -> Histogram {
        Histogram(counterResetHint: hint, schema: 1, zeroThreshold: 0.001, zeroCount: extra, count: 3 + extra, sum: 4.5,
                  positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [1, 1])
    }

    static func floatHist(_ c: Double) -> FloatHistogram {
        FloatHistogram(schema: 0, count: c, sum: c * 2,
                       positiveSpans: [HistogramSpan(offset: -1, length: 1)], positiveBuckets: [c])
    }

    func histograms(_ head: Head, mint: Int64 = .min, maxt: Int64 = .max) throws -> (floats: [Int64], hists: [Int64], values: [FloatHistogram]) {
        let q = try head.querier(minTime: mint, maxTime: maxt)
        let ss = try q.select(sorted: true, hints: nil, matchers: [LabelMatcher.equal("job", "a")])
        guard let s = ss.first else { return ([], [], []) }
        var fb = SampleBuffer()
        try s.samples(minTime: mint, maxTime: maxt, into: &fb)
        var hb = HistogramSampleBuffer()
        try s.histogramSamples(minTime: mint, maxTime: maxt, into: &hb)
        return (fb.timestamps, hb.timestamps, hb.histograms)
    }

    @Test func storesIntegerAndFloatHistograms() throws {
        let head = Head()
        let app = head.appender()
        let ref = try app.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: Self.hist(), floatHistogram: nil)
        _ = try app.appendHistogram(ref: ref, labels: a, timestamp: 2000, histogram: nil, floatHistogram: Self.floatHist(5))
        try app.commit()
        let got = try histograms(head)
        #expect(got.floats.isEmpty)
        #expect(got.hists == [1000, 2000])
        #expect(got.values[0] == Self.hist().toFloat())
        #expect(got.values[0].positiveBuckets == [1, 2])
        #expect(got.values[1] == Self.floatHist(5))
        // Integer and float histograms are in different chunks.
        #expect(head.stats.chunks == 2)
        #expect(head.stats.samplesAppended == 2)
        #expect(head.minTime == 1000 && head.maxTime == 2000)
        let q = try head.querier(minTime: .min, maxTime: .max)
        #expect(try q.select(sorted: false, hints: nil, matchers: [LabelMatcher.equal("job", "a")]).first?.mayContainHistograms == true)
    }

    @Test func refusesMalformedHistograms() throws {
        let head = Head()
        let app = head.appender()
        func expectInvalid(_ h: Histogram?, _ f: FloatHistogram?, _ fragment: String) {
            do {
                _ = try app.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: h, floatHistogram: f)
                Issue.record("accepted an invalid histogram (\(fragment))")
            } catch {
                #expect(error.reason == .invalidHistogram)
                #expect(error.detail.contains(fragment), "\(error.detail)")
            }
        }
        var h = Self.hist()
        h.positiveBuckets = [1]
        expectInvalid(h, nil, "spans need 2 buckets, have 1")
        h = Self.hist()
        h.positiveBuckets = [1, -2]
        expectInvalid(h, nil, "bucket number 2 has observation count of -1")
        h = Self.hist()
        h.count = 2
        expectInvalid(h, nil, "3 observations found in buckets, but the Count field is 2")
        h = Self.hist()
        h.positiveSpans = [HistogramSpan(offset: 0, length: 1), HistogramSpan(offset: -1, length: 1)]
        expectInvalid(h, nil, "span number 2 with offset -1")
        h = Self.hist()
        h.schema = 9
        expectInvalid(h, nil, "invalid histogram schema 9")
        var f = Self.floatHist(2)
        f.positiveBuckets = [-1]
        expectInvalid(nil, f, "observation count of -1")
        expectInvalid(nil, nil, "exactly one")
        expectInvalid(Self.hist(), Self.floatHist(1), "exactly one")
        var c = Self.floatHist(2)
        c.schema = customBucketsSchema
        c.positiveSpans = [HistogramSpan(offset: 0, length: 3)]
        c.positiveBuckets = [1, 1, 0]
        c.customValues = [1, 2]
        _ = try app.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: nil, floatHistogram: c)
        c.customValues = [2, 1]
        expectInvalid(nil, c, "custom buckets")
        try app.commit()
        #expect(try histograms(head).hists == [1000])
    }

    @Test func orderAndDuplicateRules() throws {
        let head = Head()
        let app = head.appender()
        _ = try app.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: Self.hist(), floatHistogram: nil)
        // Staged in the same batch: identical is a no-op, different is a duplicate, older out of order.
        _ = try app.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: Self.hist(), floatHistogram: nil)
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 1000)) {
            try app.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: Self.hist(1), floatHistogram: nil)
        }
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 999)) {
            try app.appendHistogram(ref: .none, labels: a, timestamp: 999, histogram: Self.hist(), floatHistogram: nil)
        }
        try app.commit()
        let app2 = head.appender()
        _ = try app2.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: Self.hist(), floatHistogram: nil)
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 1000)) {
            try app2.appendHistogram(ref: .none, labels: a, timestamp: 1000, histogram: nil, floatHistogram: Self.hist().toFloat())
        }
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 1000)) {
            try app2.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        }
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 500)) {
            try app2.append(ref: .none, labels: a, timestamp: 500, value: 1)
        }
        // A staged float bounds later histograms of the batch.
        _ = try app2.append(ref: .none, labels: a, timestamp: 3000, value: 7)
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 2000)) {
            try app2.appendHistogram(ref: .none, labels: a, timestamp: 2000, histogram: Self.hist(), floatHistogram: nil)
        }
        try app2.commit()
        let got = try histograms(head)
        #expect(got.hists == [1000] && got.floats == [3000])
        #expect(head.stats.duplicateSamples == 3)
        #expect(head.stats.outOfOrderSamples == 3)
    }

    @Test func seriesSwitchesBetweenFloatsAndHistograms() throws {
        let head = Head()
        for (i, t) in stride(from: Int64(0), to: 12_000, by: 1000).enumerated() {
            let app = head.appender()
            if (i / 3) % 2 == 0 {
                _ = try app.append(ref: .none, labels: a, timestamp: t, value: Double(i))
            } else {
                _ = try app.appendHistogram(ref: .none, labels: a, timestamp: t, histogram: Self.hist(UInt64(i)), floatHistogram: nil)
            }
            try app.commit()
        }
        let got = try histograms(head)
        #expect(got.floats == [0, 1000, 2000, 6000, 7000, 8000])
        #expect(got.hists == [3000, 4000, 5000, 9000, 10000, 11000])
        #expect(got.values.map(\.zeroCount) == [3, 4, 5, 9, 10, 11])
        // Each switch cuts a chunk: f f f | h h h | f f f | h h h.
        #expect(head.stats.chunks == 4)
        // Sub-range reads see only what lies inside.
        let part = try histograms(head, mint: 4500, maxt: 9000)
        #expect(part.floats == [6000, 7000, 8000] && part.hists == [5000, 9000])
        // A float after a histogram at an equal time is a duplicate, never silently dropped.
        let app = head.appender()
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 11000)) {
            try app.append(ref: .none, labels: a, timestamp: 11000, value: 0)
        }
        app.rollback()
    }

    @Test func cutsChunksBySampleCountAndTruncates() throws {
        let head = Head(options: HeadOptions(chunkRange: 1_000_000_000, samplesPerChunk: 120))
        for t in 0..<300 {
            let app = head.appender()
            _ = try app.appendHistogram(ref: .none, labels: a, timestamp: Int64(t) * 1000, histogram: Self.hist(), floatHistogram: nil)
            try app.commit()
        }
        #expect(head.stats.chunks >= 2)
        #expect(try histograms(head).hists.count == 300)
        let removed = head.truncate(before: 200_000)
        #expect(removed.chunksRemoved >= 1)
        let left = try histograms(head).hists
        #expect(left.last == 299_000 && left.first! <= 200_000)
        head.truncate(before: 400_000)
        #expect(head.seriesCount == 0)
    }
}
