import SundialCore
import PromQLSyntax

/// `--query.max-samples` accounting as Prometheus 2.42's evaluator does it (`promql/engine.go`:
/// `currentSamples`, checked against `maxSamples`), so a query fails at exactly the limits where
/// 2.42 fails:
///
/// - An instant selector holds its output points (`vectorSelector`); a range selector its window
///   points (`matrixSelector`).
/// - Nodes evaluated by `rangeEval` (number literals, aggregations, binary operators, functions
///   without a range argument) first evaluate their inputs in order, each leaving its output held;
///   then, step by step, hold the input points of the step on top, plus every output point so far
///   (the step's inputs are released at the next step); afterwards they hold exactly their output.
/// - A function over a range argument holds, per series in turn, the window points of the current
///   step plus the outputs of the series before; at the end of a series its outputs are added to
///   the window still held (the check `currentSamples + len(points) <= maxSamples`). Subquery
///   results stay held until the call ends; scalar parameters stay held.
extension Evaluator {
    /// Evaluates `expr` (``evalNode(_:_:)``) and applies 2.42's sample accounting for its kind.
    func eval(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        if grid.count > 1 && !isV3 && !inStepInvariant && Evaluator.isStepInvariant(expr) {
            switch expr {
            case .number, .string, .matrixSelector, .subquery: break
            default: return try evalStepInvariant(expr, grid)
            }
        }
        switch expr {
        case .paren, .unary:
            // Pass-throughs: the child's accounting and profile stand for the node's.
            return try evalNode(expr, grid)
        case .number, .aggregation, .binary:
            return try evalRangeEvalNode(expr, grid)
        case .call(let c):
            if Evaluator.rangeFunction(c.function) == nil {
                return try evalRangeEvalNode(expr, grid)
            }
            fallthrough
        default:
            // Leaves with their own accounting (selectors, range functions, subqueries, strings):
            // their scalar parameters are not rangeEval inputs of theirs.
            let depth = profiles.count
            let v = try evalNode(expr, grid)
            profiles.removeSubrange(depth...)
            profiles.append(Evaluator.stepCounts(v, steps: grid.count))
            return v
        }
    }

    /// 2.42's `AtModifierUnsafeFunctions`: their value depends on the evaluation time even when
    /// their arguments do not.
    static let atModifierUnsafe: Set<Function> = [
        .daysInMonth, .dayOfMonth, .dayOfWeek, .dayOfYear, .hour, .minute, .month, .year, .predictLinear, .time, .timestamp,
    ]

    /// Is `expr`'s value the same at every step (2.42 `preprocessExprHelper`): literals, selectors
    /// and subqueries with `@`, and operators, aggregations and functions (but the time-dependent
    /// ones) of such expressions only.
    static func isStepInvariant(_ expr: Expr) -> Bool {
        switch expr {
        case .number, .string: return true
        case .vectorSelector(let vs): return vs.at != nil
        case .matrixSelector(let ms): return ms.vectorSelector.at != nil
        case .subquery(let sq): return sq.at != nil
        case .paren(let p): return isStepInvariant(p.expr)
        case .unary(let u): return isStepInvariant(u.expr)
        case .aggregation(let a): return isStepInvariant(a.expr)
        case .binary(let b): return isStepInvariant(b.lhs) && isStepInvariant(b.rhs)
        case .call(let c): return !atModifierUnsafe.contains(c.function) && c.args.allSatisfy { isStepInvariant($0) }
        }
    }

    /// 2.42's `StepInvariantExpr` in a range query: the expression is evaluated once, at the first
    /// step, and its output copied to the other steps, each copied point held (and checked) in turn.
    private func evalStepInvariant(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        let depth = profiles.count
        inStepInvariant = true
        defer { inStepInvariant = false }
        let one = try eval(expr, StepGrid(start: grid.start, end: grid.start, interval: grid.interval))
        profiles.removeSubrange(depth...)
        let steps = grid.count
        let out: EvalValue
        switch one {
        case .scalar(let xs):
            out = .scalar([Double](repeating: xs.first ?? .nan, count: steps))
        case .vector(let ss):
            out = .vector(ss.map { s in
                var r = s
                r.values = [Double](repeating: s.values.first ?? 0, count: steps)
                r.present = [Bool](repeating: s.present.first ?? false, count: steps)
                if !s.histograms.isEmpty { r.histograms = [FloatHistogram?](repeating: s.histograms[0], count: steps) }
                return r
            })
        case .string, .matrix:
            out = one
        }
        let perStep = Evaluator.stepCounts(one, steps: 1)?.first ?? 0
        // `currentSamples` holds the single-step output now; each copy to a later step adds one.
        if currentSamples + perStep * (steps - 1) > options.maxSamples { throw EvaluationError.tooManySamples(options.maxSamples) }
        currentSamples += perStep * (steps - 1)
        profiles.append(Evaluator.stepCounts(out, steps: steps))
        return out
    }

    /// A node 2.42 evaluates with `rangeEval`.
    private func evalRangeEvalNode(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        let original = currentSamples
        let depth = profiles.count
        let v = try evalNode(expr, grid)
        let output = Evaluator.stepCounts(v, steps: grid.count) ?? []
        var inputs = profiles[depth...].compactMap { $0 }
        profiles.removeSubrange(depth...)
        if case .call(let c) = expr, c.function == .timestamp, case .vectorSelector = c.args.first?.unparenthesized {
            // `timestamp(selector)`: 2.42 reads the selector step by step inside rangeEval, never
            // holding its whole output: the step's selected points are the input.
            currentSamples = original
            inputs = [output]
        }
        try accountRangeEval(original: original, inputs: inputs, output: output)
        profiles.append(output)
        return v
    }

    /// 2.42 `rangeEval`: the inputs are held (`currentSamples` now); at step i the step's input
    /// points and the outputs of steps 0...i are held on top. Afterwards the node holds its output.
    func accountRangeEval(original: Int, inputs: [[Int]], output: [Int]) throws(EvaluationError) {
        let held = currentSamples
        let limit = options.maxSamples
        var produced = 0
        for i in output.indices {
            var gathered = 0
            for p in inputs where i < p.count { gathered += p[i] }
            produced += output[i]
            if held + gathered + produced > limit { throw EvaluationError.tooManySamples(limit) }
        }
        currentSamples = original + produced
    }

    /// Points per step of a value: a scalar has one at every step (2.42 evaluates it as a
    /// one-series matrix); nil for strings and range vectors.
    static func stepCounts(_ v: EvalValue, steps: Int) -> [Int]? {
        switch v {
        case .scalar: return [Int](repeating: 1, count: steps)
        case .vector(let ss): return stepCounts(ss, steps: steps)
        case .string, .matrix: return nil
        }
    }

    /// Points per step of instant-vector series.
    static func stepCounts(_ ss: [StepSeries], steps: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: steps)
        for s in ss {
            let p = s.present
            for i in 0..<min(steps, p.count) where p[i] { counts[i] &+= 1 }
        }
        return counts
    }

    /// The check 2.42 makes when a range function finished a series: the window of the last step
    /// is still held when the series' outputs are added.
    @inline(__always)
    func checkSeriesEnd(held: Int, lastWindow: Int, outputs: Int) throws(EvaluationError) {
        if currentSamples + held + lastWindow + outputs > options.maxSamples {
            throw EvaluationError.tooManySamples(options.maxSamples)
        }
    }
}
