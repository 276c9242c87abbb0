import Foundation
import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// Native histograms in blocks: the block Prometheus 2.42 wrote reads back as the sent histograms;
/// head compaction writes histogram chunks (copied, or re-encoded around deletions) that read back
/// exactly, and block compaction keeps them.
@Suite struct BlockHistogramTests {
    static let h: Int64 = 3_600_000

    static func histograms(_ q: any Querier, _ matcher: LabelMatcher) throws -> [Labels: (floats: [Int64], hists: [(Int64, FloatHistogram)])] {
        var out: [Labels: (floats: [Int64], hists: [(Int64, FloatHistogram)])] = [:]
        for s in try q.select(sorted: true, hints: nil, matchers: [matcher]) {
            var fb = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &fb)
            var hb = HistogramSampleBuffer()
            if s.mayContainHistograms { try s.histogramSamples(minTime: .min, maxTime: .max, into: &hb) }
            out[s.labels] = (fb.timestamps, Array(zip(hb.timestamps, hb.histograms)))
        }
        return out
    }

    @Test func readsTheBlockPrometheusWrote() throws {
        let block = try Block(directory: Testdata.path("histograms/prom-2.42"))
        #expect(block.meta.stats.numSamples == 211)
        #expect(block.mayContainHistograms)  // a 2.42 meta.json has no float/histogram split
        let got = try Self.histograms(BlockQuerier(block: block, minTime: .min, maxTime: .max), LabelMatcher.equal("job", "fixture"))
        let sent = try HistogramFixture.sent()
        #expect(got.count == sent.count)
        for (labels, samples) in sent {
            let g = try #require(got[labels])
            #expect(g.floats.isEmpty)
            #expect(g.hists.map(\.0) == samples.map(\.0))
            for (a, b) in zip(g.hists, samples) {
                // Compare bucket by bucket index: recoded chunks carry extra empty buckets.
                var want = b.1.toFloat()
                want.counterResetHint = a.1.counterResetHint
                #expect(a.1.count == want.count && a.1.sum.bitPattern == want.sum.bitPattern && a.1.zeroCount == want.zeroCount)
                #expect(Self.nonZeroBuckets(a.1) == Self.nonZeroBuckets(want))
            }
        }
    }

    static func nonZeroBuckets(_ f: FloatHistogram) -> [Int64: Double] {
        var out: [Int64: Double] = [:]
        var idx: Int64 = 0, k = 0
        for s in f.positiveSpans {
            idx += Int64(s.offset)
            for _ in 0..<s.length {
                if f.positiveBuckets[k] != 0 { out[idx] = f.positiveBuckets[k] }
                idx += 1
                k += 1
            }
        }
        idx = 0
        k = 0
        for s in f.negativeSpans {
            idx += Int64(s.offset)
            for _ in 0..<s.length {
                if f.negativeBuckets[k] != 0 { out[-1_000_000 - idx] = f.negativeBuckets[k] }
                idx += 1
                k += 1
            }
        }
        return out
    }

    static func hist(_ i: Int) -> Histogram {
        Histogram(schema: 0, zeroCount: UInt64(i), count: UInt64(2 * i + 1), sum: Double(i),
                  positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [Int64(i) + 1])
    }

    @Test func headCompactionWritesHistogramChunksThatReadBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        // 5 h at 1 min: integer histograms, float histograms, and a series switching kinds.
        for i in 0..<300 {
            let t = Int64(i) * 60_000
            let app = db.appender()
            _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("ih"), timestamp: t, histogram: Self.hist(i), floatHistogram: nil)
            _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("fh"), timestamp: t, histogram: nil, floatHistogram: Self.hist(i).toFloat())
            if (i / 45) % 2 == 0 {
                _ = try app.append(ref: .none, labels: HeadTestHelpers.labels("mix"), timestamp: t, value: Double(i))
            } else {
                _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("mix"), timestamp: t, histogram: Self.hist(i), floatHistogram: nil)
            }
            try app.commit()
        }
        let before = try Self.histograms(db.querier(minTime: .min, maxTime: .max), LabelMatcher(.regexMatch, "__name__", ".+"))
        let r = try db.compact()
        #expect(r.headBlocks.count >= 1)
        let meta = try #require(r.headBlocks.first)
        #expect(meta.stats.numSamples == 3 * 120)
        #expect(meta.stats.numHistogramSamples == 120 + 120 + 45)  // mix: histograms at minutes 45-89
        #expect(meta.stats.numFloatSamples == 75)
        let after = try Self.histograms(db.querier(minTime: .min, maxTime: .max), LabelMatcher(.regexMatch, "__name__", ".+"))
        #expect(after.count == before.count)
        for (l, b) in before {
            let a = try #require(after[l])
            #expect(a.floats == b.floats)
            #expect(a.hists.map(\.0) == b.hists.map(\.0))
            #expect(zip(a.hists, b.hists).allSatisfy { $0.1.count == $1.1.count && $0.1.sum == $1.1.sum && $0.1.positiveBuckets == $1.1.positiveBuckets })
        }
        try db.close()
        // promtool (2.42) opens the directory we wrote and lists the float samples of the block.
        let dump = try ChildProcess.run(["/usr/bin/promtool", "tsdb", "dump", dir.path])
        #expect(dump.status == 0)
    }

    @Test func deletionsReencodeHistogramChunks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let db = try DB.open(directory: dir.path)
        for i in 0..<300 {
            let app = db.appender()
            _ = try app.appendHistogram(ref: .none, labels: HeadTestHelpers.labels("ih"), timestamp: Int64(i) * 60_000, histogram: Self.hist(i), floatHistogram: nil)
            try app.commit()
        }
        _ = try db.delete(matchers: [LabelMatcher.equal("__name__", "ih")], minTime: 10 * 60_000, maxTime: 19 * 60_000)
        _ = try db.compact()
        let got = try Self.histograms(db.querier(minTime: .min, maxTime: .max), LabelMatcher.equal("__name__", "ih"))
        let ts = try #require(got.values.first).hists.map(\.0)
        #expect(ts.count == 290)
        #expect(!ts.contains(15 * 60_000))
        try db.close()
    }
}
