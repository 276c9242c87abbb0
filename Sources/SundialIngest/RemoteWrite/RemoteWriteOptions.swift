public import SundialCore

/// Limits and policies of the remote-write receiver. Immutable once handed to
/// ``RemoteWriteIngester``; `Sendable`.
public struct RemoteWriteOptions: Sendable, Hashable {
    /// How label names are checked.
    public enum NameValidation: Sendable, Hashable {
        /// Prometheus 2.42 rules (`model.LabelName.IsValid`, `model.IsValidMetricName`): label
        /// names match `[a-zA-Z_][a-zA-Z0-9_]*`, metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`.
        case legacy
        /// Any non-empty valid UTF-8 name (Prometheus 3 `UTF8Validation`).
        case utf8
    }

    /// What to do with a series whose label names are not in ascending byte order. The spec says
    /// senders MUST sort; Prometheus 2.42 sorts silently (`labelProtosToLabels`).
    public enum UnsortedLabels: Sendable, Hashable {
        /// Sort them and accept the series (Prometheus 2.42 behaviour).
        case sort
        /// Reject the series as invalid.
        case reject
    }

    /// Largest decoded (decompressed) body accepted, in bytes. Checked against the snappy header
    /// before anything is allocated. Default 64 MiB: a 10k-series request is about 1.5 MB, and
    /// Prometheus's senders cap requests at `max_samples_per_send` (500–2000 samples).
    public var maxDecodedBytes: Int = 64 << 20
    /// Samples more than this many milliseconds ahead of the receiver's clock are refused
    /// (Prometheus `maxAheadTime`, 10 minutes).
    public var maxFutureMs: Int64 = 10 * 60 * 1000
    /// Cardinality and ingestion limits (all off by default).
    public var limits = IngestLimits()
    /// Largest label count of one series; 0 means unlimited (Prometheus's default).
    /// Same as ``IngestLimits/maxLabelNamesPerSeries`` of ``limits``.
    public var maxLabelsPerSeries: Int {
        get { limits.maxLabelNamesPerSeries }
        set { limits.maxLabelNamesPerSeries = newValue }
    }
    /// Longest label name in bytes; 0 means unlimited. Same as ``IngestLimits/maxLabelNameLength``.
    public var maxLabelNameBytes: Int {
        get { limits.maxLabelNameLength }
        set { limits.maxLabelNameLength = newValue }
    }
    /// Longest label value in bytes; 0 means unlimited. Same as ``IngestLimits/maxLabelValueLength``.
    public var maxLabelValueBytes: Int {
        get { limits.maxLabelValueLength }
        set { limits.maxLabelValueLength = newValue }
    }
    /// Label-name rules.
    public var nameValidation: NameValidation = .legacy
    /// Unsorted label names policy.
    public var unsortedLabels: UnsortedLabels = .sort
    /// When true, series without `__name__` are refused (Prometheus 3 behaviour); 2.42 accepts them.
    public var requireMetricName: Bool = false
    /// How many refused samples are described in ``RemoteWriteResult/examples``.
    public var maxExamples: Int = 5
    /// The interner of each pooled decoder is cleared between requests once it holds more than
    /// this many strings, bounding memory when label values churn.
    public var maxInternedStrings: Int = 1 << 20
    /// ... or more than this many bytes of string data.
    public var maxInternedBytes: Int = 64 << 20
    /// Series kept in the ingester's series cache (label bytes → validated `Labels` and series
    /// ref; about 250 bytes per series). When a request starts with the cache over this size the
    /// cache is cleared, so it can exceed the limit by one request's series. 0 disables the cache.
    public var seriesCacheEntries: Int = 1 << 18
    /// A label set on every accepted series (tenancy label mode: `tenant_id="<tenant>"`). A label
    /// of the same name sent by the client is dropped first, so a forged value never reaches
    /// storage. Added after validation and the shape limits (it is the server's, not the
    /// client's), when the series' labels are first built; cached series carry it at no cost.
    /// The name must be a valid label name and the value non-empty. nil (default): nothing injected.
    public var injectedLabel: Label? = nil

    /// The defaults documented on each property.
    public init() {}
}
