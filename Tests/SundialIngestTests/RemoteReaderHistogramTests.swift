import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Native histograms in remote-read SAMPLES responses (`TimeSeries.histograms`): read back by
/// re-wrapping each returned TimeSeries into a remote-write request and decoding it with our
/// receiver, which must reproduce exactly the stored histograms.
@Suite struct RemoteReaderHistogramTests {
    static let integer = Histogram(
        counterResetHint: .notCounterReset, schema: 2, zeroThreshold: 0.01, zeroCount: 1, count: 8, sum: 12.5,
        positiveSpans: [HistogramSpan(offset: -1, length: 2), HistogramSpan(offset: 2, length: 1)],
        negativeSpans: [HistogramSpan(offset: 0, length: 1)],
        positiveBuckets: [1, 2, -2], negativeBuckets: [3])
    static let float = FloatHistogram(counterResetHint: .gauge, schema: 0, count: 2.5, sum: -1,
                                      positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [0.5, 2])
    static let custom = Histogram(schema: customBucketsSchema, count: 3, sum: 1,
                                  positiveSpans: [HistogramSpan(offset: 1, length: 2)], positiveBuckets: [1, 1],
                                  customValues: [0.1, 0.2, 0.5])

    static func storage() throws -> RecordingAppendable {
        let s = RecordingAppendable()
        let app = s.appender()
        let l = Labels(["__name__": "lat", "job": "a"])
        _ = try app.append(ref: .none, labels: l, timestamp: 1000, value: 1)
        _ = try app.appendHistogram(ref: .none, labels: l, timestamp: 2000, histogram: integer, floatHistogram: nil)
        _ = try app.appendHistogram(ref: .none, labels: l, timestamp: 3000, histogram: nil, floatHistogram: float)
        _ = try app.appendHistogram(ref: .none, labels: Labels(["__name__": "nhcb"]), timestamp: 2000, histogram: custom, floatHistogram: nil)
        try app.commit()
        return s
    }

    /// Every `TimeSeries` of every result, as the raw message bytes.
    static func timeSeries(_ compressed: [UInt8]) throws -> [[UInt8]] {
        let body = try Snappy.decompress(compressed)
        var out: [[UInt8]] = []
        var r = ProtoReader(body)
        while try r.readTag() != nil {
            var qr = r.subReader(try r.readLengthDelimited())
            while try qr.readTag() != nil { out.append(Array(body[try qr.readLengthDelimited()])) }
        }
        return out
    }

    @Test func samplesResponseCarriesHistograms() throws {
        let reader = RemoteReader(storage: try Self.storage())
        let resp = try reader.readSamples(RemoteReadRequest(queries: [.init(startMs: 0, endMs: 10_000, matchers: [])]))
        // Re-wrap as a remote-write 1.0 WriteRequest and decode with the receiver.
        var write: [UInt8] = []
        for ts in try Self.timeSeries(resp) { write.appendProtoBytes(1, ts) }
        let back = RecordingAppendable()
        let r = try RemoteWriteIngester(storage: back, now: { 1 << 40 }).write(uncompressed: write, version: .v1)
        #expect(r.isSuccess, "\(r.errorMessage)")
        #expect(r.samplesWritten == 1)
        #expect(r.histogramsWritten == 3)
        let h = back.histogramRecords
        // Whole-number histograms come back as integer histograms, identical to what was stored.
        #expect(h.first { $0.timestamp == 2000 && $0.labels.get("job") == "a" }?.histogram == Self.integer)
        #expect(h.first { $0.timestamp == 3000 }?.floatHistogram == Self.float)
        #expect(h.first { $0.labels.metricName == "nhcb" }?.histogram == Self.custom)
    }

    @Test func histogramsCountTowardTheSampleLimit() throws {
        var options = RemoteReadOptions()
        options.sampleLimit = 2
        let reader = RemoteReader(storage: try Self.storage(), options: options)
        #expect(throws: IngestError.self) {
            _ = try reader.readSamples(RemoteReadRequest(queries: [.init(startMs: 0, endMs: 10_000, matchers: [.equal("job", "a")])]))
        }
    }
}
