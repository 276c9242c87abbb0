import PromQLSyntax
import Testing

/// Printer formatting primitives match Go/Prometheus output exactly.
@Suite struct PrinterTests {
    /// Go `%v` (`strconv.FormatFloat(v, 'g', -1, 64)`), as Prometheus 2.42 prints number literals.
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1.0, "1"), (-2.5, "-2.5"), (0.1, "0.1"), (1e21, "1e+21"), (1e6, "1e+06"),
        (123456.0, "123456"), (1234567.0, "1.234567e+06"), (1.5e-7, "1.5e-07"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (123.125, "123.125"), (1456790400, "1.4567904e+09"), (9999999999, "9.999999999e+09"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (Double.leastNonzeroMagnitude, "5e-324"),
        (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (100.0, "100"), (0.5, "0.5"),
    ] as [(Double, String)])
    func goFloatFormatting(_ value: Double, _ expected: String) {
        #expect(Printer.formatNumber(value) == expected)
    }

    /// Prometheus `model.Duration.String()`.
    @Test(arguments: [
        (Int64(0), "0s"), (1, "1ms"), (1000, "1s"), (90_000, "1m30s"), (3_600_000, "1h"), (86_400_000, "1d"),
        (604_800_000, "1w"), (691_200_000, "8d"), (31_536_000_000, "1y"), (31_536_000_000 + 86_400_000, "366d"),
        (5_400_000, "1h30m"), (1_500, "1s500ms"), (1_209_600_000, "2w"),
    ] as [(Int64, String)])
    func durations(_ ms: Int64, _ expected: String) {
        #expect(Printer.formatDuration(ms) == expected)
    }

    @Test func printingIsIdempotent() throws {
        let queries = [
            "sum by (a) (rate(foo{b=~\"c\",a=\"x\"}[5m] offset -1h @ end()))",
            "a / on (x) group_left (y) b > bool 0",
            "-(1 + 2) ^ -3",
            "topk by (job) (3, x) unless ignoring (instance) y",
            "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")",
            "\"tab\\there\\nnewline \\u263a \\\\ \\\"q\\\"\"",
            "rate(x[5m])[1h:] @ 1700000000.123",
        ]
        for q in queries {
            let once = Printer.print(try Parser.parse(q))
            let twice = Printer.print(try Parser.parse(once))
            #expect(once == twice, "\(q)")
        }
    }

    @Test func v3Constructs() throws {
        let cases = [
            ("x[5m+1m]", "x[5m + 1m]"),
            ("x[step()*2:1m]", "x[step() * 2:1m]"),
            ("x offset -min_of(step(), 1s)", "x offset -min_of(step(), 1s)"),
            ("x offset (1h * 2)", "x offset (1h * 2)"),
            ("a + on(b) group_left fill(0) c", "a + on (b) group_left () fill(0) c"),
            ("a + fill_left(1) fill_right(-Inf) c", "a + fill_left(1) fill_right(-Inf) c"),
            ("rate(x[5m] anchored)", "rate(x[5m] anchored)"),
            ("x @ 10 smoothed", "x @ 10.000 smoothed"),
            ("limitk by (a) (2, x)", "limitk by (a) (2, x)"),
            ("{\"my.metric\", \"my.label\"=\"v\"}", "{\"my.label\"=\"v\",__name__=\"my.metric\"}"),
            ("sum by (\"my.label\") (x)", "sum by (\"my.label\") (x)"),
            ("5m + 1", "5m + 1"),
            ("h </ 0.5", "h </ 0.5"),
        ]
        for (input, expected) in cases {
            let e = try Parser.parse(input, options: .v3)
            #expect(Printer.print(e) == expected, "\(input)")
            #expect(try Parser.parse(Printer.print(e), options: .v3) == e, "\(input)")
        }
    }
}
