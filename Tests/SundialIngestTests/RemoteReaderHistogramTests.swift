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

/// Native histograms in STREAMED_XOR_CHUNKS responses: histogram chunks (encoding 2 for whole
/// counts, 3 otherwise) interleaved in time with the XOR chunks, decoded back to the stored values.
@Suite struct StreamedReadHistogramTests {
    /// One decoded chunk: encoding, time range, and its samples as (t, float value or histogram).
    struct Chunk {
        var encoding: UInt64
        var minT: Int64
        var maxT: Int64
        var header: HistogramChunkHeader = .unknown
        var floats: [(Int64, Double)] = []
        var histograms: [(Int64, FloatHistogram)] = []
    }

    static func chunks(_ frames: [[UInt8]]) throws -> [Chunk] {
        var out: [Chunk] = []
        for f in frames {
            var br = ProtoReader(f)
            _ = try br.readVarint()
            var r = ProtoReader(Array(f[(br.position + 4)...]))
            while let t = try r.readTag() {
                if t.field == 2 { _ = try r.readVarint(); continue }
                var cs = r.subReader(try r.readLengthDelimited())
                while let t2 = try cs.readTag() {
                    let range = try cs.readLengthDelimited()
                    guard t2.field == 2 else { continue }
                    var c = cs.subReader(range)
                    var chunk = Chunk(encoding: 0, minT: 0, maxT: 0)
                    var data: [UInt8] = []
                    while let t3 = try c.readTag() {
                        switch t3.field {
                        case 1: chunk.minT = Int64(bitPattern: try c.readVarint())
                        case 2: chunk.maxT = Int64(bitPattern: try c.readVarint())
                        case 3: chunk.encoding = try c.readVarint()
                        default: data = c.bytes(try c.readLengthDelimited())
                        }
                    }
                    func spans(_ s: [HistogramChunkSpan]) -> [HistogramSpan] { s.map { HistogramSpan(offset: $0.offset, length: $0.length) } }
                    switch chunk.encoding {
                    case 1:
                        var it = XORChunkIterator(data)
                        while it.next() { chunk.floats.append((it.timestamp, it.value)) }
                    case 2:
                        let (h, l, samples) = try HistogramChunkDecoder.decodeIntegers(data)
                        chunk.header = h
                        for x in samples {
                            chunk.histograms.append((x.t, Histogram(schema: l.schema, zeroThreshold: l.zeroThreshold, zeroCount: x.zeroCount,
                                                                    count: x.count, sum: x.sum, positiveSpans: spans(l.positiveSpans),
                                                                    negativeSpans: spans(l.negativeSpans), positiveBuckets: x.positive,
                                                                    negativeBuckets: x.negative, customValues: l.customValues).toFloat()))
                        }
                    default:
                        let (h, l, samples) = try HistogramChunkDecoder.decodeFloats(data)
                        chunk.header = h
                        for x in samples {
                            chunk.histograms.append((x.t, FloatHistogram(schema: l.schema, zeroThreshold: l.zeroThreshold, zeroCount: x.zeroCount,
                                                                         count: x.count, sum: x.sum, positiveSpans: spans(l.positiveSpans),
                                                                         negativeSpans: spans(l.negativeSpans), positiveBuckets: x.positive,
                                                                         negativeBuckets: x.negative, customValues: l.customValues)))
                        }
                    }
                    out.append(chunk)
                }
            }
        }
        return out
    }

    func h(_ n: UInt64, schema: Int32 = 0) -> Histogram {
        Histogram(counterResetHint: .notCounterReset, schema: schema, count: n, sum: Double(n),
                  positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [Int64(n)])
    }

    /// `h` without its reset hint (chunks carry the hint only in their header).
    func plain(_ h: FloatHistogram) -> FloatHistogram {
        var h = h
        h.counterResetHint = .unknown
        return h
    }

    @Test func histogramChunksInterleaveWithXORChunks() throws {
        let s = RecordingAppendable()
        let app = s.appender()
        let l = Labels(["__name__": "mixed"])
        // floats 1..3 s, integer histograms 4..8 s (layout changes at 7 s), a float histogram at
        // 9 s, floats again at 10..11 s.
        for t in [1, 2, 3] { _ = try app.append(ref: .none, labels: l, timestamp: Int64(t) * 1000, value: Double(t)) }
        for t in [4, 5, 6] { _ = try app.appendHistogram(ref: .none, labels: l, timestamp: Int64(t) * 1000, histogram: h(UInt64(t)), floatHistogram: nil) }
        for t in [7, 8] { _ = try app.appendHistogram(ref: .none, labels: l, timestamp: Int64(t) * 1000, histogram: h(UInt64(t), schema: 2), floatHistogram: nil) }
        let fh = FloatHistogram(counterResetHint: .gauge, schema: 0, count: 0.5, sum: 0.25,
                                positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [0.5])
        _ = try app.appendHistogram(ref: .none, labels: l, timestamp: 9000, histogram: nil, floatHistogram: fh)
        for t in [10, 11] { _ = try app.append(ref: .none, labels: l, timestamp: Int64(t) * 1000, value: Double(t)) }
        try app.commit()

        var frames: [[UInt8]] = []
        try RemoteReader(storage: s).readStreamed(RemoteReadRequest(queries: [.init(startMs: 0, endMs: 20_000, matchers: [])])) {
            frames.append($0)
        }
        let c = try Self.chunks(frames)
        #expect(c.map(\.encoding) == [1, 2, 2, 3, 1])
        #expect(c.map(\.minT) == [1000, 4000, 7000, 9000, 10_000])
        #expect(c.map(\.maxT) == [3000, 6000, 8000, 9000, 11_000])
        #expect(c[0].floats.map(\.1) == [1, 2, 3])
        #expect(c[1].histograms.map(\.1) == [4, 5, 6].map { plain(h($0).toFloat()) })
        #expect(c[1].header == .notCounterReset)
        #expect(c[2].histograms.map(\.1) == [7, 8].map { plain(h($0, schema: 2).toFloat()) })
        #expect(c[3].histograms.first?.1 == plain(fh))
        #expect(c[3].header == .gauge)
        #expect(c[4].floats.map(\.0) == [10_000, 11_000])
    }

    @Test func histogramOnlySeriesIsStreamedInChunksOfAtMostSamplesPerChunk() throws {
        let s = RecordingAppendable()
        let app = s.appender()
        for t in 1...250 {
            _ = try app.appendHistogram(ref: .none, labels: Labels(["__name__": "h"]), timestamp: Int64(t), histogram: h(UInt64(t)), floatHistogram: nil)
        }
        try app.commit()
        var frames: [[UInt8]] = []
        try RemoteReader(storage: s).readStreamed(RemoteReadRequest(queries: [.init(startMs: 0, endMs: 1000, matchers: [])])) {
            frames.append($0)
        }
        let c = try Self.chunks(frames)
        #expect(c.map(\.histograms.count) == [120, 120, 10])
        #expect(c.flatMap { $0.histograms.map(\.0) } == (1...250).map(Int64.init))
    }
}
