public import SundialCore
public import PromQLEngine
import PromQLSyntax

/// The real ``QueryEvaluator``: PromQL evaluation by ``Engine`` against one storage under one
/// ``QueryLimiter``, with a per-request timeout on top of the limiter's (the shorter wins), and
/// Prometheus's error mapping (`web/api/v1/api.go` `returnAPIError`). Thread-safe.
public struct EngineEvaluator: QueryEvaluator {
    /// The engine (its options give the lookback delta and the engine-wide concurrency gate).
    public let engine: Engine
    /// What queries read.
    public let storage: any Queryable
    /// The limits every query of this evaluator runs under (timeout, samples, series, ranges,
    /// steps, and the limiter's own concurrency gate).
    public let limiter: QueryLimiter

    /// An evaluator of queries over `storage` under `limiter` (default: the engine's
    /// ``Engine/defaultLimiter``, i.e. its options' timeout and max samples).
    public init(engine: Engine, storage: any Queryable, limiter: QueryLimiter? = nil) {
        self.engine = engine
        self.storage = storage
        self.limiter = limiter ?? engine.defaultLimiter
    }

    public func instantQuery(_ query: String, time: Timestamp, timeout: Duration?) async throws(APIError) -> QueryData {
        let engine = self.engine, storage = self.storage, limiter = self.limiter
        let r = try await Self.withTimeout(timeout, engineTimeout: limiter.limits.timeout) { () async throws(EvaluationError) in
            try await engine.instantQuery(query, at: time, storage: storage, limiter: limiter)
        }
        return Self.convert(r)
    }

    public func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, timeout: Duration?) async throws(APIError) -> QueryData {
        let engine = self.engine, storage = self.storage, limiter = self.limiter
        let r = try await Self.withTimeout(timeout, engineTimeout: limiter.limits.timeout) { () async throws(EvaluationError) in
            try await engine.rangeQuery(query, start: start, end: end, step: step, storage: storage, limiter: limiter)
        }
        return Self.convert(r)
    }

    public func format(_ query: String) throws(APIError) -> String {
        try PromQLFrontEnd.format(query, options: engine.parserOptions)
    }

    public func parseSelector(_ selector: String) throws(APIError) -> [LabelMatcher] {
        try PromQLFrontEnd.parseSelector(selector, options: engine.parserOptions)
    }

    public func hasSelectors(_ query: String) throws(APIError) -> Bool {
        try PromQLFrontEnd.hasSelectors(query, options: engine.parserOptions)
    }

    public func selectorMatchers(_ query: String) throws(APIError) -> [[LabelMatcher]] {
        try PromQLFrontEnd.selectorMatchers(query, options: engine.parserOptions)
    }

    /// Runs `body`, cancelling it when a request timeout shorter than the limiter's passes
    /// (`engineTimeout` `.zero` means the limiter has none); a cancellation caused by that deadline
    /// is reported as Prometheus's timeout error.
    static func withTimeout(_ timeout: Duration?, engineTimeout: Duration,
                            _ body: @escaping @Sendable () async throws(EvaluationError) -> QueryResult) async throws(APIError) -> QueryResult {
        guard let timeout, engineTimeout <= .zero || timeout < engineTimeout else {
            do throws(EvaluationError) { return try await body() } catch { throw map(error) }
        }
        if timeout <= .zero { throw APIError(.timeout, "query timed out in query execution") }
        let outcome: Result<QueryResult, EvaluationError>? = await withTaskGroup(of: Result<QueryResult, EvaluationError>?.self) { g in
            g.addTask {
                do throws(EvaluationError) { return .success(try await body()) } catch { return .failure(error) }
            }
            g.addTask {
                try? await Task.sleep(for: timeout)
                return nil  // the deadline passed (or the group was cancelled)
            }
            let first = await g.next() ?? nil
            g.cancelAll()
            return first
        }
        switch outcome {
        case .success(let r): return r
        case .failure(let e): throw map(e)
        case nil: throw APIError(.timeout, "query timed out in query execution")
        }
    }

    /// Engine error kinds → API error types (`returnAPIError`): execution and max-samples →
    /// `execution` 422; timeout 503; canceled 499; storage → `internal` 500 without detail.
    static func map(_ e: EvaluationError) -> APIError {
        switch e.kind {
        case .badData: APIError(.badData, e.message)
        case .execution, .tooManySamples: APIError(.execution, e.message)
        case .timeout: APIError(.timeout, e.message)
        case .canceled: APIError(.canceled, e.message)
        case .storage: APIError(.internal, "storage error while evaluating the query")
        }
    }

    static func convert(_ r: QueryResult) -> QueryData {
        let v: QueryData.Value
        switch r.value {
        case .scalar(let t, let x): v = .scalar(t, x)
        case .string(let t, let s): v = .string(t, s)
        case .vector(let samples):
            v = .vector(samples.map {
                QueryData.InstantSample(labels: $0.labels, timestamp: $0.timestamp, value: $0.value, histogram: $0.histogram)
            })
        case .matrix(let series):
            v = .matrix(series.map {
                QueryData.RangeSeries(labels: $0.labels, timestamps: $0.timestamps, values: $0.values,
                                      histogramTimestamps: $0.histogramTimestamps, histograms: $0.histograms)
            })
        }
        return QueryData(v, warnings: capped(r.warnings, "warning"), infos: capped(r.infos, "info"))
    }

    /// Prometheus's API returns at most 10 warnings and 10 infos, then `N more <kind> annotations
    /// omitted` (`web/api/v1/api.go`: `AsStrings(query, 10, 10)`).
    static let maxAnnotationsPerKind = 10

    static func capped(_ list: [String], _ kind: String) -> [String] {
        guard list.count > maxAnnotationsPerKind else { return list }
        return Array(list.prefix(maxAnnotationsPerKind)) + ["\(list.count - maxAnnotationsPerKind) more \(kind) annotations omitted"]
    }
}
