import SundialHTTP
import Testing

@Suite struct FormParamsTests {
    @Test func decodesURLForm() throws {
        var p = FormParams()
        try p.parse(urlEncoded: Array("query=sum%28up%29+by+%28job%29&match[]=a&match%5B%5D=b&empty=&flag".utf8))
        #expect(p.value("query") == "sum(up) by (job)")
        #expect(p.values("match[]") == ["a", "b"])
        #expect(p.value("empty") == "")
        #expect(p.has("empty"))
        #expect(p.has("flag"))
        #expect(p.value("missing") == "")
    }

    @Test func bodyValuesComeFirst() throws {
        let r = APIRequest(method: "POST", path: "/api/v1/labels", query: "match[]=url&start=1",
                           headers: [("Content-Type", "application/x-www-form-urlencoded")],
                           body: Array("match[]=body&start=2".utf8))
        let p = try r.formParams()
        #expect(p.values("match[]") == ["body", "url"])
        #expect(p.value("start") == "2")
        // GET ignores the body.
        let g = APIRequest(method: "GET", path: "/", query: "a=1", headers: [("Content-Type", "application/x-www-form-urlencoded")],
                           body: Array("a=2".utf8))
        #expect(try g.formParams().value("a") == "1")
    }

    @Test(arguments: ["a=%zz", "a=%4", "a=%", "%ff=1"])
    func rejectsBadEscapes(_ s: String) {
        var p = FormParams()
        #expect(throws: APIError.self) { try p.parse(urlEncoded: Array(s.utf8)) }
    }

    @Test func labelNameRules() {
        #expect(LabelNames.isValidLegacy("job"))
        #expect(LabelNames.isValidLegacy("_a1"))
        #expect(!LabelNames.isValidLegacy("1a"))
        #expect(!LabelNames.isValidLegacy(""))
        #expect(!LabelNames.isValidLegacy("a.b"))
        #expect(LabelNames.unescapeValuePath("U__a_2e_b") == "a.b")
        #expect(LabelNames.unescapeValuePath("U__a__b") == "a_b")
        #expect(LabelNames.unescapeValuePath("U___1f600_") == "😀")
        #expect(LabelNames.unescapeValuePath("plain") == "plain")
        #expect(LabelNames.unescapeValuePath("U__a_zz_") == "U__a_zz_")
    }
}
