import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// The write path against an in-memory storage: what is written, what is refused and why.
@Suite struct RemoteWriteIngesterTests {
    static let now: Timestamp = 1_700_000_000_000

    func ingester(_ storage: MemoryStorage = MemoryStorage(), options: RemoteWriteOptions = RemoteWriteOptions()) -> RemoteWriteIngester {
        RemoteWriteIngester(storage: storage, options: options, now: { RemoteWriteIngesterTests.now })
    }

    func samples(_ storage: MemoryStorage, _ matchers: [LabelMatcher] = []) throws -> [Labels: [(Timestamp, Double)]] {
        let q = try storage.querier(minTime: TimestampLimits.min, maxTime: TimestampLimits.max)
        var out: [Labels: [(Timestamp, Double)]] = [:]
        for s in try q.select(sorted: true, hints: nil, matchers: matchers) {
            var buf = SampleBuffer()
            try s.samples(minTime: TimestampLimits.min, maxTime: TimestampLimits.max, into: &buf)
            out[s.labels] = Array(zip(buf.timestamps, buf.values))
        }
        return out
    }

    static func series(_ labels: [(String, String)], _ samples: [(Timestamp, Double)]) -> RemoteWriteRequest.Series {
        .init(labels: labels.map { Label($0.0, $0.1) }, samples: samples.map { .init(value: $0.1, timestamp: $0.0) })
    }

    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func writesEverything(version: RemoteWriteVersion) throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        let req = RemoteWriteRequest(series: [
            Self.series([("__name__", "up"), ("job", "a")], [(1000, 1), (2000, 0)]),
            Self.series([("__name__", "up"), ("job", "b")], [(1000, 1)]),
        ])
        let r = try ing.write(req.compressed(version), version: version)
        #expect(r.isSuccess)
        #expect(r.samplesWritten == 3)
        #expect(r.seriesReceived == 2)
        #expect(r.errorMessage.isEmpty)
        let got = try samples(storage)
        #expect(got.count == 2)
        #expect(got[Labels(["__name__": "up", "job": "a"])]?.map(\.0) == [1000, 2000])
    }

    @Test func partialWriteKeepsTheRest() throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        _ = try ing.write(RemoteWriteRequest(series: [Self.series([("__name__", "m")], [(5000, 1)])]).compressed(.v1), version: .v1)
        let req = RemoteWriteRequest(series: [
            Self.series([("__name__", "m")], [(4000, 1), (5000, 2), (6000, 3)]),  // out of order, duplicate, ok
            Self.series([("__name__", "n")], [(Self.now + 11 * 60_000, 1), (Self.now, 2)]),  // future, ok
            Self.series([("__name__", "")], [(1, 1), (2, 2)]),  // invalid metric name: 2 refused
            Self.series([("__name__", "o")], [(1, 1)]),
        ])
        let r = try ing.write(req.compressed(.v1), version: .v1)
        #expect(!r.isSuccess)
        #expect(r.samplesWritten == 3)
        #expect(r.rejected[.outOfOrder] == 1)
        #expect(r.rejected[.duplicateTimestamp] == 1)
        #expect(r.rejected[.tooFarInFuture] == 1)
        #expect(r.rejected[.invalidLabels] == 2)
        #expect(r.rejectedCount == 5)
        #expect(r.errorMessage.hasPrefix("5 of 8 samples rejected: 1 out of order sample, 1 duplicate sample for timestamp"))
        #expect(r.errorMessage.contains("invalid metric name \"\""))
        let got = try samples(storage)
        #expect(got[Labels(["__name__": "m"])]?.map(\.0) == [5000, 6000])
        #expect(got[Labels(["__name__": "n"])]?.map(\.0) == [Self.now])
        #expect(got[Labels(["__name__": "o"])]?.count == 1)
    }

    @Test func futureLimitIsInclusive() throws {
        let storage = MemoryStorage()
        let r = try ingester(storage).write(
            RemoteWriteRequest(series: [Self.series([("__name__", "m")], [(Self.now + 600_000, 1), (Self.now + 600_001, 2)])]).compressed(.v1),
            version: .v1)
        #expect(r.samplesWritten == 1)
        #expect(r.rejected == [.tooFarInFuture: 1])
    }

    @Test(arguments: [
        ([("", "v"), ("__name__", "m")], "empty label name"),
        ([("__name__", "m"), ("1abc", "v")], "invalid label name \"1abc\""),
        ([("__name__", "m"), ("a-b", "v")], "invalid label name \"a-b\""),
        ([("__name__", "1m")], "invalid metric name \"1m\""),
        ([("__name__", "m"), ("a", "1"), ("a", "2")], "duplicate label name \"a\""),
        ([("a", "")], "empty label set"),
    ] as [([(String, String)], String)])
    func invalidLabels(labels: [(String, String)], message: String) throws {
        let storage = MemoryStorage()
        let r = try ingester(storage).write(RemoteWriteRequest(series: [Self.series(labels, [(1, 1)])]).compressed(.v1), version: .v1)
        #expect(r.rejected == [.invalidLabels: 1])
        #expect(r.examples.first?.contains(message) == true, "\(r.examples)")
        #expect(r.examples.first?.hasPrefix("series 0 {") == true)
        #expect(storage.seriesCount == 0)
    }

    @Test func invalidUTF8IsRefusedPerSeries() throws {
        var ts: [UInt8] = []
        for (n, v) in [([UInt8]("__name__".utf8), [UInt8]("m".utf8)), ([UInt8]("a".utf8), [0xff, 0xfe])] {
            let l = ts.beginProtoLengthDelimited(1)
            ts.appendProtoBytes(1, n)
            ts.appendProtoBytes(2, v)
            ts.endProtoLengthDelimited(l)
        }
        let s = ts.beginProtoLengthDelimited(2)
        ts.appendProtoDouble(1, 1)
        ts.appendProtoInt64(2, 1)
        ts.endProtoLengthDelimited(s)
        var body: [UInt8] = []
        body.appendProtoBytes(1, ts)
        body.append(contentsOf: RemoteWriteRequest(series: [Self.series([("__name__", "ok")], [(1, 1)])]).encoded(.v1))
        let storage = MemoryStorage()
        let r = try ingester(storage).write(uncompressed: body, version: .v1)
        #expect(r.rejected == [.invalidLabels: 1])
        #expect(r.examples.first?.contains("value of label \"a\" is not valid UTF-8") == true, "\(r.examples)")
        #expect(r.samplesWritten == 1)
    }

    @Test func emptyValuesAreDroppedAndUnsortedSorted() throws {
        let storage = MemoryStorage()
        let r = try ingester(storage).write(
            RemoteWriteRequest(series: [Self.series([("job", "x"), ("__name__", "m"), ("empty", "")], [(1, 1)])]).compressed(.v1),
            version: .v1)
        #expect(r.isSuccess)
        #expect(try samples(storage).keys.first == Labels(["__name__": "m", "job": "x"]))
    }

    @Test func unsortedCanBeRefused() throws {
        var options = RemoteWriteOptions()
        options.unsortedLabels = .reject
        let r = try ingester(options: options).write(
            RemoteWriteRequest(series: [Self.series([("job", "x"), ("__name__", "m")], [(1, 1)])]).compressed(.v1), version: .v1)
        #expect(r.rejected == [.invalidLabels: 1])
        #expect(r.examples.first?.contains("not sorted") == true)
    }

    @Test func utf8NamesWhenConfigured() throws {
        var options = RemoteWriteOptions()
        options.nameValidation = .utf8
        let storage = MemoryStorage()
        let r = try ingester(storage, options: options).write(
            RemoteWriteRequest(series: [Self.series([("__name__", "métrique.total"), ("çà-va", "oui")], [(1, 1)])]).compressed(.v1),
            version: .v1)
        #expect(r.isSuccess, "\(r.errorMessage)")
    }

    @Test func limits() throws {
        var options = RemoteWriteOptions()
        options.maxLabelsPerSeries = 2
        options.maxLabelValueBytes = 4
        let ing = ingester(options: options)
        var r = try ing.write(RemoteWriteRequest(series: [Self.series([("__name__", "m"), ("a", "1"), ("b", "2")], [(1, 1)])]).compressed(.v1), version: .v1)
        #expect(r.examples.first?.contains("more than the limit of 2") == true)
        r = try ing.write(RemoteWriteRequest(series: [Self.series([("__name__", "m"), ("a", "12345")], [(1, 1)])]).compressed(.v1), version: .v1)
        #expect(r.examples.first?.contains("longer than 4 bytes") == true)
    }

    @Test func requireMetricName() throws {
        var options = RemoteWriteOptions()
        let plain = try ingester().write(RemoteWriteRequest(series: [Self.series([("job", "x")], [(1, 1)])]).compressed(.v1), version: .v1)
        #expect(plain.isSuccess)  // Prometheus 2.42 accepts series without a metric name.
        options.requireMetricName = true
        let strict = try ingester(options: options).write(RemoteWriteRequest(series: [Self.series([("job", "x")], [(1, 1)])]).compressed(.v1), version: .v1)
        #expect(strict.examples.first?.contains("missing metric name") == true)
    }

    @Test func exemplarsDroppedHistogramsWrittenMetadataForwarded() throws {
        let storage = MemoryStorage()
        var req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "h")], samples: [.init(value: 1, timestamp: 1)],
                  exemplars: [.init(labels: [Label("trace_id", "t")], value: 1, timestamp: 1)],
                  histograms: [.init(timestamp: 2, count: 1, sum: 1, schema: 0)]),
        ])
        req.metadata = [MetricMetadata(metricFamily: "h", type: .counter, help: "help", unit: "seconds")]
        let r = try ingester(storage).write(req.compressed(.v1), version: .v1)
        #expect(r.samplesWritten == 1)
        #expect(r.exemplarsDropped == 1)
        #expect(r.exemplarsWritten == 0)
        #expect(r.isSuccess)
        #expect(r.histogramsWritten == 1)
        #expect(r.metadataWritten == 1)
        #expect(storage.metadata["h"] == MetricMetadata(metricFamily: "h", type: .counter, help: "help", unit: "seconds"))
    }

    @Test func v2MetadataPerSeriesIsForwardedOnce() throws {
        let storage = MemoryStorage()
        let meta = RemoteWriteRequest.SeriesMetadata(type: .counter, help: "Requests.", unit: "")
        let req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "req_total"), Label("code", "200")], samples: [.init(value: 1, timestamp: 1)], metadata: meta),
            .init(labels: [Label("__name__", "req_total"), Label("code", "500")], samples: [.init(value: 1, timestamp: 1)], metadata: meta),
        ])
        let r = try ingester(storage).write(req.compressed(.v2), version: .v2)
        #expect(r.isSuccess)
        #expect(r.metadataWritten == 1)
        #expect(storage.metadata["req_total"] == MetricMetadata(metricFamily: "req_total", type: .counter, help: "Requests.", unit: ""))
    }

    @Test func seriesCacheServesRepeatedSeries() throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        for round in 0..<3 {
            let req = RemoteWriteRequest(series: (0..<50).map { i in
                Self.series([("__name__", "m"), ("i", "\(i)")], [(Timestamp(round * 1000), Double(round))])
            })
            let r = try ing.write(req.compressed(round % 2 == 0 ? .v1 : .v2), version: round % 2 == 0 ? .v1 : .v2)
            #expect(r.isSuccess)
            #expect(r.samplesWritten == 50)
        }
        #expect(ing.cachedSeriesCount == 50)
        #expect(storage.seriesCount == 50)
        #expect(try samples(storage).values.allSatisfy { $0.map(\.0) == [0, 1000, 2000] })
    }

    /// A series repeated within one request (new, then seen again in the same request) is cached
    /// once; a later request mixing cached, repeated and new series writes every sample in order.
    @Test func seriesRepeatedWithinARequestIsCachedOnce() throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        let a = [("__name__", "m"), ("i", "a")], b = [("__name__", "m"), ("i", "b")], c = [("__name__", "m"), ("i", "c")]
        let r1 = try ing.write(RemoteWriteRequest(series: [
            Self.series(a, [(1000, 1)]), Self.series(b, [(1000, 2)]), Self.series(a, [(2000, 3)]),
        ]).compressed(.v1), version: .v1)
        #expect(r1.samplesWritten == 3)
        #expect(ing.cachedSeriesCount == 2)
        let r2 = try ing.write(RemoteWriteRequest(series: [
            Self.series(c, [(3000, 4)]), Self.series(a, [(3000, 5)]), Self.series(c, [(4000, 6)]), Self.series(b, [(3000, 7)]),
        ]).compressed(.v1), version: .v1)
        #expect(r2.isSuccess)
        #expect(r2.samplesWritten == 4)
        #expect(ing.cachedSeriesCount == 3)
        let got = try samples(storage)
        #expect(got[Labels(["__name__": "m", "i": "a"])]?.map(\.0) == [1000, 2000, 3000])
        #expect(got[Labels(["__name__": "m", "i": "b"])]?.map(\.1) == [2, 7])
        #expect(got[Labels(["__name__": "m", "i": "c"])]?.map(\.0) == [3000, 4000])
    }

    @Test func fullCacheIsClearedAndRefilled() throws {
        var options = RemoteWriteOptions()
        options.seriesCacheEntries = 10
        let storage = MemoryStorage()
        let ing = ingester(storage, options: options)
        for round in 0..<4 {
            let req = RemoteWriteRequest(series: (0..<25).map { i in
                Self.series([("__name__", "m"), ("i", "\(i)")], [(Timestamp(round * 1000), 1)])
            })
            let r = try ing.write(req.compressed(.v1), version: .v1)
            #expect(r.isSuccess)
            #expect(r.samplesWritten == 25)
            // Cleared at the start of a request once over the limit, then refilled by it.
            #expect(ing.cachedSeriesCount == 25)
        }
        #expect(storage.seriesCount == 25)
        #expect(try samples(storage).values.allSatisfy { $0.count == 4 })
    }

    @Test func cacheDisabledStillValidates() throws {
        var options = RemoteWriteOptions()
        options.seriesCacheEntries = 0
        let ing = ingester(options: options)
        for _ in 0..<2 {
            let r = try ing.write(RemoteWriteRequest(series: [Self.series([("__name__", "1bad")], [(1, 1)])]).compressed(.v1), version: .v1)
            #expect(r.rejected == [.invalidLabels: 1])
        }
        #expect(ing.cachedSeriesCount == 0)
    }

    @Test func malformedBodyWritesNothing() throws {
        let storage = MemoryStorage()
        var body = RemoteWriteRequest(series: [Self.series([("__name__", "m")], [(1, 1)])]).encoded(.v1)
        body.append(contentsOf: [0x0a, 0x7f])  // a TimeSeries longer than the rest of the body
        #expect(throws: IngestError.self) { _ = try ingester(storage).write(Snappy.compress(body), version: .v1) }
        #expect(storage.seriesCount == 0)
    }

    @Test func commitFailureIsAStorageError() throws {
        let ing = RemoteWriteIngester(storage: FailingStorage(), now: { Self.now })
        #expect {
            _ = try ing.write(RemoteWriteRequest(series: [Self.series([("__name__", "m")], [(1, 1)])]).compressed(.v1), version: .v1)
        } throws: { ($0 as? IngestError)?.kind == .storage }
    }

    @Test func headersNegotiateTheVersion() throws {
        let storage = MemoryStorage()
        let req = RemoteWriteRequest(series: [Self.series([("__name__", "m")], [(1, 1)])])
        let r = try ingester(storage).write(req.compressed(.v2), contentType: RemoteWriteVersion.v2.contentType, contentEncoding: "snappy")
        #expect(r.version == .v2)
        #expect(r.samplesWritten == 1)
        #expect(throws: IngestError.self) {
            _ = try ingester(storage).write(req.compressed(.v1), contentType: "text/plain", contentEncoding: "snappy")
        }
    }

    @Test func concurrentWritersShareTheCache() async throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for w in 0..<4 {
                group.addTask {
                    var written = 0
                    for round in 0..<20 {
                        let req = RemoteWriteRequest(series: (0..<25).map { i in
                            Self.series([("__name__", "m"), ("i", "\(i)"), ("w", "\(w)")], [(Timestamp(round), 1)])
                        })
                        written += try ing.write(req.compressed(.v1), version: .v1).samplesWritten
                    }
                    return written
                }
            }
            var total = 0
            for try await n in group { total += n }
            #expect(total == 4 * 20 * 25)
        }
        #expect(storage.seriesCount == 100)
    }
}

/// A storage whose commits always fail.
final class FailingStorage: Appendable {
    struct Failure: Error {}
    final class App: Appender {
        func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef { ref }
        func appendMetadata(_ metadata: MetricMetadata) {}
        func commit() throws { throw Failure() }
        func rollback() {}
    }
    func appender() -> any Appender { App() }
}
