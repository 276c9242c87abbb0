import Logging
import PromQLEngine
import SundialCore
@testable import SundialHTTP
import SundialTestSupport
import Testing

/// `/api/v1/status/tsdb`: Prometheus 2.42's body plus VictoriaMetrics's `totalSeries`,
/// `totalLabelValuePairs`, `seriesCountByLabelName` and, with `focusLabel`, `seriesCountByFocusLabelValue`;
/// `match[]`, `limit`/`topN` and `date` parameters and their errors.
@Suite struct TSDBStatusTests {
    let storage = MemoryStorage()
    let api: API

    init() throws {
        let a = storage.appender()
        for (job, inst) in [("node", "a"), ("node", "b"), ("app", "c")] {
            _ = try a.append(ref: .none, labels: Labels(["__name__": "up", "job": job, "instance": inst]), timestamp: 1000, value: 1)
        }
        // 2023-01-02T00:00:00Z.
        _ = try a.append(ref: .none, labels: Labels(["__name__": "other", "job": "node"]), timestamp: 1_672_617_600_000, value: 5)
        try a.commit()
        api = API(storage: storage, evaluator: EngineEvaluator(engine: Engine(), storage: storage), options: APIOptions(),
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    func get(_ query: String) async -> (Int, String) {
        let r = await api.handle(APIRequest(method: "GET", path: "/api/v1/status/tsdb", query: query))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func wholeStorageBody() async {
        let (s, b) = await get("limit=2")
        #expect(s == 200)
        #expect(b == #"{"status":"success","data":{"headStats":{"numSeries":4,"numLabelPairs":7,"chunkCount":0,"minTime":1000,"maxTime":1672617600000},"#
            + #""seriesCountByMetricName":[{"name":"up","value":3},{"name":"other","value":1}],"#
            + #""labelValueCountByLabelName":[{"name":"instance","value":3},{"name":"__name__","value":2}],"#
            + #""memoryInBytesByLabelName":[{"name":"__name__","value":7},{"name":"job","value":7}],"#
            + #""seriesCountByLabelValuePair":[{"name":"__name__=up","value":3},{"name":"job=node","value":3}],"#
            + #""seriesCountByLabelName":[{"name":"__name__","value":4},{"name":"job","value":4}],"#
            + #""totalSeries":4,"totalLabelValuePairs":7}}"#)
    }

    @Test func matchFocusAndDate() async {
        let (s, b) = await get("match[]=%7Bjob%3D%22node%22%7D&focusLabel=instance&topN=5")
        #expect(s == 200)
        #expect(b.contains(#""seriesCountByFocusLabelValue":[{"name":"a","value":1},{"name":"b","value":1}]"#), "\(b)")
        #expect(b.contains(#""totalSeries":3,"#))
        let (s2, b2) = await get("date=2023-01-02")
        #expect(s2 == 200)
        #expect(b2.contains(#""seriesCountByMetricName":[{"name":"other","value":1}]"#), "\(b2)")
        #expect(b2.contains(#""totalSeries":1,"#))
        let (_, b3) = await get("date=2023-01-03")
        #expect(b3.contains(#""totalSeries":0,"#))
    }

    @Test func badParameters() async {
        for q in ["limit=0", "limit=x", "topN=100001", "date=2023-13-01", "date=2023-02-29", "date=yesterday",
                  "match[]=%7B%7D", "match[]=sum(up)"] {
            let (s, b) = await get(q)
            #expect(s == 400, "\(q)")
            #expect(b.contains(#""errorType":"bad_data""#), "\(q): \(b)")
        }
    }

    @Test func parseDay() {
        #expect(API.parseDay("1970-01-01") == 0)
        #expect(API.parseDay("2023-01-02") == 1_672_617_600_000)
        #expect(API.parseDay("2024-02-29") == 1_709_164_800_000)
        #expect(API.parseDay("2023-02-29") == nil)
        #expect(API.parseDay("2023-1-01") == nil)
    }
}
