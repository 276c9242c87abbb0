import Foundation
import PromQLSyntax
import SundialTestSupport
import Testing

/// Seeded mutation fuzzing of the PromQL lexer and parser over the real corpus (every `eval`
/// expression of `../shared/promql-testdata`, the compliance queries and the tricky cases), plus
/// adversarial shapes (deep nesting of every recursive construct, long operator chains, huge
/// literals). Properties: no trap or stack overflow; a rejection is a ``ParseError`` with a
/// message and a position inside the input whose line:column renders; an accepted expression
/// prints (plain and pretty) to text that parses back to the same tree.
@Suite struct PromQLParserFuzzTests {
    static func corpus() throws -> [String] {
        var out: [String] = []
        let root = Testdata.shared("promql-testdata")
        for dir in [root, root + "/v2.42.0"] {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".test") }.sorted()
            for f in files {
                let text = try String(contentsOfFile: dir + "/" + f, encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("eval") {
                    if let e = evalExpression(String(line)) { out.append(e) }
                }
            }
        }
        for (file, column) in [("promql-parse/compliance-queries.tsv", 1), ("promql-parse/tricky-cases.promtool.tsv", -1)] {
            guard let text = try? String(contentsOfFile: Testdata.path(file), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
                let pick = column >= 0 ? column : parts.count - 1
                if parts.count > pick, pick >= 0 { out.append(String(parts[pick])) }
            }
        }
        if let text = try? String(contentsOfFile: Testdata.path("promql-parse/tricky-cases.txt"), encoding: .utf8) {
            out += text.split(separator: "\n").filter { !$0.hasPrefix("# ") }.map(String.init)
        }
        return out
    }

    /// `eval instant at T EXPR` / `eval range from A to B step S EXPR` → EXPR.
    static func evalExpression(_ line: String) -> String? {
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2 else { return nil }
        let skip = words[1] == "instant" ? 4 : words[1] == "range" ? 8 : -1
        guard skip > 0, words.count > skip else { return nil }
        return words[skip...].joined(separator: " ")
    }

    /// Checks one input against the properties; returns whether it parsed.
    @discardableResult
    static func check(_ q: String, _ options: ParserOptions, _ i: Int, _ failures: inout [String]) -> Bool {
        do {
            let e = try Parser.parse(q, options: options)
            for printed in [Printer.print(e), Printer.pretty(e)] {
                do {
                    let again = try Parser.parse(printed, options: options)
                    if again != e { failures.append("#\(i) \(q.debugDescription) → \(printed.debugDescription): different tree") }
                } catch {
                    failures.append("#\(i) \(q.debugDescription) → \(printed.debugDescription): \(error)")
                }
            }
            return true
        } catch {
            let n = q.utf8.count
            if error.message.isEmpty || error.position.start < 0 || error.position.start > error.position.end
                || error.position.end > n + 1 {
                failures.append("#\(i) \(q.debugDescription): bad error position \(error.position) for \(n) bytes: \(error)")
            }
            let (line, column) = error.lineColumn
            if line < 1 || column < 1 || error.description.isEmpty {
                failures.append("#\(i) \(q.debugDescription): bad line:col \(line):\(column)")
            }
            return false
        }
    }

    @Test(arguments: [ParserOptions.prometheus2, ParserOptions.v3])
    func mutatedCorpus(options: ParserOptions) throws {
        let corpus = try Self.corpus()
        try #require(corpus.count > 1000, "corpus has \(corpus.count) expressions")
        var rng = Fuzz.rng(options == .v3 ? 0x5051_0003 : 0x5051_0002)
        var failures: [String] = []
        var parsed = 0
        let n = Fuzz.iterations(2500)
        for i in 0..<n {
            let q = Mutator.mutateText(corpus[rng.below(corpus.count)], others: corpus, rng: &rng)
            if Self.check(q, options, i, &failures) { parsed += 1 }
        }
        Fuzz.report("promql \(options == .v3 ? "v3" : "2.42")", inputs: n, accepted: parsed)
        #expect(parsed > n / 20, "only \(parsed) of \(n) mutated expressions parsed")
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(15).joined(separator: "\n"))")
    }

    /// Deep nesting of every recursive construct and very long flat chains: rejected with a
    /// depth error or accepted, never a stack overflow (in the parser, the printer, `==` or the
    /// tree's deallocation).
    @Test func deepAndLongInputs() {
        let depth = 30_000
        let shapes: [(String, String)] = [
            ("paren", String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)),
            ("unary", String(repeating: "-", count: depth) + "1"),
            ("unary-mixed", String(repeating: "-+", count: depth / 2) + "foo"),
            ("call", String(repeating: "abs(", count: depth) + "foo" + String(repeating: ")", count: depth)),
            ("agg", String(repeating: "sum(", count: depth) + "foo" + String(repeating: ")", count: depth)),
            ("subquery", "foo" + String(repeating: "[1m:]", count: depth)),
            ("offset", "foo" + String(repeating: " offset 1m", count: depth)),
            ("pow-chain", Array(repeating: "2", count: depth).joined(separator: "^")),
            ("add-chain", Array(repeating: "a", count: depth).joined(separator: "+")),
            ("and-chain", Array(repeating: "a", count: depth).joined(separator: " and ")),
            ("or-bool-chain", Array(repeating: "1", count: depth).joined(separator: " == bool ")),
            ("matchers", "{" + (0..<20_000).map { "l\($0)=\"v\"" }.joined(separator: ",") + "}"),
            ("string", "\"" + String(repeating: "\\u00e9", count: depth) + "\""),
            ("number", String(repeating: "9", count: depth)),
            ("duration", "foo[" + String(repeating: "9", count: 400) + "d]"),
            ("unclosed-paren", String(repeating: "(", count: depth)),
            ("unclosed-brace", String(repeating: "{", count: depth)),
            ("unclosed-string", "\"" + String(repeating: "a", count: depth)),
            ("comment", "# " + String(repeating: "x", count: depth)),
        ]
        var failures: [String] = []
        let skip = Set((ProcessInfo.processInfo.environment["SUNDIAL_FUZZ_SKIP"] ?? "").split(separator: ",").map(String.init))
        for (i, (name, q)) in shapes.enumerated() where !skip.contains(name) {
            for options in [ParserOptions.prometheus2, ParserOptions.v3] {
                var f: [String] = []
                Self.check(q, options, i, &f)
                failures += f.map { "\(name): " + $0.prefix(300) }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
