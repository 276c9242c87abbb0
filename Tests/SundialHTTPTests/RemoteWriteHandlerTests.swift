import Logging
import SundialCore
import SundialEncoding
import SundialHTTP
import SundialIngest
import SundialTestSupport
import Testing

/// `POST /api/v1/write` through ``API/handle(_:)``: status codes, messages, 2.0 headers, and that
/// bad requests leave earlier data intact.
@Suite struct RemoteWriteHandlerTests {
    let storage = MemoryStorage()
    let api: API

    init() {
        api = API(storage: storage, evaluator: FakeEvaluator(), options: APIOptions(),
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    static let v1Type = "application/x-protobuf"
    static let v2Type = "application/x-protobuf;proto=io.prometheus.write.v2.Request"

    func write(_ body: [UInt8], contentType: String = v1Type, encoding: String? = "snappy") async -> APIResponse {
        var headers = [("Content-Type", contentType), ("X-Prometheus-Remote-Write-Version", "0.1.0")]
        if let encoding { headers.append(("Content-Encoding", encoding)) }
        return await api.handle(APIRequest(method: "POST", path: "/api/v1/write", headers: headers, body: body))
    }

    static func request(_ name: String, _ samples: [(Int64, Double)], job: String = "j") -> RemoteWriteRequest {
        RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", name), Label("job", job)],
                  samples: samples.map { .init(value: $0.1, timestamp: $0.0) })
        ])
    }

    func count(_ name: String) throws -> Int {
        let q = try storage.querier(minTime: TimestampLimits.min, maxTime: TimestampLimits.max)
        var n = 0
        for s in try q.select(sorted: false, hints: nil, matchers: [.equal("__name__", name)]) {
            var b = SampleBuffer()
            try s.samples(minTime: TimestampLimits.min, maxTime: TimestampLimits.max, into: &b)
            n += b.count
        }
        return n
    }

    @Test func v1RoundTrip() async throws {
        var req = Self.request("m", [(1000, 1), (2000, 2)])
        req.metadata = [MetricMetadata(metricFamily: "m", type: .counter, help: "h", unit: "")]
        let r = await write(req.compressed(.v1))
        #expect(r.status == 204)
        #expect(r.body.isEmpty)
        #expect(r.header(API.samplesWrittenHeader) == nil)
        #expect(try count("m") == 2)
        #expect(storage.metadata["m"]?.type == .counter)
        #expect(api.metrics.samplesIngested == 2)
    }

    @Test func v2RoundTripHasHeaders() async throws {
        let r = await write(Self.request("m2", [(1000, 1), (2000, 2), (3000, 3)]).compressed(.v2), contentType: Self.v2Type)
        #expect(r.status == 204)
        #expect(r.header(API.samplesWrittenHeader) == "3")
        #expect(r.header(API.histogramsWrittenHeader) == "0")
        #expect(r.header(API.exemplarsWrittenHeader) == "0")
        #expect(try count("m2") == 3)
    }

    @Test func partialWriteIs400AndKeepsTheRest() async throws {
        #expect(await write(Self.request("p", [(5000, 1)]).compressed(.v1)).status == 204)
        let req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "p"), Label("job", "j")], samples: [.init(value: 1, timestamp: 4000)]),
            .init(labels: [Label("__name__", "p"), Label("job", "k")], samples: [.init(value: 1, timestamp: 4000)]),
        ])
        let r = await write(req.compressed(.v1))
        #expect(r.status == 400)
        let text = String(decoding: r.body, as: UTF8.self)
        #expect(text.contains("1 of 2 samples rejected"))
        #expect(text.contains("out of order"))
        #expect(try count("p") == 2)
        #expect(api.metrics.samplesRejected["out_of_order"] == 1)
    }

    @Test func badBodiesAre400AndDataSurvives() async throws {
        #expect(await write(Self.request("keep", [(1000, 1)]).compressed(.v1)).status == 204)
        let valid = Self.request("x", [(1000, 1)]).compressed(.v1)
        let cases: [(String, [UInt8])] = [
            ("garbage snappy", [0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]),
            ("truncated snappy", Array(valid.prefix(valid.count / 2))),
            ("garbage protobuf", Snappy.compress([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])),
            ("wrong wire type", Snappy.compress([0x0b, 0x01])),
        ]
        for (name, body) in cases {
            let r = await write(body)
            #expect(r.status == 400, "\(name)")
            #expect(!r.body.isEmpty, "\(name)")
        }
        #expect(try count("keep") == 1)
        #expect(try count("x") == 0)
    }

    @Test func invalidLabelsAre400() async throws {
        let bad = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "ok"), Label("", "v")], samples: [.init(value: 1, timestamp: 1000)]),
            .init(labels: [Label("__name__", "ok2"), Label("job", "a")], samples: [.init(value: 1, timestamp: 1000)]),
        ])
        let r = await write(bad.compressed(.v1))
        #expect(r.status == 400)
        #expect(String(decoding: r.body, as: UTF8.self).contains("invalid labels"))
        #expect(try count("ok2") == 1)
        // Invalid UTF-8 in a label value, written by hand: TimeSeries{labels{name "a" value 0xff}}.
        let label: [UInt8] = [0x0a, 0x01, 0x61, 0x12, 0x01, 0xff]
        let nameLabel: [UInt8] = [0x0a, 0x08] + Array("__name__".utf8) + [0x12, 0x01, 0x62]
        let sample: [UInt8] = [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07]
        var ts: [UInt8] = [0x0a, UInt8(nameLabel.count)] + nameLabel + [0x0a, UInt8(label.count)] + label
        ts += [0x12, UInt8(sample.count)] + sample
        let body: [UInt8] = [0x0a, UInt8(ts.count)] + ts
        let r2 = await write(Snappy.compress(body))
        #expect(r2.status == 400)
    }

    @Test func contentNegotiation() async {
        let body = Self.request("n", [(1000, 1)]).compressed(.v1)
        #expect(await write(body, contentType: "application/json").status == 415)
        #expect(await write(body, contentType: "application/x-protobuf;proto=io.prometheus.write.v9.Request").status == 415)
        #expect(await write(body, encoding: "gzip").status == 415)
        #expect(await write(body, contentType: "application/x-protobuf;proto=prometheus.WriteRequest").status == 204)
        let r = await api.handle(APIRequest(method: "GET", path: "/api/v1/write"))
        #expect(r.status == 405)
    }

    @Test func hugeLabelCountIsRefusedWithoutTrapping() async throws {
        var labels = [Label("__name__", "wide")]
        for i in 0..<20_000 { labels.append(Label("l\(i)", "v")) }
        let req = RemoteWriteRequest(series: [.init(labels: labels, samples: [.init(value: 1, timestamp: 1000)])])
        let r = await write(req.compressed(.v1))
        // Accepted or refused as a whole-series label problem, never a crash or 5xx.
        #expect(r.status == 204 || r.status == 400)
    }
}

/// Native histograms through `POST /api/v1/write`: counted in the 2.0 header and `/metrics`,
/// invalid ones refused with 400 and the broken rule.
@Suite struct RemoteWriteHistogramHandlerTests {
    let storage = RecordingAppendable()
    let api: API

    init() {
        api = API(storage: storage, evaluator: FakeEvaluator(), options: APIOptions(),
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    static let h = Histogram(schema: 1, zeroCount: 1, count: 4, sum: 3.5,
                             positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [1, 1])

    func write(_ req: RemoteWriteRequest, _ version: RemoteWriteVersion) async -> APIResponse {
        let type = version == .v2 ? RemoteWriteHandlerTests.v2Type : RemoteWriteHandlerTests.v1Type
        return await api.handle(APIRequest(method: "POST", path: "/api/v1/write",
                                           headers: [("Content-Type", type), ("Content-Encoding", "snappy")],
                                           body: req.compressed(version)))
    }

    @Test func v2HistogramsWrittenHeaderAndMetrics() async throws {
        let req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "lat")], histograms: [.init(timestamp: 1000, histogram: Self.h),
                                                                 .init(timestamp: 2000, histogram: Self.h)]),
        ])
        let r = await write(req, .v2)
        #expect(r.status == 204)
        #expect(r.header(API.histogramsWrittenHeader) == "2")
        #expect(r.header(API.samplesWrittenHeader) == "0")
        #expect(storage.histogramRecords.count == 2)
        let m = String(decoding: await api.handle(APIRequest(method: "GET", path: "/metrics", headers: [], body: [])).body, as: UTF8.self)
        #expect(m.contains("sundial_histograms_ingested_total 2"))
    }

    @Test func invalidHistogramIs400WithTheRule() async throws {
        var bad = Self.h
        bad.count = 1
        let req = RemoteWriteRequest(series: [
            .init(labels: [Label("__name__", "lat")], histograms: [.init(timestamp: 1000, histogram: bad),
                                                                 .init(timestamp: 2000, histogram: Self.h)]),
        ])
        let r = await write(req, .v2)
        #expect(r.status == 400)
        #expect(r.header(API.histogramsWrittenHeader) == "1")
        let text = String(decoding: r.body, as: UTF8.self)
        #expect(text.contains("1 of 2 samples rejected: 1 invalid histogram"))
        #expect(text.contains("3 observations found in buckets, but the Count field is 1"))
        let m = String(decoding: await api.handle(APIRequest(method: "GET", path: "/metrics", headers: [], body: [])).body, as: UTF8.self)
        #expect(m.contains(#"sundial_samples_rejected_total{reason="invalid_histogram"} 1"#))
        #expect(m.contains("sundial_histograms_rejected_total 1"))
    }
}
