public import SundialCore
public import PromQLSyntax

extension PromQLFrontEnd {
    /// Prometheus `parser.ExtractSelectors`: the matchers of every vector selector in `s` (those
    /// inside range selectors and subqueries included), in the order they appear. Empty when the
    /// query has none (`/api/v1/query_exemplars` then answers 204 No Content).
    /// - Throws: `bad_data` with the parse error text.
    public static func selectorMatchers(_ s: String, options: ParserOptions = .prometheus2) throws(APIError) -> [[LabelMatcher]] {
        let expr: Expr
        do {
            expr = try Parser.parse(s, options: options)
        } catch {
            throw APIError.badData(error.description)
        }
        var out: [[LabelMatcher]] = []
        collectSelectors(expr, into: &out)
        return out
    }

    static func collectSelectors(_ e: Expr, into out: inout [[LabelMatcher]]) {
        switch e {
        case .number, .string: break
        case .vectorSelector(let vs): out.append(vs.matchers)
        case .matrixSelector(let m): out.append(m.vectorSelector.matchers)
        case .subquery(let s): collectSelectors(s.expr, into: &out)
        case .call(let c): for a in c.args { collectSelectors(a, into: &out) }
        case .aggregation(let a):
            if let p = a.param { collectSelectors(p, into: &out) }
            collectSelectors(a.expr, into: &out)
        case .binary(let b):
            collectSelectors(b.lhs, into: &out)
            collectSelectors(b.rhs, into: &out)
        case .unary(let u): collectSelectors(u.expr, into: &out)
        case .paren(let p): collectSelectors(p.expr, into: &out)
        }
    }
}
