public import SundialIngest

/// Settings of the HTTP API, fixed at start-up. `Sendable` value type.
public struct APIOptions: Sendable {
    /// Serve `/api/v1/admin/tsdb/*` (Prometheus's `--web.enable-admin-api`); off by default.
    public var enableAdminAPI = false
    /// Largest request body accepted, in bytes (compressed size for remote write/read); larger → 413.
    /// 32 MiB: Prometheus's queue manager sends at most `max_samples_per_send` (2,000 in 2.42) series
    /// per request, well under 1 MiB compressed, so this leaves room for big backfills.
    public var maxBodyBytes = 32 << 20
    /// How long a connection may stay idle — no complete request head, no body bytes, or no new
    /// request after a response — before the server closes it (Prometheus's `--web.read-timeout`,
    /// 5 minutes). Bounds slowloris-style clients that open connections and never finish a request.
    /// Nil: never.
    public var readTimeout: Duration? = .seconds(300)
    /// Largest decoded (decompressed) remote-write/read message, in bytes. 256 MiB bounds memory
    /// under a hostile snappy header claiming a huge length.
    public var maxDecodedBodyBytes = 256 << 20
    /// Remote-write validation and limits (its `maxDecodedBytes` is replaced by ``maxDecodedBodyBytes``).
    public var remoteWrite = RemoteWriteOptions()
    /// Remote-read limits (its `maxDecodedBytes` is replaced by ``maxDecodedBodyBytes``).
    public var remoteRead = RemoteReadOptions()
    /// Lookback of `/federate` (`--query.lookback-delta`), ms; 5 minutes.
    public var lookbackDeltaMs: Int64 = 300_000
    /// Default per-query timeout when the request gives none (`--query.timeout`, 2 minutes).
    public var queryTimeout: Duration = .seconds(120)
    /// Maximum points per series of a range query (Prometheus's fixed 11,000).
    public var maxPointsPerSeries = 11_000
    /// Command-line flags and their values, served by `/api/v1/status/flags`.
    public var flags: [(name: String, value: String)] = []
    /// The effective configuration as YAML, served by `/api/v1/status/config`.
    public var configYAML = ""
    /// Retention as shown in `/api/v1/status/runtimeinfo` (`15d`, `15d or 10GiB`).
    public var storageRetention = "15d"
    /// Working directory shown in runtimeinfo.
    public var workingDirectory = "/"
    /// Processors available (runtimeinfo `GOMAXPROCS`).
    public var processorCount = 1
    /// Process start, ms since the epoch (runtimeinfo `startTime`).
    public var startTimeMs: Int64 = 0
    /// Sundial's own version (buildinfo `revision` carries it; `version` reports the Prometheus API
    /// level we implement, so clients such as Grafana enable the 2.42 features).
    public var sundialVersion = "0.1.0"
    /// The Prometheus version whose API Sundial reproduces, reported as buildinfo `version`.
    public var prometheusCompatibleVersion = "2.42.0"
    /// Tenants (off by default): resolution from headers, isolation mode, per-tenant limits.
    public var tenancy = TenancyOptions()
    /// Accepted credentials (none by default: no authentication).
    public var auth = AuthOptions()

    public init() {}
}
