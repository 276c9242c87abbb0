import Logging
import SundialCore
import SundialHTTP
import SundialTestSupport
import Testing

@Suite struct APITests {
    let storage = MemoryStorage()
    let api: API

    init() throws {
        let a = storage.appender()
        for (job, inst, v) in [("node", "a", 1.0), ("node", "b", 2.0), ("app", "c", 3.0)] {
            _ = try a.append(ref: .none, labels: Labels(["__name__": "up", "job": job, "instance": inst]), timestamp: 1000, value: v)
        }
        _ = try a.append(ref: .none, labels: Labels(["__name__": "other", "job": "node"]), timestamp: 2000, value: 5)
        a.appendMetadata(MetricMetadata(metricFamily: "up", type: .gauge, help: "Up or not.", unit: ""))
        try a.commit()
        var options = APIOptions()
        options.flags = [("web.listen-address", ":9090")]
        options.configYAML = "storage:\n  path: x\n"
        api = API(storage: storage, evaluator: FakeEvaluator(), options: options,
                  metrics: ServerMetrics(startTimeSeconds: 0), logger: Logger(label: "test"))
    }

    func get(_ path: String, _ query: String = "") async -> (Int, String) {
        let r = await api.handle(APIRequest(method: "GET", path: path, query: query))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    func post(_ path: String, _ form: String) async -> (Int, String) {
        let r = await api.handle(APIRequest(method: "POST", path: path, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                            body: Array(form.utf8)))
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func labelNames() async {
        #expect(await get("/api/v1/labels") == (200, #"{"status":"success","data":["__name__","instance","job"]}"#))
        #expect(await get("/api/v1/labels", "match[]=other") == (200, #"{"status":"success","data":["__name__","job"]}"#))
        #expect(await post("/api/v1/labels", "match[]=other&limit=1")
            == (200, #"{"status":"success","data":["__name__"],"warnings":["results truncated due to limit"]}"#))
    }

    @Test func labelValues() async {
        #expect(await get("/api/v1/label/__name__/values") == (200, #"{"status":"success","data":["other","up"]}"#))
        #expect(await get("/api/v1/label/job/values", "match[]=up%7Bjob%3D%22node%22%7D")
            == (200, #"{"status":"success","data":["node"]}"#))
        #expect(await get("/api/v1/label/1bad/values")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid label name: \"1bad\""}"#))
        #expect(await get("/api/v1/label/nope/values") == (200, #"{"status":"success","data":[]}"#))
    }

    @Test func series() async {
        #expect(await get("/api/v1/series")
            == (400, #"{"status":"error","errorType":"bad_data","error":"no match[] parameter provided"}"#))
        #expect(await get("/api/v1/series", "match[]=up%7Bjob%3D%22app%22%7D&match[]=other")
            == (200, #"{"status":"success","data":[{"__name__":"other","job":"node"},{"__name__":"up","instance":"c","job":"app"}]}"#))
        #expect(await get("/api/v1/series", "match[]=%7Bjob%3D%22%22%7D")
            == (400, #"{"status":"error","errorType":"bad_data","error":"match[] must contain at least one non-empty matcher"}"#))
        #expect(await get("/api/v1/series", "match[]=up&start=abc")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": Invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"}"#))
    }

    @Test func metadata() async {
        #expect(await get("/api/v1/metadata")
            == (200, #"{"status":"success","data":{"up":[{"type":"gauge","help":"Up or not.","unit":""}]}}"#))
        #expect(await get("/api/v1/metadata", "metric=nope") == (200, #"{"status":"success","data":{}}"#))
        #expect(await get("/api/v1/metadata", "limit=x")
            == (400, #"{"status":"error","errorType":"bad_data","error":"limit must be a number"}"#))
    }

    @Test func instantQuery() async {
        #expect(await get("/api/v1/query", "query=1%2B1&time=4") == (200, #"{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}"#))
        #expect(await post("/api/v1/query", "query=1%2B1&time=4.5") == (200, #"{"status":"success","data":{"resultType":"scalar","result":[4.5,"2"]}}"#))
        #expect(await get("/api/v1/query", "query=up&time=x")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": Invalid time value for 'time': cannot parse \"x\" to a valid timestamp"}"#))
        #expect(await get("/api/v1/query")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error: no expression found in input"}"#))
        #expect(await get("/api/v1/query", "query=fail") == (422, #"{"status":"error","errorType":"execution","error":"boom"}"#))
        #expect(await get("/api/v1/query", "query=slow").0 == 503)
        #expect(await get("/api/v1/query", "query=up&timeout=zz")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"timeout\": cannot parse \"zz\" to a valid duration"}"#))
    }

    @Test func rangeQueryValidation() async {
        #expect(await post("/api/v1/query_range", "query=q&start=0&end=2&step=1")
            == (200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"q"},"values":[[0,"0"],[1,"1"],[2,"2"]]}]}}"#))
        #expect(await get("/api/v1/query_range", "query=q&start=10&end=2&step=1")
            == (400, #"{"status":"error","errorType":"bad_data","error":"end timestamp must not be before start time"}"#))
        #expect(await get("/api/v1/query_range", "query=q&start=1&end=2&step=0")
            == (400, #"{"status":"error","errorType":"bad_data","error":"zero or negative query resolution step widths are not accepted. Try a positive integer"}"#))
        #expect(await get("/api/v1/query_range", "query=q&start=0&end=11001&step=1")
            == (400, #"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}"#))
        #expect(await get("/api/v1/query_range", "query=q&start=0&end=11000&step=1").0 == 200)
        #expect(await get("/api/v1/query_range", "query=q&end=1&step=1")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"\" to a valid timestamp"}"#))
        #expect(await get("/api/v1/query_range", "query=q&start=0&end=1&step=1x")
            == (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": cannot parse \"1x\" to a valid duration"}"#))
        #expect(await get("/api/v1/query_range", "query=q&start=0&end=60&step=15s").0 == 200)
    }

    @Test func formatAndExemplars() async {
        #expect(await get("/api/v1/format_query", "query=sum(up)") == (200, #"{"status":"success","data":"sum(up)"}"#))
        #expect(await get("/api/v1/format_query").0 == 400)
        #expect(await get("/api/v1/query_exemplars", "query=test&start=1&end=2") == (200, #"{"status":"success","data":[]}"#))
        #expect(await get("/api/v1/query_exemplars", "query=1&start=1&end=2") == (204, ""))  // 2.42: no data, no content
        #expect(await get("/api/v1/query_exemplars", "query=x&start=3&end=2").0 == 400)
    }

    @Test func statusEndpoints() async {
        let (s1, b1) = await get("/api/v1/status/buildinfo")
        #expect(s1 == 200 && b1.contains(#""version":"2.42.0""#))
        #expect(await get("/api/v1/status/flags") == (200, #"{"status":"success","data":{"web.listen-address":":9090"}}"#))
        #expect(await get("/api/v1/status/config") == (200, #"{"status":"success","data":{"yaml":"storage:\n  path: x\n"}}"#))
        let (s2, b2) = await get("/api/v1/status/runtimeinfo")
        #expect(s2 == 200 && b2.contains(#""storageRetention":"15d""#))
        let (s3, b3) = await get("/api/v1/status/tsdb")
        #expect(s3 == 200)
        #expect(b3.hasPrefix(#"{"status":"success","data":{"headStats":{"numSeries":4,"#))
        #expect(b3.contains(#""seriesCountByMetricName":[{"name":"up","value":3},{"name":"other","value":1}]"#))
        #expect(await get("/api/v1/rules") == (200, #"{"status":"success","data":{"groups":[]}}"#))
        #expect(await get("/api/v1/alerts") == (200, #"{"status":"success","data":{"alerts":[]}}"#))
    }

    @Test func routingAndProbes() async {
        #expect(await get("/nope").0 == 404)
        #expect(await get("/api/v1/label//values").0 == 404)
        #expect(await get("/api/v1/labels/x").0 == 404)
        #expect(await get("/-/healthy").0 == 200)
        #expect(await get("/-/ready").0 == 503)
        api.setReady(true)
        #expect(await get("/-/ready").0 == 200)
        #expect(await post("/api/v1/admin/tsdb/snapshot", "")
            == (503, #"{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}"#))
        #expect(await post("/api/v1/labels", "match[]=%zz").0 == 400)
    }

    @Test func selfMetrics() async {
        _ = await get("/api/v1/labels")
        _ = await get("/nope")
        let (s, body) = await get("/metrics")
        #expect(s == 200)
        #expect(body.contains(#"sundial_http_requests_total{code="200",handler="/api/v1/labels"} 1"#))
        #expect(body.contains(#"sundial_http_requests_total{code="404",handler="other"} 1"#))
        #expect(body.contains("# TYPE sundial_http_request_duration_seconds histogram"))
        #expect(body.contains(#"sundial_http_request_duration_seconds_bucket{handler="/api/v1/labels",le="+Inf"} 1"#))
    }
}
