import Logging
import PromQLEngine
import SundialCore
import SundialHTTP
import SundialTestSupport
import Testing

/// The real engine behind the API: results, error types and status codes as Prometheus gives them.
@Suite struct EngineEvaluatorTests {
    let storage = MemoryStorage()
    let api: API

    init() throws {
        let a = storage.appender()
        for t in stride(from: Int64(0), through: 600_000, by: 15_000) {
            _ = try a.append(ref: .none, labels: Labels(["__name__": "c", "job": "a"]), timestamp: t, value: Double(t / 1000))
            _ = try a.append(ref: .none, labels: Labels(["__name__": "c", "job": "b"]), timestamp: t, value: Double(t / 500))
        }
        try a.commit()
        api = API(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage), options: APIOptions(),
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    func get(_ path: String, _ query: String) async -> (Int, String) {
        let r = await api.handle(APIRequest(method: "GET", path: path, query: query))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func instantAndRange() async {
        #expect(await get("/api/v1/query", "query=1%2B1&time=4") == (200, #"{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}"#))
        #expect(await get("/api/v1/query", "query=sum(c)&time=600")
            == (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[600,"1800"]}]}}"#))
        #expect(await get("/api/v1/query", "query=rate(c%5B1m%5D)&time=600")
            == (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[600,"1"]},{"metric":{"job":"b"},"value":[600,"2"]}]}}"#))
        #expect(await get("/api/v1/query_range", "query=c%7Bjob%3D%22a%22%7D&start=0&end=30&step=15")
            == (200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"c","job":"a"},"values":[[0,"0"],[15,"15"],[30,"30"]]}]}}"#))
        #expect(await get("/api/v1/query", "query=%22hi%22&time=1") == (200, #"{"status":"success","data":{"resultType":"string","result":[1,"hi"]}}"#))
    }

    @Test func errors() async {
        let (s1, b1) = await get("/api/v1/query", "query=sum(&time=1")
        #expect(s1 == 400)
        #expect(b1.hasPrefix(#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error"#))
        let (s2, b2) = await get("/api/v1/query_range", "query=c%5B1m%5D&start=0&end=1&step=1")
        #expect(s2 == 400)
        #expect(b2.contains(#"invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"#))
        // Many-to-many matching is an execution error (422).
        let (s3, b3) = await get("/api/v1/query", "query=c%20%2B%20on()%20c&time=600")
        #expect(s3 == 422)
        #expect(b3.contains(#""errorType":"execution""#))
    }

    @Test func formatAndSelectors() async {
        #expect(await get("/api/v1/format_query", "query=sum%20by(job)(rate(c%5B5m%5D))")
            == (200, #"{"status":"success","data":"sum by (job) (rate(c[5m]))"}"#))
        #expect(await get("/api/v1/series", "match[]=c%7Bjob%3D%22b%22%7D")
            == (200, #"{"status":"success","data":[{"__name__":"c","job":"b"}]}"#))
        #expect(await get("/api/v1/series", "match[]=sum(c)").0 == 400)
        #expect(await get("/api/v1/query_exemplars", "query=rate(c%5B5m%5D)") == (200, #"{"status":"success","data":[]}"#))
        #expect(await get("/api/v1/query_exemplars", "query=1%2B1") == (204, ""))
    }

    @Test func requestTimeoutBecomesTimeoutError() async {
        let (s, b) = await get("/api/v1/query", "query=c&time=600&timeout=0")
        #expect(s == 503)
        #expect(b.contains(#""errorType":"timeout""#))
    }
}

/// Native histograms from storage through the engine to the JSON API.
@Suite struct EngineEvaluatorHistogramTests {
    let storage = MemoryStorage()
    let api: API

    init() throws {
        let a = storage.appender()
        for (i, t) in stride(from: Int64(0), through: 60_000, by: 15_000).enumerated() {
            let n = UInt64(i)
            let h = Histogram(schema: 0, zeroThreshold: 0.001, zeroCount: n, count: 3 * n, sum: Double(i) * 1.5,
                              positiveSpans: [HistogramSpan(offset: 0, length: 2)], positiveBuckets: [Int64(n), 0])
            _ = try a.appendHistogram(ref: .none, labels: Labels(["__name__": "h", "job": "a"]), timestamp: t, histogram: h, floatHistogram: nil)
        }
        try a.commit()
        api = API(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage), options: APIOptions(),
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    func get(_ path: String, _ query: String) async -> (Int, String) {
        let r = await api.handle(APIRequest(method: "GET", path: path, query: query))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func rawHistogramsInVectorAndMatrix() async {
        #expect(await get("/api/v1/query", "query=h&time=60")
            == (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"h","job":"a"},"histogram":[60,{"count":"12","sum":"6","buckets":[[3,"-0.001","0.001","4"],[0,"0.5","1","4"],[0,"1","2","4"]]}]}]}}"#))
        #expect(await get("/api/v1/query_range", "query=h&start=0&end=15&step=15")
            == (200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"h","job":"a"},"histograms":[[0,{"count":"0","sum":"0"}],[15,{"count":"3","sum":"1.5","buckets":[[3,"-0.001","0.001","1"],[0,"0.5","1","1"],[0,"1","2","1"]]}]]}]}}"#))
        #expect(await get("/api/v1/query", "query=h%5B20s%5D&time=60")
            == (200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"h","job":"a"},"histograms":[[45,{"count":"9","sum":"4.5","buckets":[[3,"-0.001","0.001","3"],[0,"0.5","1","3"],[0,"1","2","3"]]}],[60,{"count":"12","sum":"6","buckets":[[3,"-0.001","0.001","4"],[0,"0.5","1","4"],[0,"1","2","4"]]}]]}]}}"#))
        #expect(await get("/api/v1/query", "query=histogram_count(h)&time=60")
            == (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[60,"12"]}]}}"#))
    }
}
