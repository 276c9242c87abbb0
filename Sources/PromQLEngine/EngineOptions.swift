/// Which release's PromQL semantics the engine follows where Prometheus 2.42 and 3.x differ.
public enum Semantics: Sendable, Hashable {
    /// Prometheus 2.42 (the default): closed windows `[t - range, t]` for range selectors and the
    /// lookback of instant selectors; regex `.` does not match a newline.
    case prometheus2
    /// Prometheus 3.x: left-open windows `(t - range, t]`, regex `.` matches a newline, and the
    /// v3 grammar extensions (duration expressions, experimental functions) are parsed.
    case prometheus3
}

/// Engine configuration (Prometheus's `promql.EngineOpts` plus its command-line flags).
/// A `Sendable` value passed at ``Engine`` construction; nothing is read from globals.
public struct EngineOptions: Sendable {
    /// How far an instant selector looks back for the latest sample, in ms (Prometheus
    /// `--query.lookback-delta`, default 5 minutes).
    public var lookbackDelta: Int64
    /// Maximum number of samples a query may hold in memory at once (`--query.max-samples`,
    /// default 50 000 000). Exceeding it fails the query with ``EvaluationError/Kind/tooManySamples``.
    public var maxSamples: Int
    /// Wall-clock limit per query (`--query.timeout`, default 2 minutes).
    public var timeout: Duration
    /// Queries allowed to run at once (`--query.max-concurrency`, default 20); more wait.
    public var maxConcurrentQueries: Int
    /// Step of a subquery written without one (`[30m:]`), in ms: Prometheus uses the global
    /// evaluation interval, 1 minute by default.
    public var noStepSubqueryInterval: Int64
    /// Which release's semantics to follow.
    public var semantics: Semantics
    /// Prometheus 3's delayed `__name__` removal (`--enable-feature=promql-delayed-name-removal`,
    /// on in its test harness): functions and operators that drop the metric name only mark the
    /// series, and the name is removed when the whole expression has been evaluated, so
    /// `label_replace(rate(x[5m]), "__name__", ...)` and `sum by (__name__)` still see it.
    /// Only takes effect with ``Semantics/prometheus3``; off by default like in Prometheus 3.
    public var delayedNameRemoval: Bool = false

    /// Options with Prometheus's defaults.
    public init(
        lookbackDelta: Int64 = 300_000, maxSamples: Int = 50_000_000, timeout: Duration = .seconds(120),
        maxConcurrentQueries: Int = 20, noStepSubqueryInterval: Int64 = 60_000, semantics: Semantics = .prometheus2
    ) {
        self.lookbackDelta = lookbackDelta
        self.maxSamples = maxSamples
        self.timeout = timeout
        self.maxConcurrentQueries = maxConcurrentQueries
        self.noStepSubqueryInterval = noStepSubqueryInterval
        self.semantics = semantics
    }
}
