import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Native histograms through remote write 1.0 and 2.0: decoded, validated with Prometheus's rules,
/// appended through `Appender.appendHistogram`, counted, and refused one by one when invalid.
@Suite struct RemoteWriteHistogramTests {
    static let now: Timestamp = 1_700_000_000_000
    static let labels = [Label("__name__", "rpc_seconds"), Label("job", "api")]

    func ingester(_ storage: any Appendable) -> RemoteWriteIngester {
        RemoteWriteIngester(storage: storage, now: { RemoteWriteHistogramTests.now })
    }

    /// Exponential schema with negative, zero and positive buckets and a reset hint.
    static let integer = Histogram(
        counterResetHint: .notCounterReset, schema: 3, zeroThreshold: 0.001, zeroCount: 2, count: 13, sum: -3.25,
        positiveSpans: [HistogramSpan(offset: -2, length: 2), HistogramSpan(offset: 3, length: 1)],
        negativeSpans: [HistogramSpan(offset: 1, length: 2)],
        positiveBuckets: [1, 2, -1], negativeBuckets: [3, -1])
    static let float = FloatHistogram(
        counterResetHint: .gauge, schema: -2, zeroThreshold: 0, zeroCount: 0.5, count: 7.5, sum: 100,
        positiveSpans: [HistogramSpan(offset: 0, length: 3)], negativeSpans: [],
        positiveBuckets: [1, 0, 6], negativeBuckets: [])
    static let custom = Histogram(
        schema: customBucketsSchema, count: 7, sum: 12,
        positiveSpans: [HistogramSpan(offset: 0, length: 2), HistogramSpan(offset: 1, length: 1)],
        positiveBuckets: [1, 1, 2], customValues: [0.5, 1, 2.5])

    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func integerFloatAndCustomBucketHistogramsAreAppended(version: RemoteWriteVersion) throws {
        let storage = RecordingAppendable()
        let req = RemoteWriteRequest(series: [
            .init(labels: Self.labels, histograms: [.init(timestamp: 1000, histogram: Self.integer),
                                                    .init(timestamp: 2000, histogram: Self.integer)]),
            .init(labels: [Label("__name__", "queue_depth")], histograms: [.init(timestamp: 1000, floatHistogram: Self.float)]),
            .init(labels: [Label("__name__", "nhcb")], histograms: [.init(timestamp: 1000, histogram: Self.custom)]),
            .init(labels: [Label("__name__", "up")], samples: [.init(value: 1, timestamp: 1000)]),
        ])
        let r = try ingester(storage).write(req.compressed(version), version: version)
        #expect(r.isSuccess, "\(r.errorMessage)")
        #expect(r.histogramsWritten == 4)
        #expect(r.samplesWritten == 1)
        let h = storage.histogramRecords
        #expect(h.count == 4)
        #expect(h[0] == .init(labels: Labels(Self.labels), timestamp: 1000, histogram: Self.integer))
        #expect(h[1].timestamp == 2000)
        #expect(h[2] == .init(labels: Labels([Label("__name__", "queue_depth")]), timestamp: 1000, floatHistogram: Self.float))
        #expect(h[3].histogram == Self.custom)
    }

    /// One invalid histogram per row; the valid one beside it is still written and the 400
    /// message names the rule.
    @Test(arguments: [
        (Histogram(schema: 0, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [1]),
         "positive side: histogram spans specify different number of buckets than provided: spans need 2 buckets, have 1 buckets"),
        (Histogram(schema: 0, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [2, -3]),
         "positive side: histogram has a bucket whose observation count is negative: bucket number 2 has observation count of -1"),
        (Histogram(schema: 0, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [2]),
         "2 observations found in buckets, but the Count field is 1"),
        (Histogram(schema: 9, count: 0, sum: 0), "invalid histogram schema 9"),
        (Histogram(schema: -5, count: 0, sum: 0), "invalid histogram schema -5"),
        (Histogram(schema: 0, count: 1, sum: 1,
                   negativeSpans: [HistogramSpan(offset: 0, length: 1), HistogramSpan(offset: -2, length: 1)], negativeBuckets: [1, 0]),
         "negative side: histogram has a span whose offset is negative: span number 2 with offset -2"),
        (Histogram(schema: 0, count: 0, sum: 0, customValues: [1]), "exponential schema must not have custom bounds"),
        (Histogram(schema: customBucketsSchema, count: 0, sum: 0, customValues: [2, 1]), "custom buckets: bound number 2 (1.0)"),
        (Histogram(schema: customBucketsSchema, count: 0, sum: 0, customValues: [1, .infinity]), "custom buckets: bound number 2 (inf)"),
        (Histogram(schema: customBucketsSchema, count: 1, sum: 0, positiveSpans: [HistogramSpan(offset: 3, length: 1)],
                   positiveBuckets: [1], customValues: [1]), "custom buckets: buckets up to index 3, but only 2 buckets"),
        (Histogram(schema: customBucketsSchema, zeroCount: 1, count: 1, sum: 0), "custom buckets: must have zero count of 0"),
        (Histogram(schema: customBucketsSchema, count: 1, sum: 0, negativeSpans: [HistogramSpan(offset: 0, length: 1)],
                   negativeBuckets: [1]), "custom buckets: must not have negative buckets"),
        (Histogram(schema: 0, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 2)],
                   positiveBuckets: [Int64.max, 1]), "bucket number 2 has observation count of out of range"),
    ])
    func invalidHistogramsAreRefusedAlone(bad: Histogram, message: String) throws {
        let storage = RecordingAppendable()
        let req = RemoteWriteRequest(series: [
            .init(labels: Self.labels, histograms: [.init(timestamp: 1000, histogram: bad),
                                                    .init(timestamp: 2000, histogram: Self.integer)]),
        ])
        let r = try ingester(storage).write(req.compressed(.v1), version: .v1)
        #expect(r.rejected == [.invalidHistogram: 1])
        #expect(r.histogramsWritten == 1)
        #expect(r.errorMessage.contains("invalid histogram for series"), "\(r.errorMessage)")
        #expect(r.errorMessage.contains(message), "\(r.errorMessage)")
        #expect(storage.histogramRecords.map(\.timestamp) == [2000])
    }

    /// 2.42's rule: `count` must be at least the observations in the positive and negative buckets
    /// (NaN observations are in none; the zero bucket is not counted).
    @Test func countMayExceedTheBuckets() throws {
        let storage = RecordingAppendable()
        let h = Histogram(schema: 0, count: 3, sum: .nan, positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [2])
        let r = try ingester(storage).write(RemoteWriteRequest(series: [.init(labels: Self.labels, histograms: [.init(timestamp: 1, histogram: h)])]).compressed(.v2), version: .v2)
        #expect(r.isSuccess)
        #expect(storage.histogramRecords.first?.histogram?.sum.isNaN == true)
    }

    @Test func storageRefusalsAreCountedByReason() throws {
        let storage = RecordingAppendable()
        let ing = ingester(storage)
        _ = try ing.write(RemoteWriteRequest(series: [.init(labels: Self.labels, histograms: [.init(timestamp: 5000, histogram: Self.integer)])]).compressed(.v1), version: .v1)
        var other = Self.integer
        other.sum = 1
        let r = try ing.write(RemoteWriteRequest(series: [.init(labels: Self.labels, histograms: [
            .init(timestamp: 4000, histogram: Self.integer),  // out of order
            .init(timestamp: 5000, histogram: other),  // duplicate timestamp, different histogram
            .init(timestamp: 5000, histogram: Self.integer),  // identical: accepted as a no-op
            .init(timestamp: Self.now + 11 * 60 * 1000, histogram: Self.integer),  // too far in the future
        ])]).compressed(.v1), version: .v1)
        #expect(r.rejected == [.outOfOrder: 1, .duplicateTimestamp: 1, .tooFarInFuture: 1])
        #expect(r.histogramsWritten == 1)
        #expect(r.errorMessage.hasPrefix("3 of 4 samples rejected"))
    }

    /// Storage whose appender only takes floats (the protocol's default `appendHistogram`).
    final class FloatOnly: Appendable, Sendable {
        final class App: Appender {
            func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef { ref }
            func appendMetadata(_ metadata: MetricMetadata) {}
            func commit() throws {}
            func rollback() {}
        }
        func appender() -> any Appender { App() }
    }

    @Test func floatOnlyStorageRefusesHistogramsAsInvalid() throws {
        let r = try ingester(FloatOnly()).write(
            RemoteWriteRequest(series: [.init(labels: Self.labels, histograms: [.init(timestamp: 1, histogram: Self.integer)])]).compressed(.v1),
            version: .v1)
        #expect(r.rejected == [.invalidHistogram: 1])
        #expect(r.errorMessage.contains("does not accept native histograms"))
    }

    @Test func invalidLabelsRefuseTheSeriesHistograms() throws {
        let storage = RecordingAppendable()
        let r = try ingester(storage).write(RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "x"), Label("", "v")], histograms: [.init(timestamp: 1, histogram: Self.integer)]),
        ]).compressed(.v1), version: .v1)
        #expect(r.rejected == [.invalidLabels: 1])
        #expect(storage.records.isEmpty)
    }

    /// Bytes of one TimeSeries holding one Histogram message with `histogramBody`.
    static func body(histogram histogramBody: [UInt8]) -> [UInt8] {
        var ts: [UInt8] = []
        let l = ts.beginProtoLengthDelimited(1)
        ts.appendProtoString(1, "__name__")
        ts.appendProtoString(2, "h")
        ts.endProtoLengthDelimited(l)
        ts.appendProtoBytes(4, histogramBody)
        var out: [UInt8] = []
        out.appendProtoBytes(1, ts)
        return out
    }

    @Test func malformedHistogramMessagesAreRefusedWhole() throws {
        var schema: [UInt8] = []
        schema.appendProtoSignedVarint(4, Int64(Int32.max) + 1)
        var spanLength: [UInt8] = []
        var span: [UInt8] = []
        span.appendProtoVarint(2, UInt64(UInt32.max) + 1)
        spanLength.appendProtoBytes(11, span)
        var packed: [UInt8] = []
        packed.appendProtoBytes(13, [1, 2, 3])
        var wrongWire: [UInt8] = []
        wrongWire.appendProtoVarint(3, 7)  // sum must be fixed64
        for (bad, message) in [(schema, "does not fit sint32"), (spanLength, "does not fit uint32"),
                               (packed, "not a multiple of 8"), (wrongWire, "Histogram.sum")] {
            let d = RemoteWriteDecoder()
            #expect {
                try d.decode(uncompressed: Self.body(histogram: bad), version: .v1)
            } throws: { e in
                let e = e as! IngestError
                return e.kind == .malformedMessage && e.seriesIndex == 0 && e.description.contains(message)
            }
        }
    }

    @Test func unknownResetHintReadsAsUnknownAndLastOneofMemberWins() throws {
        var h: [UInt8] = []
        h.appendProtoDouble(2, 9)  // count_float ...
        h.appendProtoVarint(1, 1)  // ... then count_int: the integer member wins
        h.appendProtoDouble(3, 1)
        h.appendProtoVarint(6, 1)
        h.appendProtoVarint(14, 9)
        h.appendProtoVarint(15, 42)
        let storage = RecordingAppendable()
        let r = try ingester(storage).write(uncompressed: Self.body(histogram: h), version: .v1)
        #expect(r.isSuccess, "\(r.errorMessage)")
        #expect(storage.histogramRecords == [.init(labels: Labels([Label("__name__", "h")]), timestamp: 42,
                                                   histogram: Histogram(schema: 0, zeroCount: 1, count: 1, sum: 1))])
    }
}
