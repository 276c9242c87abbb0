public import SundialCore
public import PromQLSyntax

/// The PromQL engine: parses and evaluates instant and range queries against any ``Queryable``
/// with Prometheus semantics (2.42 by default, see ``EngineOptions/semantics``).
///
/// Thread-safe: one engine serves concurrent queries; at most
/// ``EngineOptions/maxConcurrentQueries`` evaluate at once, the rest wait in FIFO order.
/// Each query runs under a ``QueryLimiter`` (the caller's, else ``defaultLimiter``): it stops
/// with ``EvaluationError/Kind/timeout`` after ``QueryLimits/timeout``, with an `execution`
/// error past any other limit, and with ``EvaluationError/Kind/canceled`` when its task is
/// cancelled (checked every few hundred series or steps).
public final class Engine: Sendable {
    /// The options the engine was built with.
    public let options: EngineOptions
    /// The limits of queries run without a limiter of their own: ``EngineOptions/timeout`` and
    /// ``EngineOptions/maxSamples``, nothing else (the engine-wide gate covers concurrency).
    public let defaultLimiter: QueryLimiter
    /// The engine-wide concurrency gate (``EngineOptions/maxConcurrentQueries``).
    private let gate: QueryGate

    /// An engine with `options`.
    public init(options: EngineOptions = EngineOptions()) {
        self.options = options
        gate = QueryGate(limit: max(1, options.maxConcurrentQueries))
        // EngineOptions' timeout is always a limit (`.zero` expires at once), while QueryLimits
        // reads `.zero` as "none": map it to the shortest positive timeout.
        defaultLimiter = QueryLimiter(QueryLimits(timeout: options.timeout > .zero ? options.timeout : .nanoseconds(1),
                                                  maxSamples: options.maxSamples))
    }

    /// The parser options matching the engine's semantics.
    public var parserOptions: ParserOptions {
        options.semantics == .prometheus3 ? .v3 : .prometheus2
    }

    /// Parses `query` with the engine's grammar.
    /// - Throws: ``EvaluationError`` of kind ``EvaluationError/Kind/badData`` with the parser's message.
    public func parse(_ query: String) throws(EvaluationError) -> Expr {
        let expr: Expr
        do {
            expr = try Parser.parse(query, options: parserOptions)
        } catch {
            throw EvaluationError(.badData, error.description)
        }
        try Engine.checkRangeModifiers(expr)
        return expr
    }

    /// v3 `anchored`/`smoothed` range selectors only feed the functions that implement them.
    /// Prometheus reports a misuse without a source position, so it is checked here, not in the parser.
    /// - Throws: ``EvaluationError`` of kind ``EvaluationError/Kind/badData``.
    static func checkRangeModifiers(_ expr: Expr) throws(EvaluationError) {
        switch expr {
        case .number, .string, .vectorSelector, .matrixSelector: return
        case .paren(let p): try checkRangeModifiers(p.expr)
        case .unary(let u): try checkRangeModifiers(u.expr)
        case .subquery(let sq): try checkRangeModifiers(sq.expr)
        case .binary(let b):
            try checkRangeModifiers(b.lhs)
            try checkRangeModifiers(b.rhs)
        case .aggregation(let a):
            if let p = a.param { try checkRangeModifiers(p) }
            try checkRangeModifiers(a.expr)
        case .call(let c):
            let f = c.function
            for arg in c.args {
                guard case .matrixSelector(let ms) = arg.unparenthesized else {
                    try checkRangeModifiers(arg)
                    continue
                }
                if ms.vectorSelector.anchored, ![.changes, .delta, .increase, .rate, .resets].contains(f) {
                    throw EvaluationError(.badData, "anchored modifier can only be used with: changes, delta, increase, rate, resets - not with \(f.rawValue)")
                }
                if ms.vectorSelector.smoothed, ![.delta, .increase, .rate].contains(f) {
                    throw EvaluationError(.badData, "smoothed modifier can only be used with: delta, increase, rate - not with \(f.rawValue)")
                }
            }
        }
    }

    /// Evaluates `query` at time `at` (ms) under `limiter` (default ``defaultLimiter``).
    public func instantQuery(_ query: String, at: Timestamp, storage: any Queryable, limiter: QueryLimiter? = nil)
        async throws(EvaluationError) -> QueryResult
    {
        var r = try await instantQuery(try parse(query), at: at, storage: storage, limiter: limiter)
        r.positionAnnotations(in: query)
        return r
    }

    /// Evaluates `query` at every `step` ms from `start` to `end` (inclusive, ms). The result is
    /// a matrix sorted by labels (a scalar expression gives one series without labels).
    /// Runs under `limiter` (default ``defaultLimiter``).
    /// - Throws: ``EvaluationError`` (`badData` for a parse error, a range-vector expression, or `step <= 0`;
    ///   `execution` or `timeout` past a limit).
    public func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, storage: any Queryable,
                           limiter: QueryLimiter? = nil) async throws(EvaluationError) -> QueryResult
    {
        var r = try await rangeQuery(try parse(query), start: start, end: end, step: step, storage: storage, limiter: limiter)
        r.positionAnnotations(in: query)
        return r
    }

    /// Evaluates a parsed expression at time `at` (ms) under `limiter` (default ``defaultLimiter``).
    public func instantQuery(_ expr: Expr, at: Timestamp, storage: any Queryable, limiter: QueryLimiter? = nil)
        async throws(EvaluationError) -> QueryResult
    {
        let limiter = limiter ?? defaultLimiter
        try limiter.limits.checkSelectorRanges(expr, stepMs: 0, rangeMs: 0)
        return try await run(limiter) { (deadline: ContinuousClock.Instant, cancel: CancellationFlag) throws(EvaluationError) -> QueryResult in
            let ev = Evaluator(storage: storage, options: self.evaluatorOptions(limiter.limits), queryStart: at, queryEnd: at,
                               queryStep: 0, deadline: deadline)
            ev.maxSeries = limiter.limits.maxSeries
            ev.cancellation = cancel
            let grid = StepGrid(start: at, end: at, interval: 1)
            let value: QueryValue
            switch try ev.evalRoot(expr, grid) {
            case .scalar(let xs): value = .scalar(at, xs[0])
            case .string(let s): value = .string(at, s)
            case .vector(let ss):
                value = .vector(ss.compactMap { s in
                    guard s.present[0] else { return nil }
                    if let h = s.histogram(0) { return VectorSample(labels: s.labels, timestamp: at, histogram: h) }
                    return VectorSample(labels: s.labels, timestamp: at, value: s.values[0])
                })
            case .matrix(let rs):
                value = .matrix(rs.map { SeriesResult(labels: $0.labels, timestamps: $0.timestamps, values: $0.values,
                                                      histogramTimestamps: $0.histogramTimestamps, histograms: $0.histograms) }
                    .sorted { $0.labels < $1.labels })
            }
            return QueryResult(value: value, warnings: ev.warnings, annotations: ev.annotations, samplesProcessed: ev.totalSamples)
        }
    }

    /// Evaluates a parsed expression as a range query (see ``rangeQuery(_:start:end:step:storage:limiter:)``).
    public func rangeQuery(_ expr: Expr, start: Timestamp, end: Timestamp, step: Int64, storage: any Queryable,
                           limiter: QueryLimiter? = nil) async throws(EvaluationError) -> QueryResult
    {
        guard step > 0 else {
            throw EvaluationError(.badData, "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard end >= start else { throw EvaluationError(.badData, "end timestamp must not be before start time") }
        switch expr.type {
        case .scalar, .instantVector: break
        default:
            throw EvaluationError(.badData, "invalid expression type \"\(expr.type)\" for range query, must be Scalar or instant Vector")
        }
        let limiter = limiter ?? defaultLimiter
        try limiter.limits.checkRange(start: start, end: end, step: step)
        try limiter.limits.checkSelectorRanges(expr, stepMs: step, rangeMs: end - start)
        return try await run(limiter) { (deadline: ContinuousClock.Instant, cancel: CancellationFlag) throws(EvaluationError) -> QueryResult in
            let ev = Evaluator(storage: storage, options: self.evaluatorOptions(limiter.limits), queryStart: start,
                               queryEnd: end, queryStep: step, deadline: deadline)
            ev.maxSeries = limiter.limits.maxSeries
            ev.cancellation = cancel
            let grid = StepGrid(start: start, end: end, interval: step)
            var out: [SeriesResult] = []
            switch try ev.evalRoot(expr, grid) {
            case .scalar(let xs):
                out = [SeriesResult(labels: Labels(), timestamps: (0..<grid.count).map { grid.time($0) }, values: xs)]
            case .vector(let ss):
                out.reserveCapacity(ss.count)
                for s in ss {
                    var r = SeriesResult(labels: s.labels, timestamps: [], values: [])
                    for i in 0..<grid.count where s.present[i] {
                        if let h = s.histogram(i) {
                            r.histogramTimestamps.append(grid.time(i))
                            r.histograms.append(h)
                        } else {
                            r.timestamps.append(grid.time(i))
                            r.values.append(s.values[i])
                        }
                    }
                    if !r.timestamps.isEmpty || !r.histograms.isEmpty { out.append(r) }
                }
                out.sort { $0.labels < $1.labels }
            default:
                throw EvaluationError(.badData, "invalid expression type for range query, must be Scalar or instant Vector")
            }
            return QueryResult(value: .matrix(out), warnings: ev.warnings, annotations: ev.annotations, samplesProcessed: ev.totalSamples)
        }
    }

    /// The engine's options with the sample cap of `limits` (what the evaluator reads).
    private func evaluatorOptions(_ limits: QueryLimits) -> EngineOptions {
        var o = options
        o.maxSamples = limits.effectiveMaxSamples
        return o
    }

    /// Runs `body` under the limiter's gate, then the engine-wide gate, with the limiter's deadline,
    /// on ``EvaluationPool/shared`` (never on the cooperative pool); the calling task's cancellation
    /// reaches `body` through the flag it is given.
    private func run(_ limiter: QueryLimiter,
                     _ body: @escaping @Sendable (ContinuousClock.Instant, CancellationFlag) throws(EvaluationError) -> QueryResult)
        async throws(EvaluationError) -> QueryResult
    {
        if let own = limiter.gate {
            do {
                try await own.acquire()
            } catch {
                throw EvaluationError.canceled("query queue")
            }
        }
        defer { limiter.gate?.release() }
        do {
            try await gate.acquire()
        } catch {
            throw EvaluationError.canceled("query queue")
        }
        defer { gate.release() }
        if Task.isCancelled { throw EvaluationError.canceled("query queue") }
        let deadline = limiter.limits.deadline(from: .now)
        return try await EvaluationPool.shared.run { (cancel: CancellationFlag) -> Result<QueryResult, EvaluationError> in
            do throws(EvaluationError) {
                return .success(try body(deadline, cancel))
            } catch {
                return .failure(error)
            }
        }
    }
}
