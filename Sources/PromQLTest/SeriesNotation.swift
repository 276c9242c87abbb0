public import SundialCore

/// One item of a value sequence in the test-script notation (shared with `promtool test rules`).
public enum SeriesValue: Sendable, Equatable {
    /// A float sample (may be the stale marker).
    case float(Double)
    /// No sample at this step (`_`).
    case gap
    /// A native histogram (`{{...}}`); `hintSet` when the notation spelled `counter_reset_hint`
    /// (then result comparisons check the hint).
    case histogram(FloatHistogram, hintSet: Bool)

    public static func == (a: SeriesValue, b: SeriesValue) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): x.bitPattern == y.bitPattern || x == y
        case (.gap, .gap): true
        case (.histogram(let x, let hx), .histogram(let y, let hy)): x == y && hx == hy
        default: false
        }
    }
}

/// A problem in a test script, with the line it is on.
public struct ScriptError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }
    public var description: String { "line \(line): \(message)" }
}

/// Parsers for the pieces of the test-script format (see `../shared/promql-testdata/README.md`).
public enum SeriesNotation {
    /// A float the way Go's `strconv.ParseFloat` and PromQL's lexer read test values: decimal,
    /// exponent, hexadecimal integers (`0x3d`), `Inf`/`NaN` in any case with an optional sign.
    public static func parseFloat(_ s0: String) -> Double? {
        var s = Substring(s0)
        var sign = 1.0
        if s.hasPrefix("+") { s = s.dropFirst() } else if s.hasPrefix("-") { sign = -1; s = s.dropFirst() }
        let lower = s.lowercased()
        if lower == "inf" || lower == "infinity" { return sign * .infinity }
        if lower == "nan" { return .nan }
        if lower.hasPrefix("0x") {
            guard let v = UInt64(lower.dropFirst(2), radix: 16) else { return nil }
            return sign * Double(v)
        }
        if s.isEmpty || s.contains(where: { !("0123456789.eE+-_".contains($0)) }) { return nil }
        guard let v = Double(String(s).replacingOccurrences(of: "_", with: "")) else { return nil }
        return sign * v
    }

    /// Expands a value sequence (`1 2 _ 3+1x2 stale _x3 {{...}}`) into one item per step.
    public static func parseValues(_ text: String, line: Int) throws(ScriptError) -> [SeriesValue] {
        var out: [SeriesValue] = []
        var tokens: [String] = []
        // Split on whitespace, keeping `{{ ... }}` (which contains spaces) together.
        var cur = ""
        var depth = 0
        for c in text {
            if c == "{" { depth += 1 }
            if c == "}" { depth -= 1 }
            if (c == " " || c == "\t") && depth == 0 {
                if !cur.isEmpty { tokens.append(cur); cur = "" }
            } else {
                cur.append(c)
            }
        }
        if !cur.isEmpty { tokens.append(cur) }
        for tok in tokens {
            if tok.hasPrefix("{{") {
                out.append(contentsOf: try HistogramNotation.expand(tok, line: line))
                continue
            }
            if tok == "_" { out.append(.gap); continue }
            if tok == "stale" { out.append(.float(StaleMarker.value)); continue }
            if tok.hasPrefix("_x"), let n = Int(tok.dropFirst(2)) {
                out.append(contentsOf: Array(repeating: .gap, count: n))
                continue
            }
            // a+bxn, a-bxn, axn (before hexadecimal literals: `0x10` is eleven zeros, as upstream lexes it)
            guard let x = tok.lastIndex(of: "x"), let n = Int(tok[tok.index(after: x)...]), n >= 0,
                  x != tok.startIndex else {
                if let v = parseFloat(tok) { out.append(.float(v)); continue }
                throw ScriptError(line: line, "invalid value \(GoQuote.quote(tok))")
            }
            let head = Array(tok[..<x])
            var opIndex: Int? = nil
            for i in 1..<max(1, head.count) where head[i] == "+" || head[i] == "-" {
                if head[i - 1] == "e" || head[i - 1] == "E" { continue }
                opIndex = i
                break
            }
            let a: Double, b: Double
            if let op = opIndex {
                guard let av = parseFloat(String(head[..<op])), let bv = parseFloat(String(head[(op + 1)...])) else {
                    throw ScriptError(line: line, "invalid value \(GoQuote.quote(tok))")
                }
                a = av
                b = head[op] == "-" ? -bv : bv
            } else {
                guard let av = parseFloat(String(head)) else { throw ScriptError(line: line, "invalid value \(GoQuote.quote(tok))") }
                a = av
                b = 0
            }
            var v = a
            out.append(.float(v))
            for _ in 0..<n {
                v += b
                out.append(.float(v))
            }
        }
        return out
    }

    /// Parses `name{a="b", ...}` (either part optional) at the start of `text`; returns the labels
    /// and the rest of the line.
    public static func parseSeries(_ text: Substring, line: Int) throws(ScriptError) -> (Labels, Substring) {
        var s = text.drop { $0 == " " || $0 == "\t" }
        var labels: [Label] = []
        var name = ""
        while let c = s.first, c.isLetter || c.isNumber || c == "_" || c == ":" {
            name.append(c)
            s = s.dropFirst()
        }
        if !name.isEmpty { labels.append(Label(Labels.metricName, name)) }
        if s.first == "{" {
            s = s.dropFirst()
            while true {
                s = s.drop { $0 == " " || $0 == "\t" || $0 == "," }
                guard let c = s.first else { throw ScriptError(line: line, "unterminated label set") }
                if c == "}" { s = s.dropFirst(); break }
                var lname = ""
                if c == "\"" || c == "'" {
                    let (str, rest) = try parseQuoted(s, line: line)
                    lname = str
                    s = rest
                } else {
                    while let d = s.first, d.isLetter || d.isNumber || d == "_" || d == ":" || d == "." {
                        lname.append(d)
                        s = s.dropFirst()
                    }
                }
                s = s.drop { $0 == " " || $0 == "\t" }
                if s.first == "," || s.first == "}" {
                    // A bare quoted metric name inside braces (v3).
                    labels.append(Label(Labels.metricName, lname))
                    continue
                }
                guard s.first == "=" else { throw ScriptError(line: line, "expected = after label name \(lname)") }
                s = s.dropFirst().drop { $0 == " " || $0 == "\t" }
                let (value, rest) = try parseQuoted(s, line: line)
                labels.append(Label(lname, value))
                s = rest
            }
        }
        return (Labels(labels), s)
    }

    /// A Go-style quoted string (`"..."` with escapes, `'...'`, or a raw `` `...` ``).
    static func parseQuoted(_ s: Substring, line: Int) throws(ScriptError) -> (String, Substring) {
        guard let q = s.first, q == "\"" || q == "'" || q == "`" else {
            throw ScriptError(line: line, "expected quoted string")
        }
        var out = ""
        var rest = s.dropFirst()
        while let c = rest.first {
            rest = rest.dropFirst()
            if c == q { return (out, rest) }
            if c == "\\" && q != "`", let e = rest.first {
                rest = rest.dropFirst()
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\\": out.append("\\")
                case "\"": out.append("\"")
                case "'": out.append("'")
                case "a": out.append("\u{07}")
                case "b": out.append("\u{08}")
                case "f": out.append("\u{0C}")
                case "v": out.append("\u{0B}")
                case "x", "u", "U":
                    let len = e == "x" ? 2 : (e == "u" ? 4 : 8)
                    let hex = String(rest.prefix(len))
                    rest = rest.dropFirst(len)
                    if let v = UInt32(hex, radix: 16), let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) }
                default: out.append(e)
                }
            } else {
                out.append(c)
            }
        }
        throw ScriptError(line: line, "unterminated string")
    }

    /// A Prometheus duration (`5m`, `1h30m`, `1d`, `100ms`, `0`) in ms.
    public static func parseDuration(_ s: String) -> Int64? {
        if s == "0" { return 0 }
        var total: Int64 = 0
        var i = s.startIndex
        var sign: Int64 = 1
        if s.hasPrefix("-") { sign = -1; i = s.index(after: i) }
        guard i < s.endIndex else { return nil }
        while i < s.endIndex {
            var num = ""
            while i < s.endIndex, s[i].isNumber { num.append(s[i]); i = s.index(after: i) }
            var unit = ""
            while i < s.endIndex, s[i].isLetter { unit.append(s[i]); i = s.index(after: i) }
            guard let n = Int64(num) else { return nil }
            let mult: Int64
            switch unit {
            case "ms": mult = 1
            case "s": mult = 1000
            case "m": mult = 60_000
            case "h": mult = 3_600_000
            case "d": mult = 86_400_000
            case "w": mult = 604_800_000
            case "y": mult = 31_536_000_000
            default: return nil
            }
            total += n * mult
        }
        return sign * total
    }
}

private extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}
