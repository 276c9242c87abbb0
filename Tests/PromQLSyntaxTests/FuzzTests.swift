import PromQLSyntax
import SundialTestSupport
import Testing

/// Random expressions from a small grammar, biased towards the constructs that interact
/// (operators, modifiers, selectors, calls, durations).
struct ExpressionGenerator {
    var rng: SplitMix64
    let v3: Bool

    static let metrics = ["foo", "bar_total", "job:rate5m", "sum", "by", "offset", "on", "inf", "x"]
    static let labels = ["a", "job", "on", "by", "le", "__name__", "bool"]
    static let ops = ["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless", "atan2"]
    static let aggs = ["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values"]
    static let funcs = ["rate", "abs", "time", "vector", "scalar", "round", "label_replace", "histogram_quantile", "clamp", "sort", "hour", "absent_over_time", "holt_winters"]
    static let durations = ["5m", "1h30m", "1s", "100ms", "1d", "2w", "1y", "0s", "5"]
    static let numbers = ["1", "0.5", "1e3", "0x1F", "Inf", "NaN", "-2", ".5", "017"]
    static let strings = ["\"a\"", "'b'", "`c`", "\"\\u00e9\"", "\"\\x41\"", "\"\""]

    mutating func pick(_ a: [String]) -> String { a[Int(rng.next() % UInt64(a.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    mutating func selector() -> String {
        var s = chance(85) ? pick(Self.metrics) : ""
        if s.isEmpty || chance(40) {
            let n = Int(rng.next() % 3) + (s.isEmpty ? 1 : 0)
            let ms = (0..<n).map { _ in pick(Self.labels) + pick(["=", "!=", "=~", "!~"]) + pick(Self.strings) }
            s += "{" + ms.joined(separator: chance(50) ? "," : ", ") + (chance(10) ? "," : "") + "}"
        }
        return s
    }

    mutating func expr(_ depth: Int) -> String {
        if depth <= 0 { return chance(70) ? selector() : pick(Self.numbers) }
        switch rng.next() % 11 {
        case 0: return expr(depth - 1) + " " + pick(Self.ops) + (chance(20) ? " bool" : "")
            + (chance(25) ? " " + pick(["on", "ignoring"]) + "(" + pick(Self.labels) + ")" + (chance(40) ? " group_left" : "") : "")
            + " " + expr(depth - 1)
        case 1: return "(" + expr(depth - 1) + ")"
        case 2: return pick(["-", "+"]) + expr(depth - 1)
        case 3: return selector() + "[" + pick(Self.durations) + "]"
        case 4: return expr(depth - 1) + "[" + pick(Self.durations) + ":" + (chance(50) ? pick(Self.durations) : "") + "]"
        case 5: return expr(depth - 1) + " offset " + (chance(30) ? "-" : "") + pick(Self.durations)
        case 6: return expr(depth - 1) + " @ " + pick(["100", "-5", "1.5", "start()", "end()"])
        case 7:
            let a = pick(Self.aggs)
            let param = ["topk", "bottomk", "quantile"].contains(a) ? "5, " : (a == "count_values" ? "\"v\", " : "")
            let grouping = chance(50) ? " " + pick(["by", "without"]) + " (" + pick(Self.labels) + ")" : ""
            return chance(50) ? a + grouping + " (" + param + expr(depth - 1) + ")" : a + "(" + param + expr(depth - 1) + ")" + grouping
        case 8:
            let f = pick(Self.funcs)
            let n = Int(rng.next() % 3)
            return f + "(" + (0..<n).map { _ in expr(depth - 1) }.joined(separator: ", ") + ")"
        case 9: return pick(Self.strings)
        default:
            if v3 { return selector() + "[" + pick(["5m+1m", "step()", "2*30s", "min_of(1m, step())"]) + "]" + (chance(30) ? " anchored" : "") }
            return selector()
        }
    }
}

/// Bounded, seeded fuzzing: generated expressions, mutated corpus lines and random byte soup
/// must never crash the parser; whatever parses must survive print → parse unchanged.
@Suite struct FuzzTests {
    static func check(_ q: String, _ options: ParserOptions, _ failures: inout [String]) {
        guard let ast = try? Parser.parse(q, options: options) else { return }
        let printed = Printer.print(ast)
        do {
            let again = try Parser.parse(printed, options: options)
            if again != ast { failures.append("\(q)  →  \(printed): different tree") }
        } catch {
            failures.append("\(q)  →  \(printed): \(error)")
        }
    }

    @Test(arguments: [ParserOptions.prometheus2, ParserOptions.v3])
    func generatedExpressions(options: ParserOptions) {
        var gen = ExpressionGenerator(rng: SplitMix64(seed: 42), v3: options == .v3)
        var failures: [String] = []
        var parsed = 0
        for i in 0..<6000 {
            let q = gen.expr(Int(i % 5))
            if (try? Parser.parse(q, options: options)) != nil { parsed += 1 }
            Self.check(q, options, &failures)
        }
        #expect(parsed > 1000, "the generator should produce many valid expressions")
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test func mutatedCorpus() throws {
        let entries = try Corpus.testScripts() + Corpus.compliance()
        var rng = SplitMix64(seed: 7)
        let alphabet = Array("()[]{}:,@+-*/%^=!~<>\"'`\\#\n .0123456789eExXabcdmshwy_".utf8)
        var failures: [String] = []
        for i in 0..<8000 {
            let base = Array(entries[Int(rng.next() % UInt64(entries.count))].expr.utf8)
            var bytes = base
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                guard !bytes.isEmpty else { break }
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 4 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 2: bytes.remove(at: at)
                default: bytes = Array(bytes[..<at])
                }
            }
            if i % 50 == 0 { bytes.append(contentsOf: [0xFF, 0xC3]) }  // invalid UTF-8 tails
            let q = String(decoding: bytes, as: UTF8.self)
            Self.check(q, .prometheus2, &failures)
            Self.check(q, .v3, &failures)
        }
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test func byteSoup() {
        var rng = SplitMix64(seed: 99)
        let tokens = ["(", ")", "[", "]", "{", "}", ":", ",", "@", "-", "+", "^", "*", "offset", "by", "sum", "rate",
                      "foo", "5m", "1", "\"s\"", "on", "group_left", "bool", "and", "start()", "=~", "!=", "=", " "]
        var failures: [String] = []
        for _ in 0..<8000 {
            let n = 1 + Int(rng.next() % 14)
            let q = (0..<n).map { _ in tokens[Int(rng.next() % UInt64(tokens.count))] }.joined(separator: rng.next() % 2 == 0 ? " " : "")
            Self.check(q, .prometheus2, &failures)
            Self.check(q, .v3, &failures)
        }
        #expect(failures.isEmpty, "\(failures.prefix(20).joined(separator: "\n"))")
    }
}
