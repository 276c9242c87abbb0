import Foundation
import PromQLSyntax
import SundialTestSupport

/// One expression from a corpus file.
struct CorpusEntry: CustomStringConvertible, Sendable {
    /// `file:line`.
    var source: String
    var expr: String
    /// The script expects the evaluation to fail (`eval_fail` or `expect fail`).
    var expectFail: Bool
    var options: ParserOptions
    var description: String { "\(source): \(expr)" }
}

/// Reads the expressions of `../shared/promql-testdata/**/*.test` and the expanded compliance corpus.
enum Corpus {
    /// Every `eval` line's expression; v3.14 files parse with `.v3`, v2.42 files with `.prometheus2`.
    static func testScripts() throws -> [CorpusEntry] {
        var out: [CorpusEntry] = []
        let root = Testdata.shared("promql-testdata")
        for (dir, options) in [(root, ParserOptions.v3), (root + "/v2.42.0", ParserOptions.prometheus2)] {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".test") }.sorted()
            for file in files {
                let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                for (i, raw) in lines.enumerated() {
                    let line = raw.trimmingCharacters(in: .whitespaces)
                    guard line.hasPrefix("eval") else { continue }
                    guard let expr = expression(ofEvalLine: line) else { continue }
                    var fail = line.hasPrefix("eval_fail")
                    var j = i + 1
                    while j < lines.count {
                        let next = lines[j].trimmingCharacters(in: .whitespaces)
                        if next.isEmpty || next.hasPrefix("eval") || next.hasPrefix("load") || next.hasPrefix("clear") { break }
                        if next.hasPrefix("expect fail") { fail = true }
                        j += 1
                    }
                    let label = dir == root ? file : "v2.42.0/" + file
                    out.append(CorpusEntry(source: "\(label):\(i + 1)", expr: expr, expectFail: fail, options: options))
                }
            }
        }
        return out
    }

    /// `eval[_x] instant at T EXPR` / `eval[_x] range from A to B step S EXPR` → EXPR.
    static func expression(ofEvalLine line: String) -> String? {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 2 else { return nil }
        words.removeFirst()
        let skip: Int
        switch words.first {
        case "instant": skip = 3  // instant at T
        case "range": skip = 7  // range from A to B step S
        default: return nil
        }
        // Re-split the original line so spacing inside the expression is preserved.
        var rest = Substring(line)
        for _ in 0..<(skip + 1) {
            rest = rest.drop(while: { $0 == " " })
            rest = rest.drop(while: { $0 != " " })
        }
        let e = rest.trimmingCharacters(in: .whitespaces)
        return e.isEmpty ? nil : e
    }

    /// `testdata/promql-parse/compliance-queries.tsv` (made by `expand_compliance.py`).
    static func compliance() throws -> [CorpusEntry] {
        let text = try String(contentsOfFile: Testdata.path("promql-parse/compliance-queries.tsv"), encoding: .utf8)
        var out: [CorpusEntry] = []
        for (i, line) in text.split(separator: "\n").enumerated() {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            out.append(CorpusEntry(source: "compliance:\(i + 1)", expr: String(parts[1]), expectFail: parts[0] == "fail",
                                   options: .prometheus2))
        }
        return out
    }
}
