import SundialCore

/// Renders an ``Expr`` as canonical single-line PromQL, the way Prometheus's `Expr.String()`
/// prints it (`promql/parser/printer.go`): `sum by (a) (x)`, `a + on (b) group_left (c) d`,
/// matchers sorted and joined with `,`, `@` before `offset`, durations in `model.Duration` form,
/// numbers in Go's shortest `%f` form.
///
/// Two deliberate differences, both so that `parse(print(e)) == e`: `Inf` as the left operand of
/// `^` prints as `Inf`, not `+Inf` (which would re-parse as a unary plus over the power); and
/// Prometheus drops `ignoring ()` with an empty label list even when
/// `group_left`/`group_right` follows, which changes the meaning on re-parse; we keep it.
///
/// Stateless; safe from any thread.
public enum Printer {
    /// The canonical text of `expr`.
    public static func print(_ expr: Expr) -> String {
        var out = ""
        out.reserveCapacity(64)
        write(expr, to: &out)
        return out
    }

    /// Appends the canonical text of `expr` to `out`.
    public static func write(_ expr: Expr, to out: inout String) {
        switch expr {
        case .number(let n):
            if n.isDuration, n.value.isFinite, abs(n.value) < 9e15 {
                let ms = Int64((n.value * 1000).rounded())
                out += ms < 0 ? "-" + formatDuration(-ms) : formatDuration(ms)
            } else {
                out += formatNumber(n.value)
            }
        case .string(let s):
            out += GoQuote.quote(s.value)
        case .paren(let p):
            out += "("
            write(p.expr, to: &out)
            out += ")"
        case .unary(let u):
            out += u.op.description
            write(u.expr, to: &out)
        case .vectorSelector(let vs):
            writeSelector(vs, to: &out)
            writeAtOffset(at: vs.at, offset: vs.offset, to: &out)
            writeRangeModifiers(vs, to: &out)
        case .matrixSelector(let ms):
            writeSelector(ms.vectorSelector, to: &out)
            out += "["
            writeDuration(ms.range, to: &out)
            out += "]"
            writeAtOffset(at: ms.vectorSelector.at, offset: ms.vectorSelector.offset, to: &out)
            writeRangeModifiers(ms.vectorSelector, to: &out)
        case .subquery(let sq):
            write(sq.expr, to: &out)
            out += "["
            writeDuration(sq.range, to: &out)
            out += ":"
            if let step = sq.step { writeDuration(step, to: &out) }
            out += "]"
            writeAtOffset(at: sq.at, offset: sq.offset, to: &out)
        case .call(let c):
            out += c.function.rawValue
            out += "("
            for (i, a) in c.args.enumerated() {
                if i > 0 { out += ", " }
                write(a, to: &out)
            }
            out += ")"
        case .aggregation(let a):
            out += a.op.rawValue
            if a.without {
                out += " without ("
                writeLabels(a.grouping, to: &out)
                out += ") "
            } else if !a.grouping.isEmpty {
                out += " by ("
                writeLabels(a.grouping, to: &out)
                out += ") "
            }
            out += "("
            if let p = a.param {
                write(p, to: &out)
                out += ", "
            }
            write(a.expr, to: &out)
            out += ")"
        case .binary(let b):
            if b.op == .pow, case .number(let n) = b.lhs, n.value == .infinity, !n.isDuration {
                // `+Inf ^ x` would re-parse as `+(Inf ^ x)` (a sign binds looser than `^`).
                out += "Inf"
            } else {
                write(b.lhs, to: &out)
            }
            out += " "
            out += b.op.description
            if b.returnBool { out += " bool" }
            if let m = b.matching {
                let grouped = m.cardinality == .manyToOne || m.cardinality == .oneToMany
                if !m.matchingLabels.isEmpty || m.on || grouped {
                    out += m.on ? " on (" : " ignoring ("
                    writeLabels(m.matchingLabels, to: &out)
                    out += ")"
                    if grouped {
                        out += m.cardinality == .manyToOne ? " group_left (" : " group_right ("
                        writeLabels(m.include, to: &out)
                        out += ")"
                    }
                }
                if let l = m.fillLeft, let r = m.fillRight, Expr.sameFloat(l, r) {
                    out += " fill(" + formatNumber(l) + ")"
                } else {
                    if let l = m.fillLeft { out += " fill_left(" + formatNumber(l) + ")" }
                    if let r = m.fillRight { out += " fill_right(" + formatNumber(r) + ")" }
                }
            }
            out += " "
            write(b.rhs, to: &out)
        }
    }

    private static func writeLabels(_ labels: [String], to out: inout String) {
        for (i, l) in labels.enumerated() {
            if i > 0 { out += ", " }
            out += isLegacyLabelName(l) ? l : GoQuote.quote(l)
        }
    }

    private static func writeSelector(_ vs: VectorSelector, to out: inout String) {
        var parts: [String] = []
        parts.reserveCapacity(vs.matchers.count)
        let printName = vs.name.map(isLegacyMetricName) ?? false
        for m in vs.matchers {
            if printName, m.name == "__name__", m.type == .equal, m.value == vs.name { continue }
            let name = isLegacyLabelName(m.name) ? m.name : GoQuote.quote(m.name)
            parts.append(name + m.type.description + GoQuote.quote(m.value))
        }
        if printName, let name = vs.name { out += name }
        if parts.isEmpty { return }
        // Go sorts the strings bytewise.
        parts.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        out += "{"
        for (i, p) in parts.enumerated() {
            if i > 0 { out += "," }
            out += p
        }
        out += "}"
    }

    private static func writeAtOffset(at: AtModifier?, offset: DurationExpr?, to out: inout String) {
        switch at {
        case .timestamp(let ms)?: out += " @ " + formatMillisAsSeconds(ms)
        case .start?: out += " @ start()"
        case .end?: out += " @ end()"
        case nil: break
        }
        if let offset {
            out += " offset "
            writeDuration(offset, to: &out)
        }
    }

    private static func writeRangeModifiers(_ vs: VectorSelector, to out: inout String) {
        if vs.anchored { out += " anchored" }
        if vs.smoothed { out += " smoothed" }
    }

    /// Prints a duration: literals as `model.Duration` (`-` prefixed when negative), expressions
    /// with single spaces around binary operators.
    static func writeDuration(_ d: DurationExpr, to out: inout String) {
        switch d {
        case .literal(let ms): out += ms < 0 ? "-" + formatDuration(-ms) : formatDuration(ms)
        case .number(let v): out += formatNumber(v)
        case .step: out += "step()"
        case .range: out += "range()"
        case .unary(let op, let e):
            out += op.description
            writeDuration(e, to: &out)
        case .paren(let e):
            out += "("
            writeDuration(e, to: &out)
            out += ")"
        case .binary(let op, let a, let b):
            writeDuration(a, to: &out)
            out += " " + op.description + " "
            writeDuration(b, to: &out)
        case .minOf(let a, let b), .maxOf(let a, let b):
            if case .minOf = d { out += "min_of(" } else { out += "max_of(" }
            writeDuration(a, to: &out)
            out += ", "
            writeDuration(b, to: &out)
            out += ")"
        }
    }

    /// Prometheus `model.Duration.String()`: `0s`, else units y w d h m s ms, years and weeks only
    /// when they divide exactly. `ms` must be >= 0.
    public static func formatDuration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var r = ""
        func unit(_ name: String, _ mult: Int64, exact: Bool) {
            if exact && rest % mult != 0 { return }
            let v = rest / mult
            if v > 0 {
                r += String(v) + name
                rest -= v * mult
            }
        }
        unit("y", 365 * 86_400_000, exact: true)
        unit("w", 7 * 86_400_000, exact: true)
        unit("d", 86_400_000, exact: false)
        unit("h", 3_600_000, exact: false)
        unit("m", 60_000, exact: false)
        unit("s", 1000, exact: false)
        unit("ms", 1, exact: false)
        return r
    }

    /// `%.3f` of `ms / 1000`, exactly (Prometheus prints `@` timestamps this way).
    static func formatMillisAsSeconds(_ ms: Int64) -> String {
        let neg = ms < 0
        let mag = ms.magnitude
        let frac = String(mag % 1000)
        return (neg ? "-" : "") + String(mag / 1000) + "." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    /// Go's `%v` for a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`), which Prometheus 2.42's
    /// `NumberLiteral.String()` uses: the shortest digits that round-trip, in exponent form when
    /// the decimal exponent is < -4 or >= 6 (`1e+06`, `1.4567904e+09`, `1e-05`), else plain
    /// (`123456`, `0.0001`); `+Inf`, `-Inf`, `NaN`. Checked against 2.42's `format_query` output.
    public static func formatNumber(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let (negative, digits, pointPos) = shortestDigits(v)
        var out = negative ? "-" : ""
        if digits == [UInt8(ascii: "0")] { return out + "0" }
        let exp = pointPos - 1
        // strconv 'g' with the shortest precision decides with eprec = 6.
        if exp < -4 || exp >= 6 {
            out += String(decoding: digits[0..<1], as: UTF8.self)
            if digits.count > 1 { out += "." + String(decoding: digits[1...], as: UTF8.self) }
            out += exp < 0 ? "e-" : "e+"
            let e = String(abs(exp))
            out += (e.count < 2 ? "0" : "") + e
            return out
        }
        if pointPos <= 0 {
            out += "0." + String(repeating: "0", count: -pointPos) + String(decoding: digits, as: UTF8.self)
        } else if pointPos >= digits.count {
            out += String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: pointPos - digits.count)
        } else {
            out += String(decoding: digits[0..<pointPos], as: UTF8.self) + "." + String(decoding: digits[pointPos...], as: UTF8.self)
        }
        return out
    }

    /// The shortest round-trip decimal digits of a finite `v` (no leading/trailing zeros) and the
    /// position of the decimal point relative to the first digit (`0.0012` → "12", -2).
    static func shortestDigits(_ v: Double) -> (negative: Bool, digits: [UInt8], pointPos: Int) {
        // Swift's description is the shortest round-trip form, possibly with an exponent.
        let s = Array(v.description.utf8)
        var i = 0
        var negative = false
        if i < s.count && s[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var digits: [UInt8] = []
        var pointPos = 0
        var seenPoint = false
        var exponent = 0
        while i < s.count {
            let c = s[i]
            if c == UInt8(ascii: ".") {
                seenPoint = true
            } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                exponent = Int(String(decoding: s[(i + 1)...], as: UTF8.self)) ?? 0
                break
            } else {
                digits.append(c)
                if !seenPoint { pointPos += 1 }
            }
            i += 1
        }
        pointPos += exponent
        while digits.count > 1 && digits.first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPos -= 1
        }
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (negative, digits, pointPos)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isLegacyLabelName(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            if !(isAlpha(b) || (!first && isDigit(b))) { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isLegacyMetricName(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            if !(isAlpha(b) || b == UInt8(ascii: ":") || (!first && isDigit(b))) { return false }
            first = false
        }
        return !first
    }
}

extension Expr: CustomStringConvertible {
    /// The canonical PromQL text (``Printer/print(_:)``).
    public var description: String { Printer.print(self) }
}
