import SundialCore

extension Printer {
    /// The line length above which ``pretty(_:)`` splits a node (Prometheus `maxCharactersPerLine`).
    public static let maxCharactersPerLine = 100

    /// Multi-line canonical form, as Prometheus 2.42's `parser.Prettify` renders it for
    /// `/api/v1/format_query` (`promql/parser/prettier.go`): a node whose single-line form is
    /// longer than ``maxCharactersPerLine`` bytes is split, children indented two spaces per level;
    /// selectors, literals and matrix selectors never split. Short expressions come out exactly as
    /// ``print(_:)``.
    ///
    /// - Complexity: O(n · d) for a tree of n nodes and depth d (each level measures its subtree).
    public static func pretty(_ expr: Expr) -> String {
        var out = ""
        writePretty(expr, level: 0, to: &out)
        return out
    }

    private static func indent(_ level: Int, _ out: inout String) {
        for _ in 0..<level { out += "  " }
    }

    /// Prometheus `needsSplit`: the node's single-line form is longer than the limit.
    private static func needsSplit(_ e: Expr) -> (Bool, String) {
        let s = print(e)
        return (s.utf8.count > maxCharactersPerLine, s)
    }

    private static func writePretty(_ e: Expr, level: Int, to out: inout String) {
        switch e {
        case .aggregation(let a):
            let (split, flat) = needsSplit(e)
            indent(level, &out)
            guard split else {
                out += flat
                return
            }
            out += a.op.rawValue
            if a.without {
                out += " without (" + a.grouping.map(labelText).joined(separator: ", ") + ") "
            } else if !a.grouping.isEmpty {
                out += " by (" + a.grouping.map(labelText).joined(separator: ", ") + ") "
            }
            out += "(\n"
            if let p = a.param {
                writePretty(p, level: level + 1, to: &out)
                out += ",\n"
            }
            writePretty(a.expr, level: level + 1, to: &out)
            out += "\n"
            indent(level, &out)
            out += ")"
        case .binary(let b):
            let (split, flat) = needsSplit(e)
            guard split else {
                indent(level, &out)
                out += flat
                return
            }
            writePretty(b.lhs, level: level + 1, to: &out)
            out += "\n"
            indent(level, &out)
            out += b.op.description
            if b.returnBool { out += " bool" }
            out += matchingText(b)
            out += "\n"
            writePretty(b.rhs, level: level + 1, to: &out)
        case .call(let c):
            let (split, flat) = needsSplit(e)
            indent(level, &out)
            guard split else {
                out += flat
                return
            }
            out += c.function.rawValue + "(\n"
            for (i, arg) in c.args.enumerated() {
                if i > 0 { out += ",\n" }
                writePretty(arg, level: level + 1, to: &out)
            }
            out += "\n"
            indent(level, &out)
            out += ")"
        case .paren(let p):
            let (split, flat) = needsSplit(e)
            indent(level, &out)
            guard split else {
                out += flat
                return
            }
            out += "(\n"
            writePretty(p.expr, level: level + 1, to: &out)
            out += "\n"
            indent(level, &out)
            out += ")"
        case .subquery(let sq):
            let (split, flat) = needsSplit(e)
            guard split else {
                // Prometheus 2.42 writes an unsplit subquery without its indentation.
                out += flat
                return
            }
            writePretty(sq.expr, level: level, to: &out)
            out += subquerySuffix(sq)
        case .unary(let u):
            var child = ""
            writePretty(u.expr, level: level, to: &child)
            indent(level, &out)
            out += u.op.description
            out += child.drop(while: { $0 == " " || $0 == "\n" || $0 == "\t" })
        case .number, .string, .vectorSelector, .matrixSelector:
            indent(level, &out)
            write(e, to: &out)
        }
    }

    private static func labelText(_ l: String) -> String {
        isLegacyLabelName(l) ? l : GoQuote.quote(l)
    }

    /// The `on (...) group_left (...)` / fill part of a binary expression, as ``print(_:)`` writes it.
    private static func matchingText(_ b: BinaryExpr) -> String {
        // Print a two-leaf expression and cut out what lies between the operator and the right side.
        var probe = b
        probe.lhs = .number(NumberLiteral(value: 0, position: SourceRange(start: 0, end: 0)))
        probe.rhs = .number(NumberLiteral(value: 0, position: SourceRange(start: 0, end: 0)))
        let s = print(.binary(probe))
        let prefix = "0 " + b.op.description + (b.returnBool ? " bool" : "")
        return String(s.dropFirst(prefix.count).dropLast(2))
    }

    /// `[range:step] @ t offset d` of a subquery.
    private static func subquerySuffix(_ sq: Subquery) -> String {
        var probe = sq
        probe.expr = .vectorSelector(VectorSelector(
            name: "x", matchers: [LabelMatcher.equal("__name__", "x")], position: SourceRange(start: 0, end: 0)))
        return String(print(.subquery(probe)).dropFirst())
    }
}
