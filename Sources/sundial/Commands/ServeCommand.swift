import SundialIngest
import ArgumentParser
import Foundation
import Logging

/// `sundial serve`: the server. Works with no arguments (data in `./data`, listening on `:9090`);
/// every setting also has a flag (Prometheus's flag names accepted as aliases) and a key in the
/// optional YAML file given by `--config.file`. Flags override the file, which overrides defaults.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server: remote write in, the Prometheus HTTP API out.",
        discussion: "Settings are documented in docs/configuration.md; docs/sundial.example.yml is an example file."
    )

    @Option(name: [.customLong("config.file")], help: "YAML configuration file (optional).")
    var configFile: String?

    @Option(name: [.customLong("data-dir"), .customLong("storage.tsdb.path")], help: "Data directory (default ./data).")
    var dataDir: String?

    @Option(name: [.customLong("listen"), .customLong("web.listen-address")], help: "host:port to listen on (default :9090).")
    var listen: String?

    @Option(name: [.customLong("retention-time"), .customLong("storage.tsdb.retention.time")],
            help: "Delete blocks older than this (default 15d).")
    var retentionTime: String?

    @Option(name: [.customLong("retention-size"), .customLong("storage.tsdb.retention.size")],
            help: "Delete the oldest blocks beyond this total size, e.g. 10GB (default 0: off).")
    var retentionSize: String?

    @Option(name: [.customLong("block-range"), .customLong("storage.tsdb.min-block-duration")],
            help: "Head block range (default 2h).")
    var blockRange: String?

    @Option(name: [.customLong("wal-fsync"), .customLong("storage.wal-fsync")],
            help: "WAL durability: always (group commit, default), never, or an interval such as 100ms.")
    var walFsync: String?

    @Option(name: [.customLong("max-exemplars"), .customLong("storage.exemplars.max-exemplars")],
            help: "Exemplars kept in memory, all series together (default 100000; 0 keeps none).")
    var maxExemplars: Int?

    @Option(name: [.customLong("query-timeout"), .customLong("query.timeout")], help: "Default query timeout (default 2m).")
    var queryTimeout: String?

    @Option(name: [.customLong("query-max-samples"), .customLong("query.max-samples")],
            help: "Samples one query may load (default 50000000).")
    var queryMaxSamples: Int?

    @Option(name: [.customLong("query-max-concurrency"), .customLong("query.max-concurrency")],
            help: "Queries evaluated at once (default 20).")
    var queryMaxConcurrency: Int?

    @Option(name: [.customLong("query.max-series")], help: "Series one query may select (default 0: unlimited); over it 422.")
    var queryMaxSeries: Int?

    @Option(name: [.customLong("query.max-range")], help: "Longest range query, end - start, e.g. 31d (default 0: unlimited).")
    var queryMaxRange: String?

    @Option(name: [.customLong("query.max-selector-range")],
            help: "Longest range-selector window or subquery range, e.g. 30d (default 0: unlimited).")
    var queryMaxSelectorRange: String?

    @Option(name: [.customLong("query.max-steps")],
            help: "Points per series of a range query (default 0: only Prometheus's fixed 11000).")
    var queryMaxSteps: Int?

    @Option(name: [.customLong("lookback-delta"), .customLong("query.lookback-delta")],
            help: "Lookback of instant vector selectors (default 5m).")
    var lookbackDelta: String?

    @Option(name: [.customLong("query.semantics")],
            help: "PromQL semantics where Prometheus 2.42 and 3.x differ: prometheus2 (default) or prometheus3 (left-open windows, v3 functions, annotations).")
    var querySemantics: String?

    @Option(name: [.customLong("log-level"), .customLong("log.level")], help: "debug, info, warn or error (default info).")
    var logLevel: String?

    @Option(name: [.customLong("log-format"), .customLong("log.format")], help: "logfmt or json (default logfmt).")
    var logFormat: String?

    @Flag(name: [.customLong("enable-admin-api"), .customLong("web.enable-admin-api")],
          help: "Serve /api/v1/admin/tsdb/* (delete_series, clean_tombstones, snapshot).")
    var enableAdminAPI = false

    @Option(name: [.customLong("max-body-size"), .customLong("web.max-request-body-size")],
            help: "Largest request body, e.g. 32MB (default 32MiB); larger requests get 413.")
    var maxBodySize: String?

    @Option(name: [.customLong("read-timeout"), .customLong("web.read-timeout")],
            help: "Close client connections idle (no request progress) this long, e.g. 30s (default 5m; 0 = never).")
    var readTimeout: String?

    @Option(name: [.customLong("limits.max-series")], help: "Most active series remote write admits (default 0: unlimited).")
    var limitsMaxSeries: Int?

    @Option(name: [.customLong("limits.max-series-per-metric")], help: "Most active series per metric name (default 0: unlimited).")
    var limitsMaxSeriesPerMetric: Int?

    @Option(name: [.customLong("limits.max-label-names-per-series")], help: "Most labels per series (default 0: unlimited).")
    var limitsMaxLabelNames: Int?

    @Option(name: [.customLong("limits.max-label-name-length")], help: "Longest label name in bytes (default 0: unlimited).")
    var limitsMaxLabelNameLength: Int?

    @Option(name: [.customLong("limits.max-label-value-length")], help: "Longest label value in bytes (default 0: unlimited).")
    var limitsMaxLabelValueLength: Int?

    @Option(name: [.customLong("limits.ingestion-rate")], help: "Samples per second remote write accepts (default 0: unlimited); over it 429.")
    var limitsIngestionRate: String?

    @Option(name: [.customLong("limits.ingestion-burst")], help: "Token-bucket burst in samples (default 0: one second of the rate).")
    var limitsIngestionBurst: Int?

    @Option(name: [.customLong("limits.series-idle-timeout")], help: "A series unwritten this long stops counting towards the series limits (default 3h).")
    var limitsSeriesIdleTimeout: String?

    @Option(name: [.customLong("tenancy")], help: "off (default) or header: tenants from the X-Scope-OrgID (or X-Tenant-ID) header.")
    var tenancy: String?

    @Option(name: [.customLong("tenancy.storage")], help: "isolated (default: a database per tenant) or label (one database, a tenant_id label).")
    var tenancyStorage: String?

    /// Defaults, then the file, then the flags.
    func resolveConfig() throws -> ServeConfig {
        var c = ServeConfig()
        if let f = configFile {
            let text: String
            do {
                text = try String(contentsOfFile: f, encoding: .utf8)
            } catch {
                throw ConfigError("cannot read config file \(f): \(error.localizedDescription)")
            }
            try c.apply(yaml: text, file: f)
        }
        if let v = dataDir { c.dataDir = v }
        if let v = listen { c.listenAddress = v }
        if let v = retentionTime { c.retentionTimeMs = try ConfigUnits.parseDuration(v, setting: "--retention-time") }
        if let v = retentionSize { c.retentionSizeBytes = try ConfigUnits.parseSize(v, setting: "--retention-size") }
        if let v = blockRange { c.blockRangeMs = try ConfigUnits.parseDuration(v, setting: "--block-range") }
        if let v = walFsync { c.walFsync = try ConfigUnits.parseFsync(v) }
        if let v = maxExemplars { c.maxExemplars = v }
        if let v = queryTimeout { c.queryTimeoutMs = try ConfigUnits.parseDuration(v, setting: "--query-timeout") }
        if let v = queryMaxSamples { c.queryMaxSamples = v }
        if let v = queryMaxConcurrency { c.queryMaxConcurrency = v }
        if let v = queryMaxSeries { c.queryMaxSeries = v }
        if let v = queryMaxRange { c.queryMaxRangeMs = try ConfigUnits.parseDuration(v, setting: "--query.max-range") }
        if let v = queryMaxSelectorRange {
            c.queryMaxSelectorRangeMs = try ConfigUnits.parseDuration(v, setting: "--query.max-selector-range")
        }
        if let v = queryMaxSteps { c.queryMaxSteps = v }
        if let v = lookbackDelta { c.lookbackDeltaMs = try ConfigUnits.parseDuration(v, setting: "--lookback-delta") }
        if let v = querySemantics { c.querySemantics = v }
        if let v = logLevel { c.logLevel = v }
        if let v = logFormat { c.logFormat = v }
        if enableAdminAPI { c.enableAdminAPI = true }
        if let v = maxBodySize { c.maxRequestBodyBytes = try ConfigUnits.parseSize(v, setting: "--max-body-size") }
        if let v = readTimeout { c.readTimeoutMs = try ConfigUnits.parseDuration(v, setting: "--read-timeout") }
        if let v = limitsMaxSeries { c.limits.maxSeries = v }
        if let v = limitsMaxSeriesPerMetric { c.limits.maxSeriesPerMetric = v }
        if let v = limitsMaxLabelNames { c.limits.maxLabelNamesPerSeries = v }
        if let v = limitsMaxLabelNameLength { c.limits.maxLabelNameLength = v }
        if let v = limitsMaxLabelValueLength { c.limits.maxLabelValueLength = v }
        if let v = limitsIngestionRate { c.limits.ingestionRate = try ConfigUnits.parseDouble(v, setting: "--limits.ingestion-rate") }
        if let v = limitsIngestionBurst { c.limits.ingestionBurst = v }
        if let v = limitsSeriesIdleTimeout {
            c.limits.seriesIdleTimeoutMs = try ConfigUnits.parseDuration(v, setting: "--limits.series-idle-timeout")
        }
        if let v = tenancy { c.tenancy.mode = v }
        if let v = tenancyStorage { _ = try c.setTenancy("storage", v, path: "--tenancy.storage") }
        try c.validate()
        return c
    }

    func run() async throws {
        ServeMallocTuning.apply()
        let config: ServeConfig
        do {
            config = try resolveConfig()
        } catch let e as ConfigError {
            throw ValidationError("configuration: \(e.message)")
        }
        let format = config.logFormat
        let level = Logger.Level(sundialName: config.logLevel)
        LoggingSystem.bootstrap { label in
            var h = ServeLogHandler(label: label, json: format == "json")
            h.logLevel = level
            return h
        }
        let logger = Logger(label: "sundial")
        do {
            try await ServeRunner(config: config, logger: logger).run()
        } catch let e as ServeStartupError {
            logger.error("\(e.message)")
            throw ExitCode(1)
        }
    }
}

extension Logger.Level {
    /// Maps our level names (`warn` rather than swift-log's `warning`).
    init(sundialName: String) {
        switch sundialName {
        case "debug": self = .debug
        case "warn": self = .warning
        case "error": self = .error
        default: self = .info
        }
    }
}
