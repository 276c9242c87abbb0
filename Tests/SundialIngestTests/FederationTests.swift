import Testing
import SundialCore
import SundialIngest
import SundialTestSupport

@Suite struct FederationTests {
    static func storage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        func add(_ l: [String: String], _ t: Timestamp, _ v: Double) throws { _ = try app.append(ref: .none, labels: Labels(l), timestamp: t, value: v) }
        try add(["__name__": "up", "job": "b", "instance": "x:1"], 90_000, 1)
        try add(["__name__": "up", "job": "a", "instance": "x:1"], 80_000, 0)
        try add(["__name__": "up", "job": "a", "instance": "x:1"], 95_000, 1)
        try add(["__name__": "temp", "room": "a \"quoted\"\\path\nnewline"], 99_000, 1234567.5)
        try add(["__name__": "tiny", "cluster": "own"], 99_000, 0.00001)
        try add(["__name__": "gone"], 99_000, StaleMarker.value)
        try add(["__name__": "old"], 1_000, 5)
        try add(["job": "nameless"], 99_000, 5)
        try add(["__name__": "neg"], 99_000, -1)
        try add(["__name__": "inf"], 99_000, -.infinity)
        try app.commit()
        return s
    }

    @Test func rendersLikePrometheus() throws {
        let f = Federation(storage: try Self.storage(), externalLabels: Labels(["cluster": "eu", "replica": "1"]), lookbackDeltaMs: 60_000)
        let out = try f.render(matcherSets: [[try LabelMatcher(.regexMatch, "__name__", ".+")], [.equal("job", "a")]], now: 100_000)
        let expected = """
            # TYPE inf untyped
            inf{cluster="eu",replica="1"} -Inf 99000
            # TYPE neg untyped
            neg{cluster="eu",replica="1"} -1 99000
            # TYPE temp untyped
            temp{room="a \\"quoted\\"\\\\path\\nnewline",cluster="eu",replica="1"} 1.2345675e+06 99000
            # TYPE tiny untyped
            tiny{cluster="own",replica="1"} 1e-05 99000
            # TYPE up untyped
            up{instance="x:1",job="a",cluster="eu",replica="1"} 1 95000
            up{instance="x:1",job="b",cluster="eu",replica="1"} 1 90000

            """
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func noSelectorsNoOutput() throws {
        let f = Federation(storage: try Self.storage())
        #expect(try f.render(matcherSets: [], now: 100_000).isEmpty)
    }

    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1, "1"), (-1, "-1"), (0.1, "0.1"), (100000, "100000"), (1e6, "1e+06"),
        (123456.5, "123456.5"), (0.0001, "0.0001"), (1.5e-5, "1.5e-05"), (Double.nan, "NaN"), (.infinity, "+Inf"),
        (1e21, "1e+21"), (-2.5, "-2.5"),
    ] as [(Double, String)])
    func values(v: Double, text: String) {
        var out: [UInt8] = []
        TextExposition.appendValue(v, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == text)
    }

    @Test func helpAndTypeLines() {
        var out: [UInt8] = []
        TextExposition.appendHelpLine(name: "m", help: "a \"b\" \\ c\nd", to: &out)
        TextExposition.appendTypeLine(name: "m", type: .counter, to: &out)
        TextExposition.appendTypeLine(name: "m", type: .stateset, to: &out)
        TextExposition.appendSample(name: "m", labels: [], value: 2, timestampMs: nil, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "# HELP m a \"b\" \\\\ c\\nd\n# TYPE m counter\n# TYPE m untyped\nm 2\n")
    }
}
