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

    /// A node 2.42 evaluates with `rangeEval`.
    private func evalRangeEvalNode(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        let original = currentSamples
        let depth = profiles.count
        let v = try evalNode(expr, grid)
        let output = Evaluator.stepCounts(v, steps: grid.count) ?? []
        let inputs = profiles[depth...].compactMap { $0 }
        profiles.removeSubrange(depth...)
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
