import SundialCore
import SundialHTTP
import Testing

@Suite struct JSONWriterTests {
    private func text(_ f: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        f(&w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test(arguments: [
        (Int64(1_435_781_451_781), "1435781451.781"), (1500, "1.5"), (2000, "2"), (5, "0.005"), (50, "0.05"),
        (0, "0"), (-1500, "-1.5"), (-5, "-0.005"), (1_000_001, "1000.001"), (120, "0.12"),
    ])
    func timestamps(_ ms: Int64, _ expected: String) {
        #expect(text { $0.timestamp(ms) } == expected)
    }

    @Test func escapesLikeGoEncodingJSON() {
        #expect(text { $0.string("a\"b\\c\nd\te\r<>&\u{01}\u{2028}\u{2029}é") }
            == #""a\"b\\c\nd\te\r\u003c\u003e\u0026\u0001\u2028\u2029é""#)
        #expect(text { $0.string("") } == #""""#)
    }

    @Test func pointsAndLabels() {
        #expect(text { $0.point(1000, 1e6) } == #"[1,"1000000"]"#)
        #expect(text { $0.point(1, .nan) } == #"[0.001,"NaN"]"#)
        #expect(text { $0.labels(Labels(["job": "a", "__name__": "up"])) } == #"{"__name__":"up","job":"a"}"#)
        #expect(text { $0.labels(Labels()) } == "{}")
        #expect(text { $0.stringArray(["a", "b"]) } == #"["a","b"]"#)
        #expect(text { $0.int(Int64.min) } == "-9223372036854775808")
    }

    @Test func queryDataShapes() {
        let l = Labels(["__name__": "up"])
        #expect(text { QueryData(.scalar(4000, 2)).writeJSON(to: &$0) } == #"{"resultType":"scalar","result":[4,"2"]}"#)
        // Scalars in 'f' layout, as Prometheus's Scalar.MarshalJSON (points switch to 'e' below 1e-6).
        #expect(text { QueryData(.scalar(4000, 5.65e-10)).writeJSON(to: &$0) } == #"{"resultType":"scalar","result":[4,"0.000000000565"]}"#)
        #expect(text { QueryData(.scalar(4000, 1e22)).writeJSON(to: &$0) } == #"{"resultType":"scalar","result":[4,"10000000000000000000000"]}"#)
        #expect(text { QueryData(.scalar(4000, -.infinity)).writeJSON(to: &$0) } == #"{"resultType":"scalar","result":[4,"-Inf"]}"#)
        #expect(text { QueryData(.string(4000, "x")).writeJSON(to: &$0) } == #"{"resultType":"string","result":[4,"x"]}"#)
        #expect(text { QueryData(.vector([.init(labels: l, timestamp: 1500, value: 1)])).writeJSON(to: &$0) }
            == #"{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1.5,"1"]}]}"#)
        #expect(text {
            QueryData(.matrix([.init(labels: l, timestamps: [1000, 2000], values: [1, .infinity])])).writeJSON(to: &$0)
        } == #"{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[1,"1"],[2,"+Inf"]]}]}"#)
        #expect(text { QueryData(.vector([])).writeJSON(to: &$0) } == #"{"resultType":"vector","result":[]}"#)
    }

    @Test func envelopes() {
        let ok = APIEnvelope.success(warnings: ["w"]) { $0.raw("[]") }
        #expect(String(decoding: ok, as: UTF8.self) == #"{"status":"success","data":[],"warnings":["w"]}"#)
        let err = APIEnvelope.error(APIError(.execution, "boom"))
        #expect(String(decoding: err, as: UTF8.self) == #"{"status":"error","errorType":"execution","error":"boom"}"#)
    }
}
