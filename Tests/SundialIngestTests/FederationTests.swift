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

/// Golden test against Prometheus 2.42's own `/federate` output
/// (`testdata/remote-write/federate-capture.sh`): the file's samples are loaded into storage
/// (without the external label Prometheus appended) and Sundial must render the same bytes.
@Suite struct FederationGoldenTests {
    /// Parses one sample line of the text format: name, labels (unescaped, in order), value, timestamp.
    static func parse(_ line: Substring) -> (String, [Label], Double, Int64)? {
        var i = line.startIndex
        var name = ""
        while i < line.endIndex, line[i] != "{", line[i] != " " { name.append(line[i]); i = line.index(after: i) }
        var labels: [Label] = []
        if i < line.endIndex, line[i] == "{" {
            i = line.index(after: i)
            while i < line.endIndex, line[i] != "}" {
                var ln = ""
                while line[i] != "=" { ln.append(line[i]); i = line.index(after: i) }
                i = line.index(i, offsetBy: 2)  // ="
                var lv = ""
                while line[i] != "\"" {
                    if line[i] == "\\" {
                        i = line.index(after: i)
                        lv.append(line[i] == "n" ? "\n" : line[i])
                    } else {
                        lv.append(line[i])
                    }
                    i = line.index(after: i)
                }
                i = line.index(after: i)
                labels.append(Label(ln, lv))
                if line[i] == "," { i = line.index(after: i) }
            }
            i = line.index(after: i)
        }
        let rest = line[i...].split(separator: " ")
        guard rest.count == 2, let t = Int64(rest[1]) else { return nil }
        let v: Double
        switch rest[0] {
        case "+Inf": v = .infinity
        case "-Inf": v = -.infinity
        case "NaN": v = .nan
        default:
            guard let d = Double(String(rest[0])) else { return nil }
            v = d
        }
        return (name, labels, v, t)
    }

    @Test func matchesPrometheusByteForByte() throws {
        let golden = try Testdata.bytes("remote-write/prometheus-2.42-federate.txt")
        let text = String(decoding: golden, as: UTF8.self)
        let storage = MemoryStorage()
        let app = storage.appender()
        var newest: Int64 = 0
        var lines = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let (name, labels, v, t) = try #require(Self.parse(line), "\(line)")
            #expect(labels.last == Label("fixture", "sundial"))
            let stored = Labels(labels.dropLast() + [Label("__name__", name)])
            _ = try app.append(ref: .none, labels: stored, timestamp: t, value: v)
            newest = max(newest, t)
            lines += 1
        }
        try app.commit()
        #expect(lines > 100)
        let f = Federation(storage: storage, externalLabels: Labels(["fixture": "sundial"]))
        let out = try f.render(matcherSets: [[.equal("job", "prom")]], now: newest + 1000)
        #expect(String(decoding: out, as: UTF8.self) == text)
    }
}

/// Native histograms in `/federate`: the text format cannot carry them (Prometheus 2.42 serves
/// them only as protobuf), so a series whose newest sample is a histogram is left out.
@Suite struct FederationHistogramTests {
    @Test func seriesEndingInAHistogramAreLeftOut() throws {
        let s = MemoryStorage()
        let app = s.appender()
        let h = Histogram(schema: 0, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [1])
        // Float then histogram: the histogram is newest, the series is left out.
        _ = try app.append(ref: .none, labels: Labels(["__name__": "switched"]), timestamp: 90_000, value: 1)
        _ = try app.appendHistogram(ref: .none, labels: Labels(["__name__": "switched"]), timestamp: 95_000, histogram: h, floatHistogram: nil)
        // Histogram then float: the float is newest and served.
        _ = try app.appendHistogram(ref: .none, labels: Labels(["__name__": "back"]), timestamp: 90_000, histogram: h, floatHistogram: nil)
        _ = try app.append(ref: .none, labels: Labels(["__name__": "back"]), timestamp: 95_000, value: 2)
        // Histograms only.
        _ = try app.appendHistogram(ref: .none, labels: Labels(["__name__": "hist"]), timestamp: 99_000, histogram: h, floatHistogram: nil)
        try app.commit()
        let out = try Federation(storage: s, lookbackDeltaMs: 60_000)
            .render(matcherSets: [[try LabelMatcher(.regexMatch, "__name__", ".+")]], now: 100_000)
        #expect(String(decoding: out, as: UTF8.self) == "# TYPE back untyped\nback 2 95000\n")
    }
}
