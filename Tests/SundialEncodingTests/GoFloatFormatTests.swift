import SundialEncoding
import SundialTestSupport
import Testing

@Suite struct GoFloatFormatTests {
    /// Cases whose Go output is documented (Prometheus API docs, strconv docs, reference-brief §3).
    @Test(arguments: [
        (1e6, "1000000"), (1e-7, "1e-07"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (0.1, "0.1"), (0, "0"), (-0.0, "-0"), (1, "1"), (-1.5, "-1.5"), (1e-6, "0.000001"),
        (9.99999e-7, "9.99999e-07"), (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (123456789, "123456789"), (0.30000000000000004, "0.30000000000000004"), (1435781451.781, "1435781451.781"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (2.5e-9, "2.5e-09"),
        (1e100, "1e+100"), (9_007_199_254_740_992, "9007199254740992"), (12.5, "12.5"),
    ] as [(Double, String)])
    func prometheusJSON(_ v: Double, _ expected: String) {
        #expect(GoFloatFormat.prometheusJSON(v) == expected)
    }

    @Test(arguments: [
        (1e6, "1e+06"), (123456.5, "123456.5"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1e21, "1e+21"),
        (123456789, "1.23456789e+08"), (0, "0"), (100, "100"), (Double.nan, "NaN"),
    ] as [(Double, String)])
    func formatG(_ v: Double, _ expected: String) {
        #expect(GoFloatFormat.g(v) == expected)
    }

    /// 3,500 values (edge cases, random bit patterns, random magnitudes, decimal fractions) against the
    /// table made by testdata/http/make-go-float-format.py.
    @Test func goldenTable() throws {
        let text = String(decoding: try Testdata.bytes("http/go-float-format.tsv"), as: UTF8.self)
        var checked = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(cols.count == 5)
            let v = Double(bitPattern: try #require(UInt64(cols[0], radix: 16)))
            #expect(GoFloatFormat.f(v) == cols[1], "f of \(cols[0])")
            #expect(GoFloatFormat.e(v) == cols[2], "e of \(cols[0])")
            #expect(GoFloatFormat.g(v) == cols[3], "g of \(cols[0])")
            #expect(GoFloatFormat.prometheusJSON(v) == cols[4], "json of \(cols[0])")
            checked += 1
        }
        #expect(checked > 3000)
    }

    @Test func appendsWithoutClearing() {
        var out: [UInt8] = Array("x=".utf8)
        GoFloatFormat.appendPrometheusJSON(2.5, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x=2.5")
    }
}
