public import SundialCore
import PromQLEngine

/// The native-histogram notation of test scripts: `{{schema:0 sum:5 count:4 z_bucket:1 z_bucket_w:0.5
/// buckets:[1 2 1] offset:-1 n_buckets:[1] n_offset:0 counter_reset_hint:gauge custom_values:[1 2]}}`
/// (every key optional), and the series forms `{{...}}xN`, `{{a}}+{{b}}xN`, `{{a}}-{{b}}xN`
/// (Prometheus `promql/parser` series description grammar, docs of `promqltest`).
public enum HistogramNotation {
    /// One parsed `{{...}}`: the histogram and whether it spelled `counter_reset_hint`.
    public struct Parsed: Sendable {
        public var histogram: FloatHistogram
        public var hintSet: Bool
    }

    /// Expands one token (`{{...}}`, `{{...}}xN`, `{{a}}+{{b}}xN`, `{{a}}-{{b}}xN`) into its values.
    public static func expand(_ tok: String, line: Int) throws(ScriptError) -> [SeriesValue] {
        let (first, rest) = try parse(Substring(tok), line: line)
        if rest.isEmpty { return [.histogram(first.histogram, hintSet: first.hintSet)] }
        if rest.first == "x" {
            guard let n = Int(rest.dropFirst()), n >= 0 else {
                throw ScriptError(line: line, "invalid histogram repetition \(GoQuote.quote(String(rest)))")
            }
            return Array(repeating: .histogram(first.histogram, hintSet: first.hintSet), count: n + 1)
        }
        guard let op = rest.first, op == "+" || op == "-" else {
            throw ScriptError(line: line, "unexpected \(GoQuote.quote(String(rest))) after histogram")
        }
        let (inc, tail) = try parse(rest.dropFirst(), line: line)
        guard tail.first == "x", let n = Int(tail.dropFirst()), n >= 0 else {
            throw ScriptError(line: line, "expected xN after histogram series \(GoQuote.quote(tok))")
        }
        var out: [SeriesValue] = [.histogram(first.histogram, hintSet: inc.hintSet)]
        var cur = first.histogram
        var notes = HistogramCombineNotes()
        for _ in 0..<n {
            if cur.schema > inc.histogram.schema {
                throw ScriptError(line: line, "error combining histograms: cannot merge from schema \(inc.histogram.schema) to \(cur.schema)")
            }
            do throws(HistogramCombineError) {
                cur = try cur.combined(with: inc.histogram, sign: op == "+" ? 1 : -1, notes: &notes)
            } catch {
                throw ScriptError(line: line, "error combining histograms: \(error.message)")
            }
            out.append(.histogram(cur, hintSet: inc.hintSet))
        }
        return out
    }

    /// Parses `{{...}}` at the start of `s`; returns it and the text after `}}`.
    static func parse(_ s: Substring, line: Int) throws(ScriptError) -> (Parsed, Substring) {
        guard s.hasPrefix("{{"), let close = s.indices.dropFirst(2).first(where: { s[$0...].hasPrefix("}}") }) else {
            throw ScriptError(line: line, "invalid histogram \(GoQuote.quote(String(s)))")
        }
        let body = s[s.index(s.startIndex, offsetBy: 2)..<close]
        let rest = s[s.index(close, offsetBy: 2)...]
        var h = FloatHistogram(schema: 0, count: 0, sum: 0)
        var hintSet = false
        var buckets: [Double] = [], nBuckets: [Double] = []
        var offset: Int32 = 0, nOffset: Int32 = 0
        var seen = Set<String>()
        var p = body[...]
        func skipSpace() { p = p.drop { $0 == " " || $0 == "\t" || $0 == "," } }
        func word() -> String {
            var w = ""
            while let c = p.first, !(c == " " || c == "\t" || c == "]" || c == "[" || c == ":" || c == ",") {
                w.append(c)
                p = p.dropFirst()
            }
            return w
        }
        func number(_ key: String) throws(ScriptError) -> Double {
            let w = word()
            guard let v = SeriesNotation.parseFloat(w) else {
                throw ScriptError(line: line, "invalid number \(GoQuote.quote(w)) for \(key) in histogram")
            }
            return v
        }
        func list(_ key: String) throws(ScriptError) -> [Double] {
            guard p.first == "[" else { throw ScriptError(line: line, "expected [ after \(key) in histogram") }
            p = p.dropFirst()
            var out: [Double] = []
            while true {
                skipSpace()
                guard let c = p.first else { throw ScriptError(line: line, "unterminated list in histogram") }
                if c == "]" { p = p.dropFirst(); return out }
                out.append(try number(key))
            }
        }
        func integer(_ key: String) throws(ScriptError) -> Int32 {
            let v = try number(key)
            guard v == v.rounded(), Swift.abs(v) < 1e9 else { throw ScriptError(line: line, "invalid integer for \(key) in histogram") }
            return Int32(v)
        }
        while true {
            skipSpace()
            if p.isEmpty { break }
            let key = word()
            guard p.first == ":" else { throw ScriptError(line: line, "expected : after \(GoQuote.quote(key)) in histogram") }
            p = p.dropFirst()
            skipSpace()
            guard seen.insert(key).inserted else { throw ScriptError(line: line, "duplicate key \"\(key)\" in histogram") }
            switch key {
            case "schema": h.schema = try integer(key)
            case "sum": h.sum = try number(key)
            case "count": h.count = try number(key)
            case "z_bucket": h.zeroCount = try number(key)
            case "z_bucket_w": h.zeroThreshold = try number(key)
            case "buckets": buckets = try list(key)
            case "n_buckets": nBuckets = try list(key)
            case "offset": offset = try integer(key)
            case "n_offset": nOffset = try integer(key)
            case "custom_values": h.customValues = try list(key)
            case "counter_reset_hint":
                hintSet = true
                switch word() {
                case "unknown": h.counterResetHint = .unknown
                case "reset": h.counterResetHint = .counterReset
                case "not_reset": h.counterResetHint = .notCounterReset
                case "gauge": h.counterResetHint = .gauge
                case let w: throw ScriptError(line: line, "invalid counter_reset_hint \(GoQuote.quote(w))")
                }
            default:
                throw ScriptError(line: line, "unknown histogram key \(GoQuote.quote(key))")
            }
        }
        if !buckets.isEmpty {
            h.positiveSpans = [HistogramSpan(offset: offset, length: UInt32(buckets.count))]
            h.positiveBuckets = buckets
        }
        if !nBuckets.isEmpty {
            h.negativeSpans = [HistogramSpan(offset: nOffset, length: UInt32(nBuckets.count))]
            h.negativeBuckets = nBuckets
        }
        return (Parsed(histogram: h, hintSet: hintSet), rest)
    }
}
