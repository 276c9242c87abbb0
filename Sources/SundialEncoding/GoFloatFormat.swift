/// Go's `strconv.AppendFloat(f, fmt, -1, 64)` (shortest round-trip digits) for the three formats
/// Prometheus writes, plus Prometheus's JSON value rule. Pure; thread-safe.
///
/// Prometheus renders sample values in the HTTP API with `'f'`, switching to `'e'` when
/// `|f| < 1e-6` or `|f| >= 1e21` (`util/jsonutil/marshal.go` `MarshalFloat`; P2
/// `web/api/v1/api.go` `marshalPointJSON`), and in the text exposition format with `'g'`
/// (`expfmt` `writeFloat`). Specials are `NaN`, `+Inf`, `-Inf` in both.
///
/// The shortest digits come from Swift's `Double.description`, which (like Go's Ryū-based
/// `ryuFtoaShortest`) yields the shortest digit string that round-trips, choosing the one closest
/// to the exact value; only the layout differs, and is rebuilt here in Go's layout:
/// - `'f'`: `ddd.ddd` with no exponent and no trailing zeros (`1e6` → `1000000`, `0.1` → `0.1`).
/// - `'e'`: `d.ddde±XX`, at least two exponent digits (`1e-7` → `1e-07`, `1e21` → `1e+21`).
/// - `'g'`: `'e'` when the decimal exponent `x` (of `d.ddd × 10^x`) is `x < -4` or `x >= 6`, else `'f'`
///   (`1e6` → `1e+06`, `123456.5` → `123456.5`, `0.0001` → `0.0001`).
public enum GoFloatFormat {
    /// Appends Go `strconv.AppendFloat(v, 'f', -1, 64)`: plain decimal, shortest digits.
    /// `NaN` → `NaN`, infinities → `+Inf` / `-Inf` (Go itself writes these same spellings).
    public static func appendF(_ v: Double, to out: inout [UInt8]) {
        if appendSpecial(v, to: &out) { return }
        let d = Digits(v)
        d.appendFixed(to: &out)
    }

    /// Appends Go `strconv.AppendFloat(v, 'e', -1, 64)`: `d.ddde±XX`.
    public static func appendE(_ v: Double, to out: inout [UInt8]) {
        if appendSpecial(v, to: &out) { return }
        let d = Digits(v)
        d.appendExponent(to: &out)
    }

    /// Appends Go `strconv.AppendFloat(v, 'g', -1, 64)` (what `fmt`'s `%v` prints). Go's `ftoa.go`,
    /// case 'g': with shortest precision `eprec = 6`; `exp := digs.dp - 1`; `%e` iff
    /// `exp < -4 || exp >= eprec`, else `%f`. Note the text exposition format additionally writes
    /// `0`, `1` and `-1` literally (so `-0` prints as `0` there); that is the caller's rule.
    public static func appendG(_ v: Double, to out: inout [UInt8]) {
        if appendSpecial(v, to: &out) { return }
        let d = Digits(v)
        if d.isZero {
            d.appendFixed(to: &out)
            return
        }
        // ftoa.go, case 'g': eprec := prec (-1 → shortest); if eprec > nd && nd >= dp { eprec = nd };
        // if shortest { eprec = 6 }; exp := dp - 1; if exp < -4 || exp >= eprec → %e.
        let exp = d.pointPosition - 1
        if exp < -4 || exp >= 6 {
            d.appendExponent(to: &out)
        } else {
            d.appendFixed(to: &out)
        }
    }

    /// Appends a sample value the way Prometheus's JSON API renders it (without quotes):
    /// `'f'`, or `'e'` when `|v| < 1e-6` or `|v| >= 1e21` (zero is always `'f'`).
    public static func appendPrometheusJSON(_ v: Double, to out: inout [UInt8]) {
        if appendSpecial(v, to: &out) { return }
        let a = v.magnitude
        if a != 0 && (a < 1e-6 || a >= 1e21) {
            appendE(v, to: &out)
        } else {
            appendF(v, to: &out)
        }
    }

    /// Convenience: ``appendPrometheusJSON(_:to:)`` as a `String`.
    public static func prometheusJSON(_ v: Double) -> String {
        var b: [UInt8] = []
        appendPrometheusJSON(v, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Convenience: ``appendF(_:to:)`` as a `String`.
    public static func f(_ v: Double) -> String {
        var b: [UInt8] = []
        appendF(v, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Convenience: ``appendE(_:to:)`` as a `String`.
    public static func e(_ v: Double) -> String {
        var b: [UInt8] = []
        appendE(v, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Convenience: ``appendG(_:to:)`` as a `String`.
    public static func g(_ v: Double) -> String {
        var b: [UInt8] = []
        appendG(v, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    @inline(__always)
    private static func appendSpecial(_ v: Double, to out: inout [UInt8]) -> Bool {
        if v.isNaN {
            out.append(contentsOf: [0x4E, 0x61, 0x4E])  // NaN
            return true
        }
        if v.isInfinite {
            out.append(v < 0 ? 0x2D : 0x2B)
            out.append(contentsOf: [0x49, 0x6E, 0x66])  // Inf
            return true
        }
        return false
    }
}

/// Shortest round-trip decimal digits of a finite double: value = ±0.d₁d₂…dₙ × 10^pointPosition.
/// Digits live inline (at most 17 significant digits), so building one allocates nothing beyond
/// Swift's `description` string (which is a small, inline string for up to 15 bytes).
struct Digits {
    /// ASCII digits, no leading or trailing zeros (empty for zero).
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var count = 0
    /// Decimal point position relative to the first digit (Go's `decimalSlice.dp`).
    var pointPosition = 0
    var negative = false

    var isZero: Bool { count == 0 }

    init(_ v: Double) {
        negative = v.sign == .minus
        if v == 0 { return }
        // Swift's description: "[-]ddd.ddd", "[-]d.ddde[+-]xx", "[-]ddde[+-]xx" or "[-]0.000ddd".
        var sawPoint = false
        var digitsBeforePoint = 0
        var leadingZerosAfterPoint = 0
        var exp = 0
        var expNegative = false
        var inExponent = false
        var started = false  // seen a non-zero digit
        for c in v.description.utf8 {
            if inExponent {
                if c == UInt8(ascii: "-") {
                    expNegative = true
                } else if c >= 0x30 && c <= 0x39 {
                    exp = exp * 10 + Int(c &- 0x30)
                }
                continue
            }
            switch c {
            case UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "."):
                sawPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case 0x30...0x39:
                if !started && c == 0x30 {
                    if sawPoint { leadingZerosAfterPoint += 1 }
                    continue
                }
                started = true
                if !sawPoint { digitsBeforePoint += 1 }
                append(c)
            default:
                continue
            }
        }
        if expNegative { exp = -exp }
        // Strip trailing zeros ("100.0" → digits "1", "1000000.0").
        while count > 0 && digit(count - 1) == 0x30 { count -= 1 }
        if digitsBeforePoint > 0 {
            pointPosition = digitsBeforePoint + exp
        } else {
            pointPosition = -leadingZerosAfterPoint + exp
        }
    }

    private mutating func append(_ c: UInt8) {
        guard count < 24 else { return }  // description never yields more than 17 significant digits
        let word = count / 8, shift = UInt64((count % 8) * 8)
        switch word {
        case 0: digits.0 |= UInt64(c) << shift
        case 1: digits.1 |= UInt64(c) << shift
        default: digits.2 |= UInt64(c) << shift
        }
        count += 1
    }

    func digit(_ i: Int) -> UInt8 {
        let word = i / 8, shift = UInt64((i % 8) * 8)
        switch word {
        case 0: return UInt8(truncatingIfNeeded: digits.0 >> shift)
        case 1: return UInt8(truncatingIfNeeded: digits.1 >> shift)
        default: return UInt8(truncatingIfNeeded: digits.2 >> shift)
        }
    }

    /// Go `fmtF` with shortest precision.
    func appendFixed(to out: inout [UInt8]) {
        if negative { out.append(UInt8(ascii: "-")) }
        if count == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        if pointPosition > 0 {
            for i in 0..<pointPosition { out.append(i < count ? digit(i) : UInt8(ascii: "0")) }
            if count > pointPosition {
                out.append(UInt8(ascii: "."))
                for i in pointPosition..<count { out.append(digit(i)) }
            }
        } else {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            for _ in 0 ..< -pointPosition { out.append(UInt8(ascii: "0")) }
            for i in 0..<count { out.append(digit(i)) }
        }
    }

    /// Go `fmtE` with shortest precision: `d[.ddd]e±XX` (at least two exponent digits).
    func appendExponent(to out: inout [UInt8]) {
        if negative { out.append(UInt8(ascii: "-")) }
        if count == 0 {
            out.append(contentsOf: "0e+00".utf8)
            return
        }
        out.append(digit(0))
        if count > 1 {
            out.append(UInt8(ascii: "."))
            for i in 1..<count { out.append(digit(i)) }
        }
        out.append(UInt8(ascii: "e"))
        var exp = pointPosition - 1
        if exp < 0 {
            out.append(UInt8(ascii: "-"))
            exp = -exp
        } else {
            out.append(UInt8(ascii: "+"))
        }
        if exp < 10 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0") + UInt8(exp))
        } else if exp < 100 {
            out.append(UInt8(ascii: "0") + UInt8(exp / 10))
            out.append(UInt8(ascii: "0") + UInt8(exp % 10))
        } else {
            out.append(UInt8(ascii: "0") + UInt8(exp / 100))
            out.append(UInt8(ascii: "0") + UInt8(exp / 10 % 10))
            out.append(UInt8(ascii: "0") + UInt8(exp % 10))
        }
    }
}
