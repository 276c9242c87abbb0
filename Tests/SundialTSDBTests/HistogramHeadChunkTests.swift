import Foundation
import SundialCore
import SundialEncoding
import SundialTSDB
import SundialTestSupport
import Testing

/// Head histogram chunks: the same cuts, recodes and bytes as Prometheus 2.42 for the histograms
/// of the fixture (testdata/histograms/prom-2.42), hints on read, float chunks, stale markers.
@Suite struct HistogramHeadChunkTests {
    /// The fixture's sent histograms per series label string, in order.
    static func sent() throws -> [(Labels, [(Int64, Histogram)])] {
        let text = String(decoding: try Testdata.bytes("histograms/prom-2.42/histograms.jsonl"), as: UTF8.self)
        var out: [(Labels, [(Int64, Histogram)])] = []
        for line in text.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let labelDict = try #require(o["labels"] as? [String: String])
            let labels = Labels(labelDict.map { Label($0.key, $0.value) }.sorted { $0.name < $1.name })
            func spans(_ k: String) throws -> [HistogramSpan] {
                try #require(o[k] as? [[Int]]).map { HistogramSpan(offset: Int32($0[0]), length: UInt32($0[1])) }
            }
            func ints(_ k: String) throws -> [Int64] { try #require(o[k] as? [NSNumber]).map(\.int64Value) }
            func num(_ k: String) throws -> NSNumber { try #require(o[k] as? NSNumber) }
            let h = Histogram(
                counterResetHint: CounterResetHint(rawValue: UInt8(try num("hint").intValue)) ?? .unknown,
                schema: Int32(try num("schema").intValue), zeroThreshold: try num("zero_threshold").doubleValue,
                zeroCount: try num("zero_count").uint64Value, count: try num("count").uint64Value,
                sum: Double(bitPattern: UInt64(o["sum_bits"] as? String ?? "", radix: 16) ?? 0),
                positiveSpans: try spans("positive_spans"), negativeSpans: try spans("negative_spans"),
                positiveBuckets: try ints("positive_deltas"), negativeBuckets: try ints("negative_deltas"))
            let t = try num("t").int64Value
            if let i = out.firstIndex(where: { $0.0 == labels }) { out[i].1.append((t, h)) } else { out.append((labels, [(t, h)])) }
        }
        return out
    }

    static func fixtureChunks() throws -> [[UInt8]] {
        let segment = try Testdata.bytes("histograms/prom-2.42/chunks/000001")
        var out: [[UInt8]] = []
        var off = ChunkSegmentFormat.headerSize
        while off < segment.count {
            let (_, range) = try ChunkSegmentFormat.decodeChunk(segment, at: off)
            out.append(Array(segment[range]))
            off = range.upperBound + 4
        }
        return out
    }

    @Test func headCutsAndRecodesLikePrometheus() throws {
        let head = Head()
        for (labels, samples) in try Self.sent() {
            for (t, h) in samples {
                let app = head.appender()
                _ = try app.appendHistogram(ref: .none, labels: labels, timestamp: t, histogram: h, floatHistogram: nil)
                try app.commit()
            }
        }
        let q = try head.querier(minTime: .min, maxTime: .max)
        var ours: [[UInt8]] = []
        var headers: [HistogramChunkHeader] = []
        for s in try q.select(sorted: true, hints: nil, matchers: [LabelMatcher.equal("job", "fixture")]) {
            for c in try #require(s as? HeadSeries).histogramChunks {
                headers.append(HistogramChunkHeader.of(c.bytes))
                var b = c.bytes
                b[2] &= 0x3F  // 2.42's snapshot rewrote every header as "unknown"
                ours.append(b)
            }
        }
        #expect(Set(ours.map { $0 }) == Set(try Self.fixtureChunks()))
        #expect(ours.count == 4)
        // The head itself marks the chunk cut at the counter reset.
        #expect(headers.filter { $0 == .counterReset }.count == 1)
    }

    @Test func readsBackWithPrometheusHints() throws {
        let head = Head()
        let a = Labels([Label("__name__", "h")])
        func h(_ c: UInt64) -> Histogram {
            Histogram(schema: 0, count: c, sum: Double(c), positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [Int64(c)])
        }
        for (i, c) in [5, 6, 7, 2, 3].enumerated() {
            let app = head.appender()
            _ = try app.appendHistogram(ref: .none, labels: a, timestamp: Int64(i) * 1000, histogram: h(UInt64(c)), floatHistogram: nil)
            try app.commit()
        }
        let s = try #require(try head.querier(minTime: .min, maxTime: .max).select(sorted: false, hints: nil, matchers: [LabelMatcher.equal("__name__", "h")]).first)
        var buf = HistogramSampleBuffer()
        try s.histogramSamples(minTime: .min, maxTime: .max, into: &buf)
        #expect(buf.histograms.map(\.count) == [5, 6, 7, 2, 3])
        #expect(buf.histograms.map(\.counterResetHint) == [.unknown, .notCounterReset, .notCounterReset, .counterReset, .notCounterReset])
    }

    @Test func floatChunksGaugesAndStaleMarkersRoundTrip() throws {
        let head = Head()
        let a = Labels([Label("__name__", "g")])
        let stale = Double(bitPattern: HistogramChunkEncoder.staleNaNBits)
        var sent: [FloatHistogram] = []
        for i in 0..<20 {
            var f = FloatHistogram(counterResetHint: .gauge, schema: 2, zeroThreshold: 0.5, zeroCount: Double(i % 3), count: Double(10 - i % 7) + 0.25,
                                   sum: i == 9 ? stale : Double(i) * 1.1,
                                   positiveSpans: [HistogramSpan(offset: -3, length: 2)], negativeSpans: [HistogramSpan(offset: 1, length: 1)],
                                   positiveBuckets: [Double(i % 4), 0.5], negativeBuckets: [Double(i) / 3])
            if i >= 12 {  // a bucket appears: the gauge chunk is recoded
                f.positiveSpans = [HistogramSpan(offset: -3, length: 3)]
                f.positiveBuckets = [1, 2, 3]
            }
            if i == 9 {
                f.positiveSpans = []
                f.negativeSpans = []
                f.positiveBuckets = []
                f.negativeBuckets = []
            }
            sent.append(f)
            let app = head.appender()
            _ = try app.appendHistogram(ref: .none, labels: a, timestamp: Int64(i) * 1000, histogram: nil, floatHistogram: f)
            try app.commit()
        }
        let s = try #require(try head.querier(minTime: .min, maxTime: .max).select(sorted: false, hints: nil, matchers: [LabelMatcher.equal("__name__", "g")]).first)
        let chunks = try #require(s as? HeadSeries).histogramChunks
        #expect(chunks.count == 1 && chunks[0].isFloat && HistogramChunkHeader.of(chunks[0].bytes) == .gauge)
        var buf = HistogramSampleBuffer()
        try s.histogramSamples(minTime: .min, maxTime: .max, into: &buf)
        #expect(buf.count == 20)
        for (i, got) in buf.histograms.enumerated() {
            #expect(got.sum.bitPattern == sent[i].sum.bitPattern)
            #expect(got.count == sent[i].count && got.zeroCount == sent[i].zeroCount)
            #expect(got.counterResetHint == .gauge)
            if i == 9 { continue }
            if i < 12 {
                // Recoded into the wider layout: the new bucket reads as 0.
                #expect(got.positiveSpans == [HistogramSpan(offset: -3, length: 3)])
                #expect(got.positiveBuckets == sent[i].positiveBuckets + [0])
            } else {
                #expect(got.positiveBuckets == sent[i].positiveBuckets)
            }
            #expect(got.negativeBuckets == sent[i].negativeBuckets)
        }
    }
}
