/// Cardinality and ingestion limits of the remote-write receiver (issue 7), global for now.
/// Every limit is off at 0 (the default): Sundial, like Prometheus, accepts anything unless told
/// otherwise. `Sendable` value type; immutable once handed to ``RemoteWriteIngester``.
///
/// What each limit does to a request (``RemoteWriteIngester``):
/// - the **shape** limits (``maxLabelNamesPerSeries``, ``maxLabelNameLength``,
///   ``maxLabelValueLength``) refuse the offending series (every sample of it); the rest of the
///   request is written; HTTP answers 400 naming the limit, its value and the series;
/// - the **series** limits (``maxSeries``, ``maxSeriesPerMetric``) refuse only series the
///   receiver has not seen within ``seriesIdleTimeoutMs``; series already active keep accepting
///   samples; HTTP 400 naming the limit, its value and the series;
/// - the **rate** limit (``ingestionRate`` with ``ingestionBurst``) refuses a whole request whose
///   samples exceed the token bucket (nothing written); HTTP 429 with `Retry-After`.
///
/// The request body size limit is the server's (`--max-body-size`, HTTP 413) and is not repeated here.
///
/// Per-tenant limits are a lookup away: ``IngestLimitsTable`` maps a tenant key to its limits
/// with these as the defaults.
public struct IngestLimits: Sendable, Hashable {
    /// Most labels (names, `__name__` included) one series may have; 0 = unlimited.
    /// Counted as sent, before empty-valued labels are dropped.
    public var maxLabelNamesPerSeries: Int = 0
    /// Longest label name in UTF-8 bytes (inclusive); 0 = unlimited.
    public var maxLabelNameLength: Int = 0
    /// Longest label value in UTF-8 bytes (inclusive); 0 = unlimited.
    public var maxLabelValueLength: Int = 0
    /// Most active series the receiver admits; 0 = unlimited. "Active" means a series written
    /// through this receiver within the last ``seriesIdleTimeoutMs`` (the receiver keeps the
    /// count itself: one table entry per active series).
    public var maxSeries: Int = 0
    /// Most active series per metric name (`__name__` value); 0 = unlimited. Series without a
    /// metric name count under the empty name.
    public var maxSeriesPerMetric: Int = 0
    /// Sustained samples (float samples plus histograms) per second accepted; 0 = unlimited.
    public var ingestionRate: Double = 0
    /// Token-bucket size: samples one burst may carry. 0 means `max(1, ingestionRate)` rounded up
    /// (one second's worth). A request with more samples than the burst can never pass.
    public var ingestionBurst: Int = 0
    /// A series unwritten for this long (ms, wall clock of the receiver) stops counting towards
    /// ``maxSeries`` / ``maxSeriesPerMetric``. Default 3 h: a head block range (2 h) plus slack,
    /// about when the head garbage-collects it.
    public var seriesIdleTimeoutMs: Int64 = 3 * 3_600_000

    /// No limits.
    public init() {}

    /// True when ``maxSeries`` or ``maxSeriesPerMetric`` is set (the receiver then tracks series).
    public var limitsSeries: Bool { maxSeries > 0 || maxSeriesPerMetric > 0 }

    /// True when ``ingestionRate`` is set.
    public var limitsRate: Bool { ingestionRate > 0 }

    /// The effective bucket size in samples (see ``ingestionBurst``).
    public var effectiveBurst: Int {
        ingestionBurst > 0 ? ingestionBurst : Swift.max(1, Int(ingestionRate.rounded(.up)))
    }

    /// Checks ranges; returns a message naming the bad setting, or nil when valid.
    public func validationError() -> String? {
        if maxLabelNamesPerSeries < 0 { return "max label names per series must not be negative" }
        if maxLabelNameLength < 0 { return "max label name length must not be negative" }
        if maxLabelValueLength < 0 { return "max label value length must not be negative" }
        if maxSeries < 0 { return "max series must not be negative" }
        if maxSeriesPerMetric < 0 { return "max series per metric must not be negative" }
        if !(ingestionRate >= 0) || !ingestionRate.isFinite { return "ingestion rate must be a finite number >= 0" }
        if ingestionBurst < 0 { return "ingestion burst must not be negative" }
        if seriesIdleTimeoutMs <= 0 { return "series idle timeout must be positive" }
        return nil
    }
}

/// Limits looked up by tenant key, with global defaults for tenants without an override. The
/// step from global to per-tenant limits: one receiver (or limiter) per key, built from
/// `table[tenant]`. `Sendable` value type.
public struct IngestLimitsTable: Sendable, Hashable {
    /// Limits of tenants without an override.
    public var defaults: IngestLimits
    /// Complete limits per tenant key (not merged field by field with the defaults).
    public var overrides: [String: IngestLimits]

    public init(defaults: IngestLimits = IngestLimits(), overrides: [String: IngestLimits] = [:]) {
        self.defaults = defaults
        self.overrides = overrides
    }

    /// The limits of `tenant` (nil: no tenancy, the defaults).
    public subscript(tenant: String?) -> IngestLimits {
        guard let tenant, let o = overrides[tenant] else { return defaults }
        return o
    }
}
