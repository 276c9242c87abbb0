#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A duration written in a range (`[5m]`), subquery (`[30m:1m]`) or `offset`.
///
/// With the 2.42 grammar every duration is a ``literal(_:)``. With
/// ``ParserOptions/durationExpressions`` (Prometheus v3 "duration expressions") it may be
/// arithmetic over durations and numbers, `step()`, `range()`, `min_of(a, b)` and `max_of(a, b)`;
/// such an expression is evaluated per query with ``evaluate(stepMs:rangeMs:)``. Inside an
/// expression a plain number means seconds, as in Prometheus.
public indirect enum DurationExpr: Sendable, Equatable {
    /// A duration in milliseconds (`5m`, `1h30m`, or a bare number of seconds at the top level,
    /// which Prometheus v3 accepts and prints back as a duration). May be negative in `offset`.
    case literal(Int64)
    /// A plain number inside a duration expression, in seconds (`60` in `[60*30]`).
    case number(Double)
    /// `step()`: the query's resolution step (0 for instant queries).
    case step
    /// `range()`: the query's range, end minus start (0 for instant queries).
    case range
    /// `-e` or `+e`.
    case unary(UnaryOp, DurationExpr)
    /// `a op b`, op one of `+ - * / % ^`.
    case binary(BinaryOp, DurationExpr, DurationExpr)
    /// `(e)`, kept for printing.
    case paren(DurationExpr)
    /// `min_of(a, b)`.
    case minOf(DurationExpr, DurationExpr)
    /// `max_of(a, b)`.
    case maxOf(DurationExpr, DurationExpr)

    /// The value in milliseconds when this is a ``literal(_:)``; nil for expressions.
    public var literalMs: Int64? {
        if case .literal(let ms) = self { return ms }
        return nil
    }

    /// The value in seconds for a query with the given step and range (both milliseconds), as
    /// Prometheus's duration visitor computes it (float arithmetic; `%` is Go's `math.Mod`, `^` is `pow`).
    /// The caller converts to milliseconds (``evaluateMs(stepMs:rangeMs:)``) and checks the sign
    /// rules of the place it is used (a range must be > 0).
    public func evaluate(stepMs: Int64, rangeMs: Int64) -> Double {
        switch self {
        case .literal(let ms): return Double(ms) / 1000
        case .number(let v): return v
        case .step: return Double(stepMs) / 1000
        case .range: return Double(rangeMs) / 1000
        case .unary(let op, let e):
            let v = e.evaluate(stepMs: stepMs, rangeMs: rangeMs)
            return op == .minus ? -v : v
        case .paren(let e): return e.evaluate(stepMs: stepMs, rangeMs: rangeMs)
        case .minOf(let a, let b):
            return Swift.min(a.evaluate(stepMs: stepMs, rangeMs: rangeMs), b.evaluate(stepMs: stepMs, rangeMs: rangeMs))
        case .maxOf(let a, let b):
            return Swift.max(a.evaluate(stepMs: stepMs, rangeMs: rangeMs), b.evaluate(stepMs: stepMs, rangeMs: rangeMs))
        case .binary(let op, let a, let b):
            let l = a.evaluate(stepMs: stepMs, rangeMs: rangeMs)
            let r = b.evaluate(stepMs: stepMs, rangeMs: rangeMs)
            switch op {
            case .add: return l + r
            case .sub: return l - r
            case .mul: return l * r
            case .div: return l / r
            case .mod: return l.truncatingRemainder(dividingBy: r)
            case .pow: return pow(l, r)
            default: return .nan
            }
        }
    }

    /// ``evaluate(stepMs:rangeMs:)`` converted to whole milliseconds (truncated toward zero, as Go's
    /// `time.Duration(float)` conversion does); nil when the result is not finite or out of `Int64` range.
    public func evaluateMs(stepMs: Int64, rangeMs: Int64) -> Int64? {
        let ms = (evaluate(stepMs: stepMs, rangeMs: rangeMs) * 1000).rounded(.towardZero)
        guard ms.isFinite, ms > -9.2e18, ms < 9.2e18 else { return nil }
        return Int64(ms)
    }

    /// True when the value does not depend on the query (no `step()` or `range()`).
    public var isConstant: Bool {
        switch self {
        case .literal, .number: true
        case .step, .range: false
        case .unary(_, let e), .paren(let e): e.isConstant
        case .binary(_, let a, let b), .minOf(let a, let b), .maxOf(let a, let b): a.isConstant && b.isConstant
        }
    }

    /// Compares structure; numbers compare NaN-tolerantly.
    public static func == (a: DurationExpr, b: DurationExpr) -> Bool {
        switch (a, b) {
        case (.literal(let x), .literal(let y)): x == y
        case (.number(let x), .number(let y)): Expr.sameFloat(x, y)
        case (.step, .step), (.range, .range): true
        case (.unary(let o1, let e1), .unary(let o2, let e2)): o1 == o2 && e1 == e2
        case (.binary(let o1, let l1, let r1), .binary(let o2, let l2, let r2)): o1 == o2 && l1 == l2 && r1 == r2
        case (.paren(let e1), .paren(let e2)): e1 == e2
        case (.minOf(let l1, let r1), .minOf(let l2, let r2)), (.maxOf(let l1, let r1), .maxOf(let l2, let r2)):
            l1 == l2 && r1 == r2
        default: false
        }
    }
}
