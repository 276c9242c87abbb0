import SundialCore
import Testing

@Suite struct LabelsTests {
    @Test func sortsAndDeduplicates() {
        let l = Labels([Label("b", "2"), Label("a", "1"), Label("__name__", "up"), Label("a", "3")])
        #expect(l.map(\.name) == ["__name__", "a", "b"])
        #expect(l["a"] == "3")
        #expect(l.metricName == "up")
        #expect(l.description == #"{__name__="up", a="3", b="2"}"#)
    }

    @Test func comparesLikePrometheus() {
        let a = Labels(["a": "1"]), b = Labels(["a": "1", "b": "1"]), c = Labels(["a": "2"])
        #expect(a < b)
        #expect(b < c)
        #expect(Labels.compare(a, a) == 0)
    }

    @Test func settingAndRemoving() {
        let l = Labels(["__name__": "x", "job": "j"])
        #expect(l.setting("instance", to: "i").description == #"{__name__="x", instance="i", job="j"}"#)
        #expect(l.setting("job", to: "").description == #"{__name__="x"}"#)
        #expect(l.droppingMetricName.description == #"{job="j"}"#)
    }

    @Test func goQuote() {
        #expect(GoQuote.quote("a\"b\\c\nd\u{1}é") == #""a\"b\\c\nd\u0001é""#)
    }
}

@Suite struct LabelMatcherTests {
    @Test func regexIsAnchored() throws {
        let m = try LabelMatcher(.regexMatch, "job", "api|web")
        #expect(m.matches("api"))
        #expect(!m.matches("xapi"))
        #expect(m.literalAlternatives == ["api", "web"])
        let p = try LabelMatcher(.regexMatch, "h", "/api/.*")
        #expect(p.literalPrefix == "/api/")
        #expect(p.matches("/api/v1"))
        #expect(!p.matches("/apx"))
        let q = try LabelMatcher(.regexMatch, "h", "ab*")
        #expect(q.literalPrefix == "a")
        #expect(q.matches("a"))
    }

    @Test func emptyMatching() throws {
        #expect(try LabelMatcher(.regexMatch, "x", ".*").matchesEmpty)
        #expect(try LabelMatcher(.notEqual, "x", "a").matchesEmpty)
        #expect(!LabelMatcher.equal("x", "a").matchesEmpty)
    }

    @Test func invalidRegexThrows() {
        #expect(throws: RegexError.self) { try LabelMatcher(.regexMatch, "x", "(a") }
    }

    @Test func dotAndNewline() throws {
        #expect(!(try LabelMatcher(.regexMatch, "x", "a.b").matches("a\nb")))
        #expect(try LabelMatcher(.regexMatch, "x", "a.b", dotMatchesNewline: true).matches("a\nb"))
    }

    @Test func captureGroups() throws {
        let re = try RE2Regex(anchoring: "(.*)-(\\d+)")
        let g = try #require(re.fullMatchGroups("abc-42"))
        #expect(g.count == 3)
        #expect(g[1] == 0..<3)
        #expect(g[2] == 4..<6)
        #expect(re.fullMatchGroups("nope") == nil)
    }

    @Test func staleMarkerBits() {
        #expect(StaleMarker.isStale(StaleMarker.value))
        #expect(!StaleMarker.isStale(.nan))
    }
}
