import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Seeded mutations of bodies full of native histograms: decoding, validation and appending either
/// succeed or refuse, never trap; whatever is accepted can be walked bucket by bucket (what the
/// JSON writer does) and read back through remote read, SAMPLES and streamed chunks.
@Suite struct RemoteWriteHistogramFuzzTests {
    static func seed() -> RemoteWriteRequest {
        var series: [RemoteWriteRequest.Series] = []
        for i in 0..<4 {
            let h = Histogram(counterResetHint: CounterResetHint(rawValue: UInt8(i)) ?? .unknown, schema: Int32(i) - 1,
                              zeroThreshold: 0.001, zeroCount: 1, count: 7, sum: 3.5,
                              positiveSpans: [HistogramSpan(offset: -1, length: 2), HistogramSpan(offset: 1, length: 1)],
                              negativeSpans: [HistogramSpan(offset: 0, length: 1)],
                              positiveBuckets: [1, 1, 0], negativeBuckets: [2])
            let f = FloatHistogram(schema: 3, count: 2.5, sum: 1, positiveSpans: [HistogramSpan(offset: 2, length: 2)],
                                   positiveBuckets: [0.5, 2])
            let c = Histogram(schema: customBucketsSchema, count: 3, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 3)],
                              positiveBuckets: [1, 0, 0], customValues: [0.5, 1])
            series.append(.init(labels: [Label("__name__", "h\(i)")], histograms: [
                .init(timestamp: Int64(i) * 10 + 1, histogram: h), .init(timestamp: Int64(i) * 10 + 2, floatHistogram: f),
                .init(timestamp: Int64(i) * 10 + 3, histogram: c),
            ]))
        }
        return RemoteWriteRequest(series: series)
    }

    @Test func mutatedHistogramBodiesNeverTrap() throws {
        var rng = RemoteWriteFuzzTests.Rng(state: 0xB0C4E7)
        let seeds = [(RemoteWriteVersion.v1, Self.seed().encoded(.v1)), (.v2, Self.seed().encoded(.v2))]
        var accepted = 0, refused = 0, malformed = 0
        for i in 0..<800 {
            let (version, seed) = seeds[i % 2]
            let storage = RecordingAppendable()
            do {
                let r = try RemoteWriteIngester(storage: storage, now: { 1 << 40 })
                    .write(uncompressed: RemoteWriteFuzzTests.mutate(seed, &rng), version: version)
                accepted += r.histogramsWritten
                refused += r.rejectedCount
            } catch {
                #expect(error.kind != .storage)
                malformed += 1
                continue
            }
            for rec in storage.histogramRecords {
                (rec.floatHistogram ?? rec.histogram?.toFloat())?.forEachBucket { b in
                    #expect(!(b.lower > b.upper), "\(b)")
                }
            }
            let reader = RemoteReader(storage: storage)
            let req = RemoteReadRequest(queries: [.init(startMs: Int64.min / 2, endMs: Int64.max / 2, matchers: [])])
            _ = try reader.readSamples(req)
            try reader.readStreamed(req) { _ in }
        }
        #expect(accepted > 0 && refused > 0 && malformed > 0, "accepted \(accepted), refused \(refused), malformed \(malformed)")
    }
}
