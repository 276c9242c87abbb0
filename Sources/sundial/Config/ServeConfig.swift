import SundialHTTP
import SundialIngest

/// Every setting of `sundial serve`, with the embedded defaults that make `sundial serve` work with
/// no arguments. Precedence: command-line flags over the YAML file (`--config.file`) over these
/// defaults. Durations are ms, sizes bytes. See docs/configuration.md.
struct ServeConfig: Sendable, Equatable {
    /// When WAL records become durable (`--storage.wal-fsync`).
    enum WALFsync: Sendable, Equatable, CustomStringConvertible {
        /// Group commit: a write is acknowledged after an fdatasync covering it.
        case always
        /// fsync every `ms` milliseconds; a power failure can lose that much acknowledged data.
        case interval(ms: Int64)
        /// fsync only at segment ends and on close (Prometheus's behaviour).
        case never

        var description: String {
            switch self {
            case .always: "always"
            case .never: "never"
            case .interval(let ms): ConfigUnits.formatDuration(ms)
            }
        }
    }

    /// Data directory (`--data-dir`, alias `--storage.tsdb.path`).
    var dataDir = "./data"
    /// `host:port` to listen on; an empty host means all interfaces (`--listen`, alias `--web.listen-address`).
    var listenAddress = ":9090"
    /// Blocks older than this are deleted (`--storage.tsdb.retention.time`); 15 days like Prometheus.
    var retentionTimeMs: Int64 = 15 * 86_400_000
    /// Largest total size of blocks before the oldest go; 0 disables (`--storage.tsdb.retention.size`).
    var retentionSizeBytes: Int64 = 0
    /// Head block range (`--storage.tsdb.min-block-duration`); 2 h like Prometheus.
    var blockRangeMs: Int64 = 2 * 3_600_000
    /// Exemplars kept in memory, all series together (`--storage.exemplars.max-exemplars`,
    /// Prometheus's `storage.exemplars.max_exemplars`); 100000 like Prometheus, 0 keeps none.
    var maxExemplars = 100_000
    /// WAL durability (`--storage.wal-fsync`).
    var walFsync: WALFsync = .always
    /// Default query timeout (`--query.timeout`); 2 minutes like Prometheus.
    var queryTimeoutMs: Int64 = 120_000
    /// Samples a single query may load (`--query.max-samples`); Prometheus's 50 million.
    var queryMaxSamples = 50_000_000
    /// Queries evaluated at once (`--query.max-concurrency`); Prometheus's 20.
    var queryMaxConcurrency = 20
    /// Lookback for instant vector selectors (`--query.lookback-delta`); 5 minutes.
    var lookbackDeltaMs: Int64 = 300_000
    /// Whose PromQL semantics queries follow where Prometheus 2.42 and 3.x differ
    /// (`--query.semantics`): `prometheus2` (default) or `prometheus3`.
    var querySemantics = "prometheus2"
    /// Series one query's selectors may select (`--query.max-series`); 0 = unlimited (default).
    var queryMaxSeries = 0
    /// Longest range query, end minus start (`--query.max-range`); 0 = unlimited (default).
    var queryMaxRangeMs: Int64 = 0
    /// Longest range-selector window or subquery range (`--query.max-selector-range`); 0 = unlimited.
    var queryMaxSelectorRangeMs: Int64 = 0
    /// Points per series of a range query (`--query.max-steps`); 0 = only Prometheus's fixed 11,000.
    var queryMaxSteps = 0
    /// TLS server certificate (PEM; `tls.cert_file`); empty = plain HTTP.
    var tlsCertFile = ""
    /// TLS private key (PEM; `tls.key_file`); required with a certificate.
    var tlsKeyFile = ""
    /// CAs for client certificates (`tls.client_ca_file`); set = mutual TLS, clients must present one.
    var tlsClientCAFile = ""
    /// Lowest TLS version (`tls.min_version`: TLS10, TLS11, TLS12, TLS13); TLS12 like Prometheus.
    var tlsMinVersion = "TLS12"
    /// `debug`, `info`, `warn` or `error` (`--log.level`).
    var logLevel = "info"
    /// `logfmt` or `json` (`--log.format`).
    var logFormat = "logfmt"
    /// Serve `/api/v1/admin/tsdb/*` (`--web.enable-admin-api`).
    var enableAdminAPI = false
    /// Largest request body in bytes (`--web.max-request-body-size`); 32 MiB.
    var maxRequestBodyBytes: Int64 = 32 << 20
    /// Idle/read timeout of client connections in ms (`--web.read-timeout`); 5 minutes, 0 = never.
    var readTimeoutMs: Int64 = 300_000
    /// Remote-write cardinality and ingestion limits (`limits:` section, `--limits.*`); all off.
    var limits = IngestLimits()
    /// Tenants (`tenancy:` section, `--tenancy`, `--tenancy.storage`); off by default.
    var tenancy = TenancyConfig()
    /// Accepted credentials (`auth:` section, config file only); none by default.
    var auth = AuthOptions()

    /// The listen address split into host and port. An empty host (`:9090`) listens on all
    /// interfaces; IPv6 hosts are written in brackets (`[::1]:9090`).
    func hostAndPort() throws(ConfigError) -> (host: String, port: Int) {
        let a = listenAddress
        guard let colon = a.lastIndex(of: ":") else {
            throw ConfigError("invalid listen address \(a.debugDescription): expected host:port, e.g. :9090 or 127.0.0.1:9090")
        }
        var host = String(a[..<colon])
        let portText = a[a.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigError("invalid listen address \(a.debugDescription): port must be 0-65535")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        return (host, port)
    }

    /// Checks ranges and combinations; the message names the setting and the accepted values.
    func validate() throws(ConfigError) {
        _ = try hostAndPort()
        if dataDir.isEmpty { throw ConfigError("data directory must not be empty") }
        if retentionTimeMs < 0 { throw ConfigError("retention time must not be negative") }
        if retentionSizeBytes < 0 { throw ConfigError("retention size must not be negative") }
        if blockRangeMs < 60_000 { throw ConfigError("block range must be at least 1m, got \(ConfigUnits.formatDuration(blockRangeMs))") }
        if maxExemplars < 0 { throw ConfigError("max exemplars must not be negative (0 = keep none)") }
        if queryTimeoutMs <= 0 { throw ConfigError("query timeout must be positive") }
        if queryMaxSamples <= 0 { throw ConfigError("query max samples must be positive") }
        if queryMaxConcurrency <= 0 { throw ConfigError("query max concurrency must be positive") }
        if lookbackDeltaMs <= 0 { throw ConfigError("lookback delta must be positive") }
        if querySemantics != "prometheus2" && querySemantics != "prometheus3" {
            throw ConfigError("query semantics must be prometheus2 or prometheus3, not \(querySemantics.debugDescription)")
        }
        if queryMaxSeries < 0 { throw ConfigError("query max series must not be negative (0 = unlimited)") }
        if queryMaxRangeMs < 0 { throw ConfigError("query max range must not be negative (0 = unlimited)") }
        if queryMaxSelectorRangeMs < 0 { throw ConfigError("query max selector range must not be negative (0 = unlimited)") }
        if queryMaxSteps < 0 { throw ConfigError("query max steps must not be negative (0 = unlimited)") }
        if tlsCertFile.isEmpty != tlsKeyFile.isEmpty {
            throw ConfigError("tls.cert_file and tls.key_file must be set together")
        }
        if !tlsClientCAFile.isEmpty && tlsCertFile.isEmpty {
            throw ConfigError("tls.client_ca_file needs tls.cert_file and tls.key_file")
        }
        if !["TLS10", "TLS11", "TLS12", "TLS13"].contains(tlsMinVersion) {
            throw ConfigError("invalid tls.min_version \(tlsMinVersion.debugDescription): expected TLS10, TLS11, TLS12 or TLS13")
        }
        if !["debug", "info", "warn", "error"].contains(logLevel) {
            throw ConfigError("invalid log level \(logLevel.debugDescription): expected debug, info, warn or error")
        }
        if !["logfmt", "json"].contains(logFormat) {
            throw ConfigError("invalid log format \(logFormat.debugDescription): expected logfmt or json")
        }
        if maxRequestBodyBytes < 1024 { throw ConfigError("max request body size must be at least 1KiB") }
        if readTimeoutMs < 0 { throw ConfigError("read timeout must not be negative (0 = never)") }
        if case .interval(let ms) = walFsync, ms <= 0 { throw ConfigError("WAL fsync interval must be positive") }
        if let e = limits.validationError() { throw ConfigError("limits: \(e)") }
        try validateTenancy()
    }

    /// The settings as YAML in the config-file layout (served by `/api/v1/status/config`).
    var yaml: String {
        """
        storage:
          path: \(dataDir.debugDescription)
          retention_time: \(ConfigUnits.formatDuration(retentionTimeMs))
          retention_size: \(retentionSizeBytes)
          block_range: \(ConfigUnits.formatDuration(blockRangeMs))
          wal_fsync: \(walFsync)
          exemplars:
            max_exemplars: \(maxExemplars)
        web:
          listen_address: \(listenAddress.debugDescription)
          enable_admin_api: \(enableAdminAPI)
          max_request_body_size: \(maxRequestBodyBytes)
          read_timeout: \(ConfigUnits.formatDuration(readTimeoutMs))
        query:
          timeout: \(ConfigUnits.formatDuration(queryTimeoutMs))
          max_samples: \(queryMaxSamples)
          max_concurrency: \(queryMaxConcurrency)
          lookback_delta: \(ConfigUnits.formatDuration(lookbackDeltaMs))
          semantics: \(querySemantics)
          max_series: \(queryMaxSeries)
          max_range: \(ConfigUnits.formatDuration(queryMaxRangeMs))
          max_selector_range: \(ConfigUnits.formatDuration(queryMaxSelectorRangeMs))
          max_steps: \(queryMaxSteps)
        tls:
          cert_file: \(tlsCertFile.debugDescription)
          key_file: \(tlsKeyFile.debugDescription)
          client_ca_file: \(tlsClientCAFile.debugDescription)
          min_version: \(tlsMinVersion)
        log:
          level: \(logLevel)
          format: \(logFormat)
        limits:
          max_series: \(limits.maxSeries)
          max_series_per_metric: \(limits.maxSeriesPerMetric)
          max_label_names_per_series: \(limits.maxLabelNamesPerSeries)
          max_label_name_length: \(limits.maxLabelNameLength)
          max_label_value_length: \(limits.maxLabelValueLength)
          ingestion_rate: \(limits.ingestionRate)
          ingestion_burst: \(limits.ingestionBurst)
          series_idle_timeout: \(ConfigUnits.formatDuration(limits.seriesIdleTimeoutMs))

        """ + tenancyYAML
    }

    /// The effective settings under their Prometheus-style flag names (`/api/v1/status/flags`).
    var flags: [(name: String, value: String)] {
        [
            ("storage.tsdb.path", dataDir), ("web.listen-address", listenAddress),
            ("storage.tsdb.retention.time", ConfigUnits.formatDuration(retentionTimeMs)),
            ("storage.tsdb.retention.size", "\(retentionSizeBytes)B"),
            ("storage.tsdb.min-block-duration", ConfigUnits.formatDuration(blockRangeMs)),
            ("storage.wal-fsync", walFsync.description),
            ("storage.exemplars.max-exemplars", "\(maxExemplars)"),
            ("query.timeout", ConfigUnits.formatDuration(queryTimeoutMs)),
            ("query.max-samples", "\(queryMaxSamples)"), ("query.max-concurrency", "\(queryMaxConcurrency)"),
            ("query.lookback-delta", ConfigUnits.formatDuration(lookbackDeltaMs)),
            ("query.semantics", querySemantics),
            ("query.max-series", "\(queryMaxSeries)"), ("query.max-range", ConfigUnits.formatDuration(queryMaxRangeMs)),
            ("query.max-selector-range", ConfigUnits.formatDuration(queryMaxSelectorRangeMs)),
            ("query.max-steps", "\(queryMaxSteps)"),
            ("log.level", logLevel), ("log.format", logFormat),
            ("web.enable-admin-api", "\(enableAdminAPI)"), ("web.max-request-body-size", "\(maxRequestBodyBytes)"),
            ("web.read-timeout", ConfigUnits.formatDuration(readTimeoutMs)),
            ("limits.max-series", "\(limits.maxSeries)"), ("limits.max-series-per-metric", "\(limits.maxSeriesPerMetric)"),
            ("limits.max-label-names-per-series", "\(limits.maxLabelNamesPerSeries)"),
            ("limits.max-label-name-length", "\(limits.maxLabelNameLength)"),
            ("limits.max-label-value-length", "\(limits.maxLabelValueLength)"),
            ("limits.ingestion-rate", "\(limits.ingestionRate)"), ("limits.ingestion-burst", "\(limits.ingestionBurst)"),
            ("limits.series-idle-timeout", ConfigUnits.formatDuration(limits.seriesIdleTimeoutMs)),
            ("tenancy", tenancy.mode), ("tenancy.storage", tenancy.storage.rawValue),
        ]
    }
}

/// A configuration problem, with a message saying which setting and what is accepted.
struct ConfigError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Parsing of the units the configuration uses. Pure.
enum ConfigUnits {
    /// A Prometheus duration (`15d`, `2h`, `1h30m`, `500ms`) in ms.
    static func parseDuration(_ s: String, setting: String) throws(ConfigError) -> Int64 {
        guard let ms = TimeParsing.parsePrometheusDurationMs(s.trimmingCharacters()) else {
            throw ConfigError("invalid duration \(s.debugDescription) for \(setting): expected e.g. 15d, 2h, 5m, 30s, 500ms")
        }
        return ms
    }

    /// A size in bytes: a plain number, or with a unit `B`, `KB`, `MB`, `GB`, `TB`, `PB`, `EB` (powers of
    /// 1024, as Prometheus's `units.Base2Bytes`), `KiB`, `MiB`... also accepted.
    static func parseSize(_ s: String, setting: String) throws(ConfigError) -> Int64 {
        let t = s.trimmingCharacters()
        var digits = ""
        var unit = ""
        for c in t {
            if unit.isEmpty && c.isASCII && c.isNumber { digits.append(c) } else { unit.append(c) }
        }
        let units: [String: Int64] = [
            "": 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40, "PB": 1 << 50, "EB": 1 << 60,
            "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40, "PiB": 1 << 50, "EiB": 1 << 60,
        ]
        guard let n = Int64(digits), let m = units[unit] else {
            throw ConfigError("invalid size \(s.debugDescription) for \(setting): expected e.g. 512MB, 10GB or a byte count")
        }
        let (v, o) = n.multipliedReportingOverflow(by: m)
        if o { throw ConfigError("size \(s.debugDescription) for \(setting) is too large") }
        return v
    }

    /// `always`, `never`, or a duration for interval fsync.
    static func parseFsync(_ s: String) throws(ConfigError) -> ServeConfig.WALFsync {
        switch s.trimmingCharacters() {
        case "always": return .always
        case "never": return .never
        default:
            guard let ms = TimeParsing.parsePrometheusDurationMs(s.trimmingCharacters()), ms > 0 else {
                throw ConfigError("invalid WAL fsync mode \(s.debugDescription): expected always, never or an interval such as 100ms")
            }
            return .interval(ms: ms)
        }
    }

    /// `true`/`false` (also `yes`/`no`, `1`/`0`).
    static func parseBool(_ s: String, setting: String) throws(ConfigError) -> Bool {
        switch s.trimmingCharacters().lowercased() {
        case "true", "yes", "1", "on": return true
        case "false", "no", "0", "off": return false
        default: throw ConfigError("invalid boolean \(s.debugDescription) for \(setting): expected true or false")
        }
    }

    /// A non-negative floating-point setting (e.g. a rate).
    static func parseDouble(_ s: String, setting: String) throws(ConfigError) -> Double {
        guard let n = Double(s.trimmingCharacters()), n.isFinite, n >= 0 else {
            throw ConfigError("invalid number \(s.debugDescription) for \(setting): expected a number >= 0")
        }
        return n
    }

    /// An integer setting.
    static func parseInt(_ s: String, setting: String) throws(ConfigError) -> Int {
        guard let n = Int(s.trimmingCharacters()) else {
            throw ConfigError("invalid number \(s.debugDescription) for \(setting)")
        }
        return n
    }

    /// Prometheus's `model.Duration.String()`: largest units first (`15d`, `2h`, `1h30m`, `500ms`, `0s`).
    static func formatDuration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var r = ms
        var out = ""
        for (u, size) in [("y", Int64(365 * 86_400_000)), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
                          ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if r >= size {
                out += "\(r / size)\(u)"
                r %= size
            }
        }
        return out
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
