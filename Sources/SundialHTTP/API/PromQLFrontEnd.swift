public import SundialCore
public import PromQLSyntax

/// The parts of the query API that need only PromQL syntax, shared by every ``QueryEvaluator``
/// implementation: series selectors for `match[]`, `format_query`, selector detection for
/// exemplars. Pure; thread-safe.
public enum PromQLFrontEnd {
    /// Prometheus's `parser.ParseMetricSelector`: the input must be one vector selector without
    /// `offset`/`@`; returns its matchers (the parser guarantees one doesn't match "").
    /// - Throws: `bad_data` with the parse error text (`1:4: parse error: ...`).
    public static func parseSelector(_ s: String, options: ParserOptions = .prometheus2) throws(APIError) -> [LabelMatcher] {
        let expr: Expr
        do {
            expr = try Parser.parse(s, options: options)
        } catch {
            throw APIError.badData(error.description)
        }
        guard case .vectorSelector(let vs) = expr, vs.offset == nil, vs.at == nil else {
            throw APIError.badData("1:1: parse error: expected a series selector such as up{job=\"x\"}, got \(GoQuote.quote(s))")
        }
        return vs.matchers
    }

    /// `format_query`: the expression in canonical form, laid out as Prometheus 2.42 prints it
    /// (`Printer.pretty`: expressions longer than 100 characters split over lines).
    public static func format(_ s: String, options: ParserOptions = .prometheus2) throws(APIError) -> String {
        do {
            return Printer.pretty(try Parser.parse(s, options: options))
        } catch {
            throw APIError.badData(error.description)
        }
    }

    /// True when `s` parses and contains a vector selector (`parser.ExtractSelectors` non-empty).
    public static func hasSelectors(_ s: String, options: ParserOptions = .prometheus2) throws(APIError) -> Bool {
        do {
            return containsSelector(try Parser.parse(s, options: options))
        } catch {
            throw APIError.badData(error.description)
        }
    }

    static func containsSelector(_ e: Expr) -> Bool {
        switch e {
        case .number, .string: false
        case .vectorSelector, .matrixSelector: true
        case .subquery(let s): containsSelector(s.expr)
        case .call(let c): c.args.contains { containsSelector($0) }
        case .aggregation(let a): containsSelector(a.expr) || (a.param.map { containsSelector($0) } ?? false)
        case .binary(let b): containsSelector(b.lhs) || containsSelector(b.rhs)
        case .unary(let u): containsSelector(u.expr)
        case .paren(let p): containsSelector(p.expr)
        }
    }
}
