import SundialCore

extension Parser {
    /// A number token's value, like Prometheus `parseNumber`: Go `ParseInt(s, 0, 64)` first
    /// (so `0x1f` is hex and `017` octal), else `ParseFloat`; `Inf`/`NaN` in any case.
    func parseNumber(_ t: Token) throws(ParseError) -> Double {
        var s = text(t)
        if s.contains("_") { s.removeAll { $0 == "_" } }
        switch s.lowercased() {
        case "inf": return .infinity
        case "nan": return .nan
        default: break
        }
        let u = Array(s.utf8)
        if u.count > 2 && u[0] == UInt8(ascii: "0") && (u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X")) {
            if let v = Int64(String(decoding: u[2...], as: UTF8.self), radix: 16) { return Double(v) }
            throw error("error parsing number: strconv.ParseFloat: parsing \(GoQuote.quote(s)): invalid syntax", t.position)
        }
        if u.allSatisfy(isDigit) {
            if u.count > 1 && u[0] == UInt8(ascii: "0") && u.allSatisfy({ $0 < UInt8(ascii: "8") }) {
                if let v = Int64(String(decoding: u[1...], as: UTF8.self), radix: 8) { return Double(v) }
            } else if let v = Int64(s) {
                return Double(v)
            }
        }
        // Decimal float; the lexer guarantees digits, '.', an optional exponent.
        guard let v = Double(s), !(u.last.map { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } ?? false) else {
            throw error("error parsing number: strconv.ParseFloat: parsing \(GoQuote.quote(s)): invalid syntax", t.position)
        }
        return v
    }

    /// A duration token in milliseconds, like Prometheus `model.ParseDuration`: units
    /// `y w d h m s ms`, each at most once and in that order; no fractions.
    func parseDuration(_ t: Token) throws(ParseError) -> Int64 {
        let s = text(t)
        let ms: Int64
        switch Parser.durationMilliseconds(Array(s.utf8)) {
        case .success(let v): ms = v
        case .failure(.outOfRange): throw error("duration out of range", t.position)
        case .failure(.invalid): throw error("not a valid duration string: \(GoQuote.quote(s))", t.position)
        }
        if !options.durationExpressions && ms == 0 {
            throw error("duration must be greater than 0", t.position)
        }
        return ms
    }

    /// Why a duration failed to parse.
    enum DurationFailure: Error { case invalid, outOfRange }

    /// Parses `1h30m`-style text. Like `model.ParseDuration`, the total must fit in Go's
    /// `time.Duration` (int64 nanoseconds, about 292 years).
    static func durationMilliseconds(_ u: [UInt8]) -> Result<Int64, DurationFailure> {
        let maxMs = Int64.max / 1_000_000
        // Unit order: y w d h m s ms; `rank` must strictly increase.
        let unitMs: [Int64] = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1]
        var i = 0
        var lastRank = -1
        var total: Int64 = 0
        if u.isEmpty { return .failure(.invalid) }
        while i < u.count {
            var n: Int64 = 0
            let digitsStart = i
            while i < u.count && isDigit(u[i]) {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(u[i] - 0x30))
                if o1 || o2 { return .failure(.outOfRange) }
                n = a
                i += 1
            }
            if i == digitsStart || i >= u.count { return .failure(.invalid) }
            let rank: Int
            switch u[i] {
            case UInt8(ascii: "y"): rank = 0
            case UInt8(ascii: "w"): rank = 1
            case UInt8(ascii: "d"): rank = 2
            case UInt8(ascii: "h"): rank = 3
            case UInt8(ascii: "m"):
                if i + 1 < u.count && u[i + 1] == UInt8(ascii: "s") {
                    rank = 6
                    i += 1
                } else {
                    rank = 4
                }
            case UInt8(ascii: "s"): rank = 5
            default: return .failure(.invalid)
            }
            i += 1
            if rank <= lastRank { return .failure(.invalid) }
            lastRank = rank
            let (v, o1) = n.multipliedReportingOverflow(by: unitMs[rank])
            let (sum, o2) = total.addingReportingOverflow(v)
            if o1 || o2 || sum > maxMs { return .failure(.outOfRange) }
            total = sum
        }
        return .success(total)
    }

    /// Decodes a string token: Go escapes in `"..."` and `'...'`, none in backquotes.
    /// `\x` and octal escapes produce raw bytes; a result that is not valid UTF-8 has the bad
    /// bytes replaced by U+FFFD (Swift strings are always valid Unicode).
    func unquote(_ t: Token) throws(ParseError) -> String {
        let start = t.position.start
        let end = t.position.end
        let quote = bytes[start]
        if quote == UInt8(ascii: "`") {
            return String(decoding: bytes[(start + 1)..<(end - 1)], as: UTF8.self)
        }
        var fast = true
        for b in bytes[(start + 1)..<(end - 1)] where b == UInt8(ascii: "\\") { fast = false; break }
        if fast { return String(decoding: bytes[(start + 1)..<(end - 1)], as: UTF8.self) }
        return String(decoding: try unquotedBytes(t), as: UTF8.self)
    }

    /// The bytes a string token decodes to (Go's `strconv.Unquote`): escapes applied, possibly
    /// not valid UTF-8 (`\x` and octal escapes give raw bytes).
    func unquotedBytes(_ t: Token) throws(ParseError) -> [UInt8] {
        let start = t.position.start
        let end = t.position.end
        if bytes[start] == UInt8(ascii: "`") { return Array(bytes[(start + 1)..<(end - 1)]) }
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var i = start + 1
        let last = end - 1
        while i < last {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = UInt32(e - 0x30)
                for _ in 0..<2 {
                    v = v * 8 + digitValue(bytes[i])
                    i += 1
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "x"):
                let v = digitValue(bytes[i]) * 16 + digitValue(bytes[i + 1])
                i += 2
                out.append(UInt8(truncatingIfNeeded: v))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "u") ? 4 : 8
                var v: UInt32 = 0
                for _ in 0..<n {
                    v = v * 16 + digitValue(bytes[i])
                    i += 1
                }
                // The lexer rejected surrogates and values above U+10FFFF.
                guard let scalar = Unicode.Scalar(v) else {
                    throw error("escape sequence is an invalid Unicode code point", t.position)
                }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("unknown escape sequence", t.position)
            }
        }
        return out
    }
}
