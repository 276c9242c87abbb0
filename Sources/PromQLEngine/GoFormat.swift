import Foundation
import SundialCore

/// Float formatting the way Go's `strconv.FormatFloat` and `fmt` print, where PromQL exposes it
/// (`count_values` labels, error messages).
enum GoFormat {
    /// Go's `strconv.Quote` of a byte string that may not be valid UTF-8: valid runes as
    /// ``GoQuote/quote(_:)`` prints them, each byte of an invalid sequence as `\xNN`.
    static func quote(bytes: [UInt8]) -> String {
        var out = "\""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
            if n > 0, i + n <= bytes.count, let rune = String(validating: bytes[i..<(i + n)], as: UTF8.self) {
                out += GoQuote.quote(rune).dropFirst().dropLast()
                i += n
            } else {
                let hex = String(b, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                i += 1
            }
        }
        return out + "\""
    }

    /// `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest decimal that round-trips, never in
    /// exponent form; `NaN`, `+Inf`, `-Inf`.
    static func shortest(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        // Swift's description is the shortest round-tripping form; expand any exponent.
        var s = "\(v)"
        var negative = false
        if s.hasPrefix("-") {
            negative = true
            s.removeFirst()
        }
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = String(s[..<e])
        }
        var intPart = s
        var frac = ""
        if let dot = s.firstIndex(of: ".") {
            intPart = String(s[..<dot])
            frac = String(s[s.index(after: dot)...])
        }
        var digits = intPart + frac
        var pointPos = intPart.count + exponent
        // Normalise leading zeros.
        while digits.count > 1 && digits.hasPrefix("0") && pointPos > 1 {
            digits.removeFirst()
            pointPos -= 1
        }
        var out: String
        if pointPos <= 0 {
            out = "0." + String(repeating: "0", count: -pointPos) + digits
        } else if pointPos >= digits.count {
            out = digits + String(repeating: "0", count: pointPos - digits.count)
        } else {
            let idx = digits.index(digits.startIndex, offsetBy: pointPos)
            out = String(digits[..<idx]) + "." + String(digits[idx...])
        }
        // Trim trailing fractional zeros and a dangling point.
        if out.contains(".") {
            while out.hasSuffix("0") { out.removeLast() }
            if out.hasSuffix(".") { out.removeLast() }
        }
        // Trim superfluous leading zeros of the integer part.
        while out.count > 1 && out.hasPrefix("0") && !out.hasPrefix("0.") { out.removeFirst() }
        if out == "0" && v.sign == .minus { return "-0" }
        return negative ? "-" + out : out
    }

    /// OpenMetrics float text (Prometheus `labels.FormatOpenMetricsFloat`): Go's `'g'` shortest
    /// form with `.0` appended when it has neither a point nor an exponent (`1` → `1.0`).
    static func openMetricsFloat(_ v: Double) -> String {
        let s = shortestG(v)
        if v.isNaN || v.isInfinite || s.contains(".") || s.contains("e") { return s }
        return s + ".0"
    }

    /// Go's `%v` for a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): shortest digits, exponent
    /// form `1e+20` when the exponent is < -4 or ≥ 21.
    static func shortestG(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let exp = Int((Swift.abs(v)).exponentBase10)
        if exp < -4 || exp >= 21 {
            // Swift prints e.g. 1e+20 as "1e+20"; normalise to Go's two-digit exponent.
            var s = "\(v)"
            if let e = s.firstIndex(of: "e") {
                let mant = String(s[..<e])
                var ex = String(s[s.index(after: e)...])
                var sign = "+"
                if ex.hasPrefix("-") { sign = "-"; ex.removeFirst() } else if ex.hasPrefix("+") { ex.removeFirst() }
                if ex.count < 2 { ex = "0" + ex }
                s = mant + "e" + sign + ex
            } else {
                s = shortest(v)
            }
            return s
        }
        return shortest(v)
    }

    /// `fmt.Sprintf("%.<precision>f", v)` (Go's `%f` is precision 6).
    static func float(_ v: Double, precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        // Error messages only: Foundation is fine off the hot path.
        return String(format: "%.\(precision)f", v)
    }
}

extension Double {
    /// floor(log10(|self|)) for finite non-zero values.
    var exponentBase10: Double { Foundation.log10(self).rounded(.down) }
}
