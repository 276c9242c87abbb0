import Foundation
import SundialCore
import SundialEncoding
import SundialTestSupport
import SundialWAL
import Testing

/// Histogram sample records (types 7–10): Prometheus 2.42's WAL decodes to exactly the remote-written
/// histograms and re-encodes to the same record bytes; round trips; corrupt records never trap.
@Suite struct HistogramRecordTests {
    @Test func prometheusWALDecodesToTheSentHistogramsAndReencodesIdentically() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: Testdata.path("histograms/prom-2.42-wal/00000000"), toPath: dir.path + "/00000000")
        var refs: [UInt64: Labels] = [:]
        var got: [Labels: [(Int64, Histogram)]] = [:]
        var records = 0
        try replay(directory: dir.path, repair: false) { rec in
            switch rec {
            case .series(let ss):
                for s in ss { refs[s.ref.rawValue] = s.labels }
            case .unsupported(let type, let bytes) where type == 7:
                var samples: [RefHistogramSample] = []
                try RecordDecoder.decodeHistogramSamples(bytes, into: &samples)
                var again: [UInt8] = []
                RecordEncoder.encodeHistogramSamples(samples, into: &again)
                #expect(again == bytes)
                for s in samples { got[try #require(refs[s.ref.rawValue]), default: []].append((s.t, s.h)) }
                records += 1
            default:
                break
            }
        }
        #expect(records >= 1)
        let sent = try HistogramFixture.sent()
        #expect(got.count == sent.count)
        for (labels, samples) in sent {
            let g = try #require(got[labels])
            #expect(g.map(\.0) == samples.map(\.0))
            #expect(zip(g, samples).allSatisfy { $0.1.isIdentical(to: $1.1) && $0.1.counterResetHint == $1.1.counterResetHint })
        }
    }

    @Test func roundTripsIntegerFloatAndCustomBucketHistograms() throws {
        let h = Histogram(counterResetHint: .gauge, schema: -4, zeroThreshold: 1e-9, zeroCount: 3, count: 1 << 40, sum: -.infinity,
                          positiveSpans: [HistogramSpan(offset: -2_000_000, length: 2), HistogramSpan(offset: 7, length: 1)],
                          negativeSpans: [HistogramSpan(offset: 3, length: 1)], positiveBuckets: [5, -3, Int64.max], negativeBuckets: [Int64.min])
        let samples = [RefHistogramSample(ref: SeriesRef(9), t: -5, h: h),
                       RefHistogramSample(ref: SeriesRef(2), t: Int64.max, h: Histogram(schema: 0, count: 0, sum: 0))]
        var buf: [UInt8] = []
        RecordEncoder.encodeHistogramSamples(samples, into: &buf)
        #expect(buf[0] == 7)
        var out: [RefHistogramSample] = []
        try RecordDecoder.decodeHistogramSamples(buf, into: &out)
        #expect(out == samples)

        let f = FloatHistogram(counterResetHint: .counterReset, schema: customBucketsSchema, count: 7.5, sum: .nan,
                               positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [2.5, 5], customValues: [0.1, 99])
        var fb: [UInt8] = []
        RecordEncoder.encodeFloatHistogramSamples([RefFloatHistogramSample(ref: SeriesRef(1), t: 10, fh: f)], customBuckets: true, into: &fb)
        #expect(fb[0] == 10)
        var fout: [RefFloatHistogramSample] = []
        try RecordDecoder.decodeFloatHistogramSamples(fb, into: &fout)
        #expect(fout.count == 1 && fout[0].fh.isIdentical(to: f) && fout[0].fh.counterResetHint == .counterReset)
    }

    @Test func corruptRecordsNeverTrap() throws {
        let h = Histogram(schema: 1, count: 3, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [1, 1])
        var buf: [UInt8] = []
        RecordEncoder.encodeHistogramSamples([RefHistogramSample(ref: SeriesRef(1), t: 1, h: h)], into: &buf)
        var fbuf: [UInt8] = []
        RecordEncoder.encodeFloatHistogramSamples([RefFloatHistogramSample(ref: SeriesRef(1), t: 1, fh: h.toFloat())], into: &fbuf)
        var out: [RefHistogramSample] = []
        var fout: [RefFloatHistogramSample] = []
        for rec in [buf, fbuf] {
            for cut in 0..<rec.count {
                _ = try? RecordDecoder.decodeHistogramSamples(Array(rec[..<cut]), into: &out)
                _ = try? RecordDecoder.decodeFloatHistogramSamples(Array(rec[..<cut]), into: &fout)
            }
            for i in 0..<rec.count {
                for x: UInt8 in [0x01, 0x80, 0xFF] {
                    var d = rec
                    d[i] ^= x
                    _ = try? RecordDecoder.decodeHistogramSamples(d, into: &out)
                    _ = try? RecordDecoder.decodeFloatHistogramSamples(d, into: &fout)
                }
            }
        }
    }
}
