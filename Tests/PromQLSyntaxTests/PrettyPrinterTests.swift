import Foundation
import PromQLSyntax
import SundialTestSupport
import Testing

/// ``Printer/pretty(_:)`` reproduces Prometheus 2.42's `/api/v1/format_query` output, recorded
/// from a running 2.42 server in `testdata/promql-parse/format-query.tsv`
/// (`format_query_golden.py`).
@Suite struct PrettyPrinterTests {
    static func golden() throws -> [(String, String)] {
        let text = try String(contentsOfFile: Testdata.path("promql-parse/format-query.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            func decode(_ s: String) throws -> String {
                try JSONSerialization.jsonObject(with: Data(s.utf8), options: .fragmentsAllowed) as? String ?? ""
            }
            return (try decode(parts[0]), try decode(parts[1]))
        }
    }

    @Test func matchesPrometheusFormatQuery() throws {
        let cases = try Self.golden()
        #expect(cases.count > 300)
        var failures: [String] = []
        for (query, expected) in cases {
            let e = try Parser.parse(query)
            let got = Printer.pretty(e)
            if got != expected { failures.append("\(query)\n--- expected\n\(expected)\n--- got\n\(got)") }
        }
        #expect(failures.isEmpty, "\(failures.count) differ:\n\(failures.prefix(5).joined(separator: "\n\n"))")
    }

    @Test func prettyOutputParsesBackToTheSameTree() throws {
        for (query, _) in try Self.golden() {
            let e = try Parser.parse(query)
            #expect(try Parser.parse(Printer.pretty(e)) == e, "\(query)")
        }
    }
}
