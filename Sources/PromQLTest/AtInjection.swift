import SundialCore
import PromQLSyntax

/// Rewrites an expression the way Prometheus's test runner does for its `@` re-checks
/// (`atModifierTestCases` in `promql/test.go`): every selector and subquery without `@` gets
/// `@ t`, except inside a subquery that already has one.
enum AtInjection {
    /// Functions whose result depends on the evaluation time; the runner skips `@` re-checks for them
    /// (Prometheus `AtModifierUnsafeFunctions`).
    static let unsafeFunctions: Set<Function> = [
        .daysInMonth, .dayOfMonth, .dayOfWeek, .dayOfYear, .hour, .minute, .month, .year,
        .predictLinear, .time, .timestamp,
        // v3: query-relative functions.
        .start, .end, .range, .step,
    ]

    /// True when a duration in `e` uses `step()` or `range()` (v3 duration expressions).
    static func usesQueryDurations(_ e: Expr) -> Bool {
        func dyn(_ d: DurationExpr?) -> Bool { d.map { !$0.isConstant } ?? false }
        var found = false
        walk(e) { x in
            switch x {
            case .vectorSelector(let v): if dyn(v.offset) { found = true }
            case .matrixSelector(let m): if dyn(m.range) || dyn(m.vectorSelector.offset) { found = true }
            case .subquery(let s): if dyn(s.range) || dyn(s.step) || dyn(s.offset) { found = true }
            default: break
            }
        }
        return found
    }

    /// True when `e` calls a function from ``unsafeFunctions``.
    static func containsUnsafe(_ e: Expr) -> Bool {
        var found = false
        walk(e) { if case .call(let c) = $0, unsafeFunctions.contains(c.function) { found = true } }
        return found
    }

    /// True when `e` calls one of the given functions.
    static func calls(_ e: Expr, _ fs: Set<Function>) -> Bool {
        var found = false
        walk(e) { if case .call(let c) = $0, fs.contains(c.function) { found = true } }
        return found
    }

    /// Visits every node, parents first.
    static func walk(_ e: Expr, _ visit: (Expr) -> Void) {
        visit(e)
        switch e {
        case .number, .string, .vectorSelector: break
        case .matrixSelector(let m): walk(.vectorSelector(m.vectorSelector), visit)
        case .subquery(let s): walk(s.expr, visit)
        case .call(let c): for a in c.args { walk(a, visit) }
        case .aggregation(let a):
            if let p = a.param { walk(p, visit) }
            walk(a.expr, visit)
        case .binary(let b):
            walk(b.lhs, visit)
            walk(b.rhs, visit)
        case .unary(let u): walk(u.expr, visit)
        case .paren(let p): walk(p.expr, visit)
        }
    }

    /// Every vector selector in `e` (including those of range selectors).
    static func selectors(_ e: Expr) -> [VectorSelector] {
        var out: [VectorSelector] = []
        walk(e) { if case .vectorSelector(let v) = $0 { out.append(v) } }
        return out
    }

    /// `e` with `@ t` (ms) on every selector and subquery lacking one.
    static func inject(_ e: Expr, _ t: Int64) -> Expr {
        switch e {
        case .number, .string: return e
        case .vectorSelector(var v):
            if v.at == nil { v.at = .timestamp(t) }
            return .vectorSelector(v)
        case .matrixSelector(var m):
            if m.vectorSelector.at == nil { m.vectorSelector.at = .timestamp(t) }
            return .matrixSelector(m)
        case .subquery(var s):
            // Selectors inside a subquery keep their own times: only the subquery gets `@`.
            if s.at == nil { s.at = .timestamp(t) }
            return .subquery(s)
        case .call(var c):
            c.args = c.args.map { inject($0, t) }
            return .call(c)
        case .aggregation(var a):
            if let p = a.param { a.param = inject(p, t) }
            a.expr = inject(a.expr, t)
            return .aggregation(a)
        case .binary(var b):
            b.lhs = inject(b.lhs, t)
            b.rhs = inject(b.rhs, t)
            return .binary(b)
        case .unary(var u):
            u.expr = inject(u.expr, t)
            return .unary(u)
        case .paren(var p):
            p.expr = inject(p.expr, t)
            return .paren(p)
        }
    }
}
