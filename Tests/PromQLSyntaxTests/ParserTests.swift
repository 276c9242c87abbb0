import Foundation
import PromQLSyntax
import SundialCore
import SundialTestSupport
import Testing

/// Parser behaviour: tricky cases checked against Prometheus 2.42's own verdicts (recorded with
/// promtool), precedence and associativity, modifiers, keywords as names, and tree shapes.
@Suite struct ParserTests {
    struct Judged: Sendable, CustomStringConvertible {
        var accepted: Bool
        var expr: String
        var message: String
        var description: String { expr }
    }

    static func judged(_ file: String) throws -> [Judged] {
        let text = try String(contentsOfFile: Testdata.path("promql-parse/\(file)"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2 else { return nil }
            return Judged(accepted: parts[0] == "ok", expr: parts[1], message: parts.count > 2 ? parts[2] : "")
        }
    }

    /// Same acceptance as Prometheus 2.42 for every tricky case, and the same error message
    /// (position included) except for regex syntax errors, whose wording comes from RE2, not Go.
    @Test func trickyCasesMatchPrometheus() throws {
        let cases = try Self.judged("tricky-cases.promtool.tsv")
        #expect(cases.count > 250)
        for c in cases {
            let result = Result { () throws(ParseError) in try Parser.parse(c.expr) }
            switch result {
            case .success(let e):
                #expect(c.accepted, "\(c.expr) parsed as \(e) but Prometheus says: \(c.message)")
            case .failure(let err):
                #expect(!c.accepted, "\(c.expr) rejected: \(err)")
                guard !c.accepted else { continue }
                if c.message.contains("error parsing regexp") {
                    #expect(err.description.hasPrefix(String(c.message.prefix(while: { $0 != ":" }))))
                    #expect(err.message.hasPrefix("error parsing regexp: "))
                } else if c.expr != "@" {  // Prometheus prints an internal item name there
                    #expect(err.description == c.message, "\(c.expr)")
                }
            }
        }
    }

    /// Exactly the functions 2.42 lacks are flagged v3-only.
    @Test func functionTableMatchesPrometheus242() throws {
        for c in try Self.judged("functions.promtool.tsv") {
            let name = String(c.expr.prefix(while: { $0 != "(" }))
            let f = try #require(Function(name: name), "\(name)")
            #expect(f.isV3Only == !c.accepted, "\(name)")
            #expect(((try? Parser.parse(c.expr)) != nil) == c.accepted, "\(c.expr)")
            #expect((try? Parser.parse(c.expr, options: .v3)) != nil, "\(c.expr)")
        }
    }

    static func tree(_ q: String, _ options: ParserOptions = .prometheus2) throws -> Expr {
        try Parser.parse(q, options: options)
    }

    @Test(arguments: [
        ("1 + 2 * 3", "1 + 2 * 3"),
        ("a - b - c", "a - b - c"),
        ("a ^ b ^ c", "a ^ b ^ c"),
        ("a or b and c", "a or b and c"),
        ("-1 ^ 2", "-1 ^ 2"),
        ("a - -b", "a - -b"),
        ("- - 1", "1"),
        ("+1", "1"),
        ("foo offset 5m @ 100", "foo @ 100.000 offset 5m"),
        ("rate(x[5m])[30m:1m]", "rate(x[5m])[30m:1m]"),
        ("sum without () (x)", "sum without () (x)"),
        ("sum by () (x)", "sum(x)"),
        ("sum(x) by (a)", "sum by (a) (x)"),
        ("{__name__=~\"a|b\"}", "{__name__=~\"a|b\"}"),
        ("foo{b=\"1\", a=\"2\"}", "foo{a=\"2\",b=\"1\"}"),
        ("foo{}", "foo"),
        ("a / on(x) group_left(y) b", "a / on (x) group_left (y) b"),
        ("a + ignoring() group_left b", "a + ignoring () group_left () b"),
        ("1 + on() 2", "1 + 2"),
        ("0x1F", "31"),
        ("017", "15"),
        ("1e3", "1000"),
        ("1e-7", "1e-07"),
        ("1e21", "1e+21"),
        ("9999999999", "9.999999999e+09"),
        ("inf", "+Inf"),
        ("-Inf", "-Inf"),
        ("NaN", "NaN"),
        ("foo[90m]", "foo[1h30m]"),
        ("foo[7d]", "foo[1w]"),
        ("foo[8d]", "foo[8d]"),
        ("foo[365d]", "foo[1y]"),
        ("foo[1500ms]", "foo[1s500ms]"),
        ("foo offset -1h", "foo offset -1h"),
        ("foo @ 1.5", "foo @ 1.500"),
        ("foo @ -0.001", "foo @ -0.001"),
        ("foo @ end()", "foo @ end()"),
        ("\"a\\u00e9\"", "\"aé\""),
        ("'it\\'s'", "\"it's\""),
        ("`raw\\n`", "\"raw\\\\n\""),
        ("sum by (on, by) (x)", "sum by (on, by) (x)"),
        ("SUM BY (a) (X)", "sum by (a) (X)"),
    ])
    func canonicalForm(_ input: String, _ expected: String) throws {
        #expect(Printer.print(try Self.tree(input)) == expected)
    }

    @Test func unaryMinusBindsLooserThanPowButTighterThanMul() throws {
        guard case .unary(let u) = try Self.tree("-a ^ 2"), case .binary(let pow) = u.expr else {
            Issue.record("-a ^ 2 should be -(a ^ 2)")
            return
        }
        #expect(pow.op == .pow)
        guard case .binary(let mul) = try Self.tree("-a * 2"), case .unary = mul.lhs else {
            Issue.record("-a * 2 should be (-a) * 2")
            return
        }
        #expect(mul.op == .mul)
    }

    @Test func powIsRightAssociativeOthersLeft() throws {
        guard case .binary(let p) = try Self.tree("a ^ b ^ c"), case .binary(let inner) = p.rhs else {
            Issue.record("a ^ b ^ c should be a ^ (b ^ c)")
            return
        }
        #expect(inner.op == .pow)
        guard case .binary(let s) = try Self.tree("a - b - c"), case .binary(let l) = s.lhs else {
            Issue.record("a - b - c should be (a - b) - c")
            return
        }
        #expect(l.op == .sub)
    }

    @Test func precedenceChain() throws {
        // or < and/unless < comparisons < +- < */% atan2 < ^
        let e = try Self.tree("a or b unless c == d + e * f ^ g")
        guard case .binary(let or) = e, or.op == .or, case .binary(let unless) = or.rhs, unless.op == .unless,
              case .binary(let eq) = unless.rhs, eq.op == .eql, case .binary(let add) = eq.rhs, add.op == .add,
              case .binary(let mul) = add.rhs, mul.op == .mul, case .binary(let pow) = mul.rhs, pow.op == .pow
        else {
            Issue.record("wrong tree: \(e)")
            return
        }
    }

    @Test func selectorsCarryImplicitNameMatcher() throws {
        guard case .vectorSelector(let vs) = try Self.tree("foo{a=~\"x.*\"}") else {
            Issue.record("not a selector")
            return
        }
        #expect(vs.name == "foo")
        #expect(vs.matchers.first == LabelMatcher.equal("__name__", "foo"))
        #expect(vs.matchers.count == 2)
        #expect(vs.matchers[1].type == .regexMatch)
    }

    @Test func modifiersLandOnTheRightNodes() throws {
        guard case .matrixSelector(let ms) = try Self.tree("foo[5m] offset 1m @ 100") else {
            Issue.record("not a matrix selector")
            return
        }
        #expect(ms.rangeMs == 300_000)
        #expect(ms.vectorSelector.offsetMs == 60_000)
        #expect(ms.vectorSelector.at == .timestamp(100_000))
        guard case .subquery(let sq) = try Self.tree("rate(x[5m])[30m:] offset -1m @ start()") else {
            Issue.record("not a subquery")
            return
        }
        #expect(sq.rangeMs == 1_800_000)
        #expect(sq.step == nil)
        #expect(sq.stepMs == 0)
        #expect(sq.offsetMs == -60_000)
        #expect(sq.at == .start)
    }

    @Test func vectorMatchingIsSetOnlyBetweenVectors() throws {
        guard case .binary(let b) = try Self.tree("a and b"), let m = b.matching else {
            Issue.record("missing matching")
            return
        }
        #expect(m.cardinality == .manyToMany)
        guard case .binary(let s) = try Self.tree("a * 2") else { return }
        #expect(s.matching == nil)
        guard case .binary(let g) = try Self.tree("a * on(x) group_right(y, z) b"), let gm = g.matching else { return }
        #expect(gm.cardinality == .oneToMany && gm.on && gm.matchingLabels == ["x"] && gm.include == ["y", "z"])
    }

    @Test func typesAreComputed() throws {
        #expect(try Self.tree("1 + 2").type == .scalar)
        #expect(try Self.tree("foo + 2").type == .instantVector)
        #expect(try Self.tree("foo[5m]").type == .rangeVector)
        #expect(try Self.tree("foo[5m:]").type == .rangeVector)
        #expect(try Self.tree("\"s\"").type == .string)
        #expect(try Self.tree("scalar(foo)").type == .scalar)
        #expect(try Self.tree("-(time())").type == .scalar)
    }

    @Test func positionsCoverTheSource() throws {
        let q = "sum by (a) (rate(foo{x=\"y\"}[5m] offset 1m))"
        let e = try Self.tree(q)
        #expect(e.position == SourceRange(start: 0, end: q.utf8.count))
        guard case .aggregation(let a) = e, case .call(let c) = a.expr else { return }
        #expect(c.position == SourceRange(start: 12, end: q.utf8.count - 1))
    }

    @Test func v3SyntaxNeedsTheOption() throws {
        let v3Only = [
            "limitk(1, x)", "limit_ratio(0.5, x)", "x + fill(0) y", "x[5m+1m]", "x offset step()", "x[300]",
            "sort_by_label(x, \"a\")", "info(x)", "rate(x[5m] anchored)", "x smoothed", "h </ 1", "1_000",
            "x @ 100s", "{\"metric.name\"}",
        ]
        for q in v3Only {
            #expect(throws: ParseError.self, "\(q)") { try Parser.parse(q) }
            #expect(throws: Never.self, "\(q)") { try Parser.parse(q, options: .v3) }
        }
    }

    @Test func durationExpressions() throws {
        guard case .matrixSelector(let ms) = try Self.tree("x[2m*(10+5)]", .v3) else { return }
        #expect(ms.rangeMs == nil)
        #expect(ms.range.evaluateMs(stepMs: 0, rangeMs: 0) == 1_800_000)
        guard case .vectorSelector(let vs) = try Self.tree("x offset -min_of(step(), 1s)", .v3) else { return }
        #expect(vs.offset?.evaluateMs(stepMs: 5000, rangeMs: 0) == -1000)
        // offset binds only a primary: `x offset 100 + 2` is `(x offset 100) + 2`.
        guard case .binary(let b) = try Self.tree("x offset 100 + 2", .v3), case .vectorSelector(let l) = b.lhs else {
            Issue.record("offset precedence")
            return
        }
        #expect(l.offsetMs == 100_000)
        #expect(Printer.print(try Self.tree("x[1800]", .v3)) == "x[30m]")
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(throws: ParseError.self) { try Parser.parse(deep) }
        let minus = String(repeating: "-", count: 5000) + "1"
        #expect(throws: ParseError.self) { try Parser.parse(minus) }
        let ok = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(throws: Never.self) { try Parser.parse(ok) }
    }

    @Test func longOperatorChainsAreBounded() throws {
        let ok = (0..<900).map { "m\($0)" }.joined(separator: " + ")
        #expect(Printer.print(try Parser.parse(ok)) == ok)
        let tooLong = (0..<30000).map { "m\($0)" }.joined(separator: " + ")
        #expect(throws: ParseError.self) { try Parser.parse(tooLong) }
        var custom = ParserOptions()
        custom.maxDepth = 3000
        let longer = (0..<2500).map { "m\($0)" }.joined(separator: " or ")
        #expect(throws: Never.self) { try Parser.parse(longer, options: custom) }
    }
}

/// The shared regex-matcher cache gives the same trees and stays bounded.
@Suite struct MatcherCacheTests {
    @Test func cachedParsesAreIdentical() throws {
        let cache = MatcherCache(capacity: 3)
        let q = "sum(rate(x{a=~\"b.*\", c!~\"d|e\", f=\"g\"}[5m])) / y{h=~\"i\"}"
        let plain = try Parser.parse(q)
        for _ in 0..<3 {
            #expect(try Parser.parse(q, matcherCache: cache) == plain)
        }
        #expect(cache.count == 3)
        _ = try Parser.parse("z{j=~\"k\"}", matcherCache: cache)
        #expect(cache.count <= 3)
        #expect(throws: ParseError.self) { try Parser.parse("x{a=~\"(\"}", matcherCache: cache) }
    }
}
