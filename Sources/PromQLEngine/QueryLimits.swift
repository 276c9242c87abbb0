import PromQLSyntax

/// Per-query resource limits (Prometheus's `--query.*` flags plus the series, range and step caps
/// that multi-tenant front ends such as Mimir add). A `Sendable` value; every field uses 0 for
/// "unlimited".
///
/// Every exceeded limit fails the query with an ``EvaluationError`` whose API type is `execution`
/// (HTTP 422), except ``timeout`` which gives `timeout` (503). The message names the limit and
/// the value that crossed it.
public struct QueryLimits: Sendable, Hashable {
    /// Wall-clock limit per query, including evaluation but not the wait for a concurrency slot
    /// (`--query.timeout`). `.zero` = unlimited.
    public var timeout: Duration
    /// Most samples the query may hold in memory at once (`--query.max-samples`; Prometheus 2.42's
    /// `currentSamples` accounting). 0 = unlimited.
    public var maxSamples: Int
    /// Most series the query's selectors may select, summed over the selectors it evaluates
    /// (`--query.max-series`). Checked right after the index lookup, before any sample is decoded,
    /// so a query over too many series fails fast instead of exhausting memory. 0 = unlimited.
    public var maxSeries: Int
    /// Queries of one ``QueryLimiter`` evaluated at once (`--query.max-concurrency` for the
    /// engine-wide gate, see ``EngineOptions/maxConcurrentQueries``); more wait in FIFO order.
    /// 0 = no gate of its own.
    public var maxConcurrentQueries: Int
    /// Longest range query, `end - start`, in ms (`--query.max-range`). 0 = unlimited.
    public var maxRangeMs: Int64
    /// Longest range-selector window or subquery range (`[30d]`), in ms
    /// (`--query.max-selector-range`). 0 = unlimited.
    public var maxSelectorRangeMs: Int64
    /// Most points per series of a range query, `(end - start) / step + 1` (`--query.max-steps`).
    /// The HTTP API separately keeps Prometheus's fixed cap of 11,000 (a `bad_data` error).
    /// 0 = unlimited.
    public var maxSteps: Int

    /// Limits; every argument defaults to unlimited.
    public init(timeout: Duration = .zero, maxSamples: Int = 0, maxSeries: Int = 0, maxConcurrentQueries: Int = 0,
                maxRangeMs: Int64 = 0, maxSelectorRangeMs: Int64 = 0, maxSteps: Int = 0) {
        self.timeout = timeout
        self.maxSamples = maxSamples
        self.maxSeries = maxSeries
        self.maxConcurrentQueries = maxConcurrentQueries
        self.maxRangeMs = maxRangeMs
        self.maxSelectorRangeMs = maxSelectorRangeMs
        self.maxSteps = maxSteps
    }

    /// No limit at all.
    public static let unlimited = QueryLimits()

    /// Why the limits are unusable (a negative value), or nil.
    public var validationError: String? {
        if timeout < .zero { return "query timeout must not be negative" }
        if maxSamples < 0 { return "query max samples must not be negative" }
        if maxSeries < 0 { return "query max series must not be negative" }
        if maxConcurrentQueries < 0 { return "query max concurrency must not be negative" }
        if maxRangeMs < 0 { return "query max range must not be negative" }
        if maxSelectorRangeMs < 0 { return "query max selector range must not be negative" }
        if maxSteps < 0 { return "query max steps must not be negative" }
        return nil
    }

    /// The sample cap the evaluator compares against: "unlimited" becomes a value far above any
    /// real count yet small enough that `current + window` cannot overflow `Int`.
    var effectiveMaxSamples: Int { maxSamples > 0 ? maxSamples : Int.max >> 2 }

    /// The deadline of a query starting at `start`; unlimited becomes a century away.
    func deadline(from start: ContinuousClock.Instant) -> ContinuousClock.Instant {
        start.advanced(by: timeout > .zero ? timeout : .seconds(100 * 365 * 86_400))
    }

    // MARK: - Checks made before evaluation

    /// Checks a range query's span and step count against ``maxRangeMs`` and ``maxSteps``.
    /// `start <= end` and `step > 0` (ms) are the caller's to check first.
    func checkRange(start: Int64, end: Int64, step: Int64) throws(EvaluationError) {
        let span = end &- start
        if maxRangeMs > 0 && span > maxRangeMs {
            throw EvaluationError(
                .execution,
                "query range of \(QueryLimits.format(ms: span)) exceeds the limit of \(QueryLimits.format(ms: maxRangeMs)) (query.max-range)",
                limit: Int(clamping: maxRangeMs))
        }
        if maxSteps > 0 {
            let points = span / step + 1
            if points > Int64(maxSteps) {
                throw EvaluationError(
                    .execution,
                    "query would evaluate \(points) points per series, above the limit of \(maxSteps) (query.max-steps); increase the step or shorten the range",
                    limit: maxSteps)
            }
        }
    }

    /// Checks every range-selector window and subquery range of `expr` against
    /// ``maxSelectorRangeMs``. Duration expressions (v3) are evaluated for the query's
    /// `stepMs` and `rangeMs` as the evaluator will.
    func checkSelectorRanges(_ expr: Expr, stepMs: Int64, rangeMs: Int64) throws(EvaluationError) {
        guard maxSelectorRangeMs > 0 else { return }
        var stack: [Expr] = [expr]
        while let e = stack.popLast() {
            switch e {
            case .number, .string, .vectorSelector:
                break
            case .matrixSelector(let m):
                try checkWindow(m.range, "range selector", stepMs: stepMs, rangeMs: rangeMs)
            case .subquery(let s):
                try checkWindow(s.range, "subquery range", stepMs: stepMs, rangeMs: rangeMs)
                stack.append(s.expr)
            case .call(let c):
                stack.append(contentsOf: c.args)
            case .aggregation(let a):
                stack.append(a.expr)
                if let p = a.param { stack.append(p) }
            case .binary(let b):
                stack.append(b.lhs)
                stack.append(b.rhs)
            case .unary(let u):
                stack.append(u.expr)
            case .paren(let p):
                stack.append(p.expr)
            }
        }
    }

    private func checkWindow(_ d: DurationExpr, _ what: String, stepMs: Int64, rangeMs: Int64) throws(EvaluationError) {
        guard let ms = d.literalMs ?? d.evaluateMs(stepMs: stepMs, rangeMs: rangeMs) else { return }
        if ms > maxSelectorRangeMs {
            throw EvaluationError(
                .execution,
                "\(what) [\(QueryLimits.format(ms: ms))] exceeds the limit of \(QueryLimits.format(ms: maxSelectorRangeMs)) (query.max-selector-range)",
                limit: Int(clamping: maxSelectorRangeMs))
        }
    }

    /// The error for a query whose selectors selected more than ``maxSeries`` series.
    static func tooManySeries(_ limit: Int) -> EvaluationError {
        EvaluationError(.execution,
                        "query processing would select too many series: more than \(limit) series (query.max-series)",
                        limit: limit)
    }

    /// A duration in PromQL notation for messages (`31d`, `1h30m`, `500ms`): days at most, so a
    /// window reads as it is usually written (Prometheus itself would print `31d` as `4w3d`).
    static func format(ms: Int64) -> String {
        if ms <= 0 { return ms == 0 ? "0s" : "-" + format(ms: -ms) }
        var r = ms
        var out = ""
        for (u, size) in [("d", Int64(86_400_000)), ("h", 3_600_000),
                          ("m", 60_000), ("s", 1000), ("ms", 1)] where r >= size {
            out += "\(r / size)\(u)"
            r %= size
        }
        return out
    }
}

/// A set of ``QueryLimits`` with its own concurrency gate, shared by every query it governs (the
/// server's default limiter, or one per tenant). Pass it to the ``Engine`` query methods.
///
/// Thread-safe. Its gate (``QueryLimits/maxConcurrentQueries``) is acquired before the engine-wide
/// gate, so a tenant waiting for its own slot never holds a global one.
public final class QueryLimiter: Sendable {
    /// The limits.
    public let limits: QueryLimits
    /// The limiter's own concurrency gate; nil when ``QueryLimits/maxConcurrentQueries`` is 0.
    let gate: QueryGate?

    /// A limiter enforcing `limits` (negative values are treated as 0, unlimited).
    public init(_ limits: QueryLimits) {
        self.limits = limits
        gate = limits.maxConcurrentQueries > 0 ? QueryGate(limit: limits.maxConcurrentQueries) : nil
    }
}
