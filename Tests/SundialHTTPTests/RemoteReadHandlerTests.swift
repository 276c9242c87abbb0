import Logging
import SundialCore
import SundialEncoding
import SundialHTTP
import SundialIngest
import SundialTestSupport
import Testing

/// `POST /api/v1/read` and `GET /federate` through ``API/handle(_:)``.
@Suite struct RemoteReadHandlerTests {
    let storage = MemoryStorage()
    let api: API

    init() throws {
        let a = storage.appender()
        for i in 0..<3 {
            _ = try a.append(ref: .none, labels: Labels(["__name__": "rr", "i": "\(i)"]), timestamp: 1000, value: Double(i))
            _ = try a.append(ref: .none, labels: Labels(["__name__": "rr", "i": "\(i)"]), timestamp: 2000, value: Double(i) + 1)
        }
        try a.commit()
        api = API(storage: storage, evaluator: FakeEvaluator(), options: APIOptions(),
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    func read(_ body: [UInt8]) async -> APIResponse {
        await api.handle(APIRequest(method: "POST", path: "/api/v1/read",
                                    headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")], body: body))
    }

    @Test func samplesResponse() async throws {
        let req = RemoteReadRequest(queries: [.init(startMs: 0, endMs: 5000, matchers: [.equal("__name__", "rr")])])
        let r = await read(req.compressed())
        #expect(r.status == 200)
        #expect(r.header("Content-Encoding") == "snappy")
        #expect(r.header("Content-Type") == "application/x-protobuf")
        // Decompresses to a ReadResponse holding 3 series (checked by size: non-trivial, valid snappy).
        var out: [UInt8] = []
        try r.body.withUnsafeBytes { try Snappy.decompress($0, into: &out) }
        #expect(out.count > 60)
    }

    @Test func streamedResponse() async throws {
        let req = RemoteReadRequest(queries: [.init(startMs: 0, endMs: 5000, matchers: [.equal("__name__", "rr")])],
                                    acceptedResponseTypes: [1])
        let r = await read(req.compressed())
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse")
        #expect(r.stream != nil)
        #expect(!(try await r.collectBody()).isEmpty)
    }

    @Test func badReadBodies() async {
        #expect(await read([1, 2, 3, 4]).status == 400)
        #expect(await read(Snappy.compress([0x0a, 0xff, 0x01])).status == 400)
        let unsupported = RemoteReadRequest(queries: [.init(startMs: 0, endMs: 1, matchers: [.equal("__name__", "rr")])],
                                            acceptedResponseTypes: [7])
        #expect(await read(unsupported.compressed()).status == 400)
    }

    @Test func federate() async {
        // Old samples are outside federation's 5-minute lookback from now: an empty but valid answer.
        let r = await api.handle(APIRequest(method: "GET", path: "/federate", query: "match[]=rr"))
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let bad = await api.handle(APIRequest(method: "GET", path: "/federate", query: "match[]=a%20b"))
        #expect(bad.status == 400)
        let none = await api.handle(APIRequest(method: "GET", path: "/federate"))
        #expect(none.status == 200 && none.body.isEmpty)
    }
}
