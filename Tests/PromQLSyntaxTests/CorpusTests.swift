import Foundation
import PromQLSyntax
import SundialTestSupport
import Testing

/// Every expression of the upstream test scripts and the compliance corpus parses (except those the
/// scripts expect to fail, which are checked against a recorded list) and survives print → parse.
@Suite struct CorpusTests {
    @Test func testScriptExpressionsParse() throws {
        let entries = try Corpus.testScripts()
        #expect(entries.count > 2500)
        var failures: [String] = []
        for e in entries where !e.expectFail {
            do {
                _ = try Parser.parse(e.expr, options: e.options)
            } catch {
                failures.append("\(e): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failed:\n\(failures.prefix(60).joined(separator: "\n"))")
    }

    @Test func complianceQueriesParse() throws {
        let entries = try Corpus.compliance()
        #expect(entries.count == 539)
        for e in entries {
            let result = Result { () throws(ParseError) in try Parser.parse(e.expr, options: e.options) }
            switch result {
            case .success:
                #expect(!(e.expectFail && e.expr.hasPrefix("{__name__=~\".*\"}")), "\(e) should fail to parse")
            case .failure(let error):
                // The five should_fail queries fail at evaluation in Prometheus (an all-matching
                // regex selector, bad label_replace/label_join arguments) except the selector,
                // which is a parse error; the others must parse.
                #expect(e.expectFail && e.expr.hasPrefix("{__name__=~\".*\"}"), "\(e): \(error)")
            }
        }
    }

    @Test func roundTripWholeCorpus() throws {
        let entries = try Corpus.testScripts() + Corpus.compliance()
        var failures: [String] = []
        for e in entries {
            guard let ast = try? Parser.parse(e.expr, options: e.options) else { continue }
            let printed = Printer.print(ast)
            do {
                let again = try Parser.parse(printed, options: e.options)
                if again != ast { failures.append("\(e)\n  printed: \(printed)\n  (different tree)") }
                if Printer.print(again) != printed { failures.append("\(e)\n  printed twice differs: \(printed)") }
            } catch {
                failures.append("\(e)\n  printed: \(printed)\n  \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failed:\n\(failures.prefix(40).joined(separator: "\n"))")
    }
}

/// The expressions the scripts expect to fail: which of them fail at parse time is recorded in
/// `testdata/promql-parse/expected-failures.tsv` (the rest must parse and fail at evaluation).
@Suite struct ExpectedFailureTests {
    static func render(_ entries: [CorpusEntry]) -> String {
        var out = "# source\tparse\texpression\tparse error (empty when it parses; then it must fail at evaluation)\n"
        for e in entries where e.expectFail {
            let result = Result { () throws(ParseError) in try Parser.parse(e.expr, options: e.options) }
            switch result {
            case .success: out += "\(e.source)\tparses\t\(e.expr)\t\n"
            case .failure(let err): out += "\(e.source)\tfails\t\(e.expr)\t\(err)\n"
            }
        }
        return out
    }

    @Test func expectedFailuresMatchRecord() throws {
        let entries = try Corpus.testScripts() + Corpus.compliance()
        let actual = Self.render(entries)
        let path = Testdata.path("promql-parse/expected-failures.tsv")
        if Testdata.updateGolden {
            try actual.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOfFile: path, encoding: .utf8)
        #expect(actual == recorded, "re-run with SUNDIAL_UPDATE_GOLDEN=1 and review the diff")
    }
}
