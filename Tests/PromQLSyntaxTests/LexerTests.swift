import PromQLSyntax
import SundialCore
import Testing

/// Literal decoding (numbers, durations, strings) as the lexer and parser produce it.
@Suite struct LexerTests {
    static func number(_ q: String, _ options: ParserOptions = .prometheus2) throws -> Double? {
        guard case .number(let n) = try Parser.parse(q, options: options) else { return nil }
        return n.value
    }

    @Test(arguments: [
        ("1", 1.0), ("0x1f", 31.0), ("0X1F", 31.0), ("017", 15.0), ("019", 19.0), ("1e3", 1000.0), ("1E-3", 0.001),
        ("1e+3", 1000.0), (".5", 0.5), ("5.", 5.0), ("-.5e1", -5.0), ("9999999999999999999", 1e19),
        ("0.1", 0.1), ("-0", -0.0),
    ] as [(String, Double)])
    func numbers(_ text: String, _ value: Double) throws {
        #expect(try Self.number(text) == value)
    }

    @Test func infinitiesAndNaNInAnyCase() throws {
        for t in ["Inf", "inf", "INF", "iNf", "+Inf"] { #expect(try Self.number(t) == .infinity) }
        #expect(try Self.number("-inf") == -.infinity)
        for t in ["NaN", "nan", "NAN"] { #expect(try Self.number(t)?.isNaN == true) }
        // Only `inf`/`nan` are number keywords: `Infinity` is a metric name.
        guard case .vectorSelector(let vs) = try Parser.parse("Infinity") else {
            Issue.record("Infinity should be a selector")
            return
        }
        #expect(vs.name == "Infinity")
    }

    @Test func underscoresOnlyInV3() throws {
        #expect(try Self.number("1_000_000", .v3) == 1_000_000)
        #expect((try? Parser.parse("0x_ff", options: .v3)) == nil)
        #expect(throws: ParseError.self) { try Parser.parse("1_000") }
        #expect(throws: ParseError.self) { try Parser.parse("1__0", options: .v3) }
    }

    static func string(_ q: String) throws -> String? {
        guard case .string(let s) = try Parser.parse(q) else { return nil }
        return s.value
    }

    @Test(arguments: [
        (#""a\"b""#, "a\"b"), (#"'a\'b'"#, "a'b"), ("`a\\nb`", "a\\nb"), (#""\a\b\f\n\r\t\v\\""#, "\u{07}\u{08}\u{0C}\n\r\t\u{0B}\\"),
        (#""\x41\102\u00e9\U0001F600""#, "ABé😀"), (#""日本語""#, "日本語"), ("`multi\nline`", "multi\nline"),
        (#""\u263A""#, "☺"), (#""\377""#, "\u{FFFD}"),
    ] as [(String, String)])
    func strings(_ text: String, _ value: String) throws {
        #expect(try Self.string(text) == value)
    }

    /// Escapes that leave invalid UTF-8 keep the decoded bytes beside the U+FFFD value, so the
    /// engine can check and print the name as Go does (`invalid label name "a\xc5z"`).
    @Test func invalidUTF8BytesAreKept() throws {
        guard case .string(let bad) = try Parser.parse(#""a\xc5z""#) else { Issue.record("not a string"); return }
        #expect(bad.value == "a\u{FFFD}z")
        #expect(bad.invalidUTF8Bytes == [0x61, 0xC5, 0x7A])
        guard case .string(let octal) = try Parser.parse(#"'\303\251'"#) else { Issue.record("not a string"); return }
        #expect(octal.value == "é")
        #expect(octal.invalidUTF8Bytes == nil)
        guard case .string(let plain) = try Parser.parse(#""a\u00e9""#) else { Issue.record("not a string"); return }
        #expect(plain.invalidUTF8Bytes == nil)
    }

    @Test(arguments: [
        #""\q""#, #"'\"'"#, #""\'""#, #""\400""#, #""\xZZ""#, #""\uD800""#, #""\U00110000""#, "\"unterminated",
        "'new\nline'", "`unterminated", #""\"#, #""\u12""#,
    ])
    func badStrings(_ text: String) {
        #expect(throws: ParseError.self) { try Parser.parse(text) }
    }

    static func rangeMs(_ q: String) throws -> Int64? {
        guard case .matrixSelector(let m) = try Parser.parse(q) else { return nil }
        return m.rangeMs
    }

    @Test(arguments: [
        ("x[1ms]", Int64(1)), ("x[1s]", 1000), ("x[1m]", 60_000), ("x[1h]", 3_600_000), ("x[1d]", 86_400_000),
        ("x[1w]", 604_800_000), ("x[1y]", 31_536_000_000), ("x[1h30m]", 5_400_000), ("x[1y2w3d4h5m6s7ms]", 33_019_506_007),
        ("x[292y]", 292 * 31_536_000_000),
    ] as [(String, Int64)])
    func durations(_ q: String, _ ms: Int64) throws {
        #expect(try Self.rangeMs(q) == ms)
    }

    @Test(arguments: ["x[1m1h]", "x[1h1h]", "x[1.5m]", "x[0s]", "x[300y]", "x[5]", "x[1msm]", "x[1x]", "x[m]", "x[]"])
    func badDurations(_ q: String) {
        #expect(throws: ParseError.self) { try Parser.parse(q) }
    }

    @Test func commentsAndWhitespace() throws {
        let q = "sum( # the total\n  rate(x[5m]) # per second\n)\t\r\n# trailing"
        #expect(Printer.print(try Parser.parse(q)) == "sum(rate(x[5m]))")
        #expect(throws: ParseError.self) { try Parser.parse("# only a comment") }
        #expect(throws: ParseError.self) { try Parser.parse("   ") }
    }

    @Test func keywordsInsideBracesAreLabelNames() throws {
        let e = try Parser.parse("x{on=\"1\", by=\"2\", offset=\"3\", bool=\"4\", inf=\"5\", nan=\"6\", sum=\"7\"}")
        guard case .vectorSelector(let vs) = e else { return }
        #expect(vs.matchers.map(\.name) == ["__name__", "on", "by", "offset", "bool", "inf", "nan", "sum"])
    }
}
