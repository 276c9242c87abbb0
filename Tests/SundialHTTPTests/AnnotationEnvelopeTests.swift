import Logging
import PromQLEngine
import SundialCore
import SundialHTTP
import SundialTestSupport
import Testing

/// PromQL annotations in the API envelope: `warnings` and `infos` after `data`, with `(line:col)`,
/// as Prometheus 3 returns them; nothing with the default (2.42) engine.
@Suite struct AnnotationEnvelopeTests {
    let storage = MemoryStorage()

    init() throws {
        let a = storage.appender()
        for t in stride(from: Int64(0), through: 600_000, by: 15_000) {
            _ = try a.append(ref: .none, labels: Labels(["__name__": "c", "job": "a"]), timestamp: t, value: Double(t / 1000))
        }
        try a.commit()
    }

    func get(_ engine: Engine, _ path: String, _ query: String) async -> (Int, String) {
        let api = API(storage: storage, evaluator: EngineEvaluator(engine: engine, storage: storage), options: APIOptions(),
                      metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
        let r = await api.handle(APIRequest(method: "GET", path: path, query: query))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func infosAndWarnings() async {
        let v3 = Engine(options: EngineOptions(semantics: .prometheus3))
        // v3's left-open window holds 4 samples (45 s apart): 45 × ((60 / 45) / 60), the factor
        // rounded first as Prometheus does, is 0.9999999999999999.
        #expect(await get(v3, "/api/v1/query", "query=rate(c%5B1m%5D)&time=600") == (200,
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[600,"0.9999999999999999"]}]},"#
            + #""infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"c\" (1:6)"]}"#))
        #expect(await get(v3, "/api/v1/query_range", "query=sort(quantile(2,c))&start=0&end=15&step=15") == (200,
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0,"+Inf"],[15,"+Inf"]]}]},"#
            + #""warnings":["PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)","#
            + #""PromQL warning: quantile value should be between 0 and 1, got 2 (1:15)"]}"#))
        // Prometheus 2.42 had no PromQL annotations.
        #expect(await get(Engine(), "/api/v1/query", "query=rate(c%5B1m%5D)&time=600") == (200,
            #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[600,"1"]}]}}"#))
    }
}
