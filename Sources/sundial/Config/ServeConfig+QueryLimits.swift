import PromQLEngine

extension ServeConfig {
    /// The per-query limits of the `query:` section. Concurrency stays with the engine-wide gate
    /// (``EngineOptions/maxConcurrentQueries`` from `query.max_concurrency`), so this limiter has
    /// no gate of its own.
    var queryLimits: QueryLimits {
        QueryLimits(timeout: .milliseconds(queryTimeoutMs), maxSamples: queryMaxSamples, maxSeries: queryMaxSeries,
                    maxConcurrentQueries: 0, maxRangeMs: queryMaxRangeMs, maxSelectorRangeMs: queryMaxSelectorRangeMs,
                    maxSteps: queryMaxSteps)
    }

    /// The engine's semantics for `query.semantics` (validated by `validate()`).
    var engineSemantics: Semantics { querySemantics == "prometheus3" ? .prometheus3 : .prometheus2 }

    /// A limiter enforcing ``queryLimits`` for every query the server answers.
    var queryLimiter: QueryLimiter { QueryLimiter(queryLimits) }
}
