import SundialCore
import PromQLSyntax

extension Labels {
    /// Without `__name__`; in v3 also without the type-and-unit metadata labels `__type__` and
    /// `__unit__`, which describe the metric name and go with it (Prometheus 3 `DropReserved`).
    func droppingName(v3: Bool) -> Labels {
        guard v3, has("__type__") || has("__unit__") else { return droppingMetricName }
        return removing([Labels.metricName, "__type__", "__unit__"])
    }
}

/// Evaluates one parsed query over a ``StepGrid`` (Prometheus `promql.evaluator`).
///
/// Every node is evaluated for all steps at once: instant-vector values are dense per-step
/// arrays per series (``StepSeries``); range functions stream over series, fetching each series'
/// samples once for the whole query range into a reused buffer and sliding the window across the
/// steps. Not thread-safe: one evaluator per query.
final class Evaluator {
    let storage: any Queryable
    let options: EngineOptions
    /// Start and end of the whole query (for `@ start()` / `@ end()`), ms.
    let queryStart: Timestamp
    let queryEnd: Timestamp
    /// The query's step (0 for instant queries), for v3 duration expressions, ms.
    let queryStep: Int64
    let deadline: ContinuousClock.Instant
    /// Samples held by the query now (Prometheus `currentSamples`), checked against `maxSamples`.
    var currentSamples = 0
    /// Samples read or produced while evaluating (Prometheus `totalQueryableSamples`).
    var totalSamples = 0
    /// Most series the query's selectors may select in total (``QueryLimits/maxSeries``); 0 = unlimited.
    var maxSeries = 0
    /// Series selected so far, summed over selector evaluations, checked against ``maxSeries``.
    var seriesSelected = 0
    var warnings: [String] = []
    /// PromQL annotations (v3 only; see ``annotate(_:)``).
    var annotations = Annotations()
    /// Per-step point counts of the values evaluated so far whose parent has not consumed them
    /// (nil for strings and range vectors): the inputs of Prometheus 2.42's `rangeEval`
    /// accounting (see `Evaluator+SampleAccounting.swift`).
    var profiles: [[Int]?] = []
    /// Evaluating inside a step-invariant expression at a single step (2.42 `StepInvariantExpr`).
    var inStepInvariant = false
    private var checkCounter = 0
    /// Set when the query's task is cancelled while evaluation runs on a pool thread.
    var cancellation: CancellationFlag?
    /// Reused sample buffer for storage reads.
    var buffer = SampleBuffer()
    /// Reused native-histogram sample buffer for storage reads.
    var hbuffer = HistogramSampleBuffer()
    /// v3: positions of the selectors read in histogram-stats mode (see
    /// ``histogramStatsSelectors(_:)``), set by ``evalRoot(_:_:)``.
    var histogramStatsSelectors: Set<SourceRange> = []

    init(storage: any Queryable, options: EngineOptions, queryStart: Timestamp, queryEnd: Timestamp,
         queryStep: Int64, deadline: ContinuousClock.Instant) {
        self.storage = storage
        self.options = options
        self.queryStart = queryStart
        self.queryEnd = queryEnd
        self.queryStep = queryStep
        self.deadline = deadline
    }

    var isV3: Bool { options.semantics == .prometheus3 }
    /// v3 delayed `__name__` removal is on (see ``EngineOptions/delayedNameRemoval``).
    var delaysNameRemoval: Bool { isV3 && options.delayedNameRemoval }

    /// Drops `s`'s metric name now, or marks it for removal at the end with delayed name removal.
    @inline(__always)
    func dropName(_ s: inout StepSeries) {
        if delaysNameRemoval { s.dropName = true } else { s.labels = s.labels.droppingName(v3: isV3) }
    }

    // MARK: - Limits

    /// Checks cancellation and the deadline every 256 calls (cheap enough per series or per step).
    @inline(__always)
    func checkpoint() throws(EvaluationError) {
        checkCounter &+= 1
        if checkCounter & 255 == 0 { try checkNow() }
    }

    func checkNow() throws(EvaluationError) {
        if cancellation?.isCancelled == true || Task.isCancelled { throw EvaluationError.canceled() }
        if ContinuousClock.now > deadline { throw EvaluationError.timeout() }
    }

    /// Accounts for `n` more samples held in memory.
    @inline(__always)
    func hold(_ n: Int) throws(EvaluationError) {
        currentSamples += n
        if currentSamples > options.maxSamples { throw EvaluationError.tooManySamples(options.maxSamples) }
    }

    // MARK: - Modifiers

    /// A duration in ms: a literal, or a v3 duration expression evaluated for this query.
    func durationMs(_ d: DurationExpr?) throws(EvaluationError) -> Int64 {
        guard let d else { return 0 }
        if let ms = d.literalMs { return ms }
        guard let ms = d.evaluateMs(stepMs: queryStep, rangeMs: queryEnd - queryStart) else {
            throw EvaluationError(.execution, "duration expression evaluates to an invalid value")
        }
        return ms
    }

    /// The time an `@` modifier pins evaluation to, ms; nil without `@`.
    func atTime(_ at: AtModifier?) -> Timestamp? {
        switch at {
        case nil: nil
        case .timestamp(let t): t
        case .start: queryStart
        case .end: queryEnd
        }
    }

    // MARK: - Dispatch

    /// Evaluates `expr` at every step of `grid`, without the sample accounting of
    /// ``eval(_:_:)`` (which wraps it).
    func evalNode(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        try checkpoint()
        switch expr {
        case .number(let n):
            return .scalar([Double](repeating: n.value, count: grid.count))
        case .string(let s):
            return .string(s.value)
        case .paren(let p):
            return try eval(p.expr, grid)
        case .unary(let u):
            let v = try eval(u.expr, grid)
            guard u.op == .minus else { return v }
            switch v {
            case .scalar(let xs): return .scalar(xs.map { -$0 })
            case .vector(var ss):
                for i in ss.indices {
                    for j in ss[i].values.indices { ss[i].values[j] = -ss[i].values[j] }
                    for j in ss[i].histograms.indices {
                        if var h = ss[i].histograms[j] {
                            // Unary minus turns counters into gauges.
                            h = h.scaled(by: -1)
                            h.counterResetHint = .gauge
                            ss[i].histograms[j] = h
                        }
                    }
                    dropName(&ss[i])
                }
                return .vector(try checkUniqueLabels(ss))
            default:
                throw EvaluationError(.execution, "unary expression only allowed on expressions of type scalar or instant vector")
            }
        case .vectorSelector(let vs):
            return .vector(try evalVectorSelector(vs, grid))
        case .matrixSelector(let ms):
            guard grid.count == 1 else {
                throw EvaluationError(.execution, "cannot evaluate a range vector at more than one step")
            }
            return .matrix(try evalMatrixSelector(ms, at: grid.start))
        case .subquery(let sq):
            guard grid.count == 1 else {
                throw EvaluationError(.execution, "cannot evaluate a range vector at more than one step")
            }
            let series = try evalSubqueryRange(sq, grid)
            // Instant evaluation of a subquery: the points of its window at the evaluation time.
            let maxt = (atTime(sq.at) ?? grid.start) - (try durationMs(sq.offset))
            let mint = maxt - (try durationMs(sq.range))
            return .matrix(series.compactMap { s in
                var out = RangeSeries(labels: s.labels, timestamps: [], values: [], dropName: s.dropName)
                for k in s.timestamps.indices where s.timestamps[k] <= maxt && inWindow(s.timestamps[k], mint) {
                    out.timestamps.append(s.timestamps[k])
                    out.values.append(s.values[k])
                }
                for k in s.histogramTimestamps.indices where s.histogramTimestamps[k] <= maxt
                    && inWindow(s.histogramTimestamps[k], mint) {
                    out.histogramTimestamps.append(s.histogramTimestamps[k])
                    out.histograms.append(s.histograms[k])
                }
                return out.timestamps.isEmpty && !out.hasHistograms ? nil : out
            })
        case .call(let c):
            return try evalCall(c, grid)
        case .aggregation(let a):
            return try evalAggregation(a, grid)
        case .binary(let b):
            return try evalBinary(b, grid)
        }
    }

    /// Evaluates an expression that must be an instant vector, for float-only consumers: native
    /// histogram samples are removed (Prometheus 3 float functions and operators skip them).
    func evalVector(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries] {
        var v = try evalVectorWithHistograms(expr, grid)
        dropHistogramSamples(&v)
        return v
    }

    /// Evaluates an expression that must be an instant vector, histogram samples included.
    func evalVectorWithHistograms(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries] {
        switch try eval(expr, grid) {
        case .vector(let v): return v
        default: throw EvaluationError(.execution, "expected instant vector in \(expr.type)")
        }
    }

    /// Evaluates an expression that must be a scalar.
    func evalScalar(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> [Double] {
        switch try eval(expr, grid) {
        case .scalar(let v): return v
        default: throw EvaluationError(.execution, "expected scalar")
        }
    }

    /// Evaluates an expression that must be a string.
    func evalString(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> String {
        switch try eval(expr, grid) {
        case .string(let s): return s
        default: throw EvaluationError(.execution, "expected string")
        }
    }

    /// Is sample time `t` inside a window whose lower bound is `mint`? 2.42 windows are closed,
    /// v3 windows are left-open (`docs/migration.md` of Prometheus 3).
    @inline(__always)
    func inWindow(_ t: Timestamp, _ mint: Timestamp) -> Bool {
        isV3 ? t > mint : t >= mint
    }

    /// Evaluates the query's root: ``eval(_:_:)`` followed, with delayed name removal, by removing
    /// the marked names and the duplicate check on the final labels (Prometheus `cleanupMetricLabels`;
    /// series of a range query that collide only at different steps are merged).
    func evalRoot(_ expr: Expr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        if isV3 { histogramStatsSelectors = Evaluator.histogramStatsSelectors(expr) }
        let v = try eval(expr, grid)
        guard delaysNameRemoval else { return v }
        switch v {
        case .vector(var ss):
            var any = false
            for i in ss.indices where ss[i].dropName {
                ss[i].labels = ss[i].labels.droppingName(v3: true)
                ss[i].dropName = false
                any = true
            }
            return any ? .vector(try checkUniqueLabels(ss)) : .vector(ss)
        case .matrix(var rs):
            var any = false
            for i in rs.indices where rs[i].dropName {
                rs[i].labels = rs[i].labels.droppingName(v3: true)
                rs[i].dropName = false
                any = true
            }
            if any {
                var seen = Set<Labels>()
                for r in rs where !seen.insert(r.labels).inserted {
                    throw EvaluationError(.execution, "vector cannot contain metrics with the same labelset")
                }
            }
            return .matrix(rs)
        default:
            return v
        }
    }

    /// Fails when two series share a label set (Prometheus `ContainsSameLabelset`).
    func checkUniqueLabels(_ ss: [StepSeries]) throws(EvaluationError) -> [StepSeries] {
        guard ss.count > 1 else { return ss }
        var seen = Set<Labels>()
        seen.reserveCapacity(ss.count)
        var dups = false
        for s in ss where !seen.insert(s.labels).inserted { dups = true; break }
        guard dups else { return ss }
        // Duplicates are only an error when both have a value at the same step: merge otherwise.
        var b = VectorBuilder(steps: ss.first?.values.count ?? 0)
        for s in ss {
            let slot = b.slot(s.labels)
            for j in s.present.indices where s.present[j] {
                try b.set(slot, j, s.values[j])
                if let h = s.histogram(j) { b.series[slot].setHistogram(j, h) }
            }
        }
        return b.finish()
    }
}
