import SundialIngest
import Yams

extension ServeConfig {
    /// Applies the settings of a YAML config file over `self`. Unknown keys are errors (a typo must
    /// not silently fall back to a default); messages name the key and its line.
    mutating func apply(yaml text: String, file: String) throws(ConfigError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError("\(file): invalid YAML: \(error)")
        }
        guard let root else { return }  // empty file: defaults
        guard let top = root.mapping else { throw ConfigError("\(file): the top level must be a mapping") }
        for (k, v) in top {
            let section = k.string ?? ""
            if section == "auth" {
                try applyAuth(v, file: file)
                continue
            }
            guard let m = v.mapping else {
                if v.null != nil { continue }
                throw ConfigError("\(file):\(line(k)): \(section) must be a mapping")
            }
            for (key, value) in m {
                let name = key.string ?? ""
                let path = "\(section).\(name)"
                if section == "storage" && name == "exemplars" {
                    try applyExemplars(value, file: file)
                    continue
                }
                if section == "tenancy" && name == "limits_overrides" {
                    try applyLimitOverrides(value, file: file)
                    continue
                }
                if section == "tenancy" && name == "query_overrides" {
                    try applyQueryOverrides(value, file: file)
                    continue
                }
                guard let s = value.scalar?.string else {
                    throw ConfigError("\(file):\(line(key)): \(path) must be a single value")
                }
                do {
                    try set(section: section, key: name, value: s, path: path)
                } catch {
                    throw ConfigError("\(file):\(line(key)): \(error.message)")
                }
            }
        }
    }

    func line(_ n: Node) -> Int { n.mark?.line ?? 0 }

    /// Sets remote-write limit `key` (the keys of the `limits:` section) in `l`; false for an
    /// unknown key. Shared by `limits:` and `tenancy.limits_overrides.<tenant>:`.
    static func setLimit(_ key: String, _ v: String, _ l: inout IngestLimits, path: String) throws(ConfigError) -> Bool {
        switch key {
        case "max_series": l.maxSeries = try ConfigUnits.parseInt(v, setting: path)
        case "max_series_per_metric": l.maxSeriesPerMetric = try ConfigUnits.parseInt(v, setting: path)
        case "max_label_names_per_series": l.maxLabelNamesPerSeries = try ConfigUnits.parseInt(v, setting: path)
        case "max_label_name_length": l.maxLabelNameLength = try ConfigUnits.parseInt(v, setting: path)
        case "max_label_value_length": l.maxLabelValueLength = try ConfigUnits.parseInt(v, setting: path)
        case "ingestion_rate": l.ingestionRate = try ConfigUnits.parseDouble(v, setting: path)
        case "ingestion_burst": l.ingestionBurst = try ConfigUnits.parseInt(v, setting: path)
        case "series_idle_timeout": l.seriesIdleTimeoutMs = try ConfigUnits.parseDuration(v, setting: path)
        default: return false
        }
        return true
    }

    private mutating func set(section: String, key: String, value v: String, path: String) throws(ConfigError) {
        switch (section, key) {
        case ("storage", "path"): dataDir = v
        case ("storage", "retention_time"): retentionTimeMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("storage", "retention_size"): retentionSizeBytes = try ConfigUnits.parseSize(v, setting: path)
        case ("storage", "block_range"): blockRangeMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("storage", "wal_fsync"): walFsync = try ConfigUnits.parseFsync(v)
        case ("storage", "max_exemplars"): maxExemplars = try ConfigUnits.parseInt(v, setting: path)
        case ("web", "listen_address"): listenAddress = v
        case ("web", "enable_admin_api"): enableAdminAPI = try ConfigUnits.parseBool(v, setting: path)
        case ("web", "max_request_body_size"): maxRequestBodyBytes = try ConfigUnits.parseSize(v, setting: path)
        case ("web", "read_timeout"): readTimeoutMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("query", "timeout"): queryTimeoutMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("query", "max_samples"): queryMaxSamples = try ConfigUnits.parseInt(v, setting: path)
        case ("query", "max_concurrency"): queryMaxConcurrency = try ConfigUnits.parseInt(v, setting: path)
        case ("query", "lookback_delta"): lookbackDeltaMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("query", "semantics"): querySemantics = v
        case ("query", "max_series"): queryMaxSeries = try ConfigUnits.parseInt(v, setting: path)
        case ("query", "max_range"): queryMaxRangeMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("query", "max_selector_range"): queryMaxSelectorRangeMs = try ConfigUnits.parseDuration(v, setting: path)
        case ("query", "max_steps"): queryMaxSteps = try ConfigUnits.parseInt(v, setting: path)
        case ("tls", "cert_file"): tlsCertFile = v
        case ("tls", "key_file"): tlsKeyFile = v
        case ("tls", "client_ca_file"): tlsClientCAFile = v
        case ("tls", "min_version"): tlsMinVersion = v
        case ("log", "level"): logLevel = v
        case ("log", "format"): logFormat = v
        case ("limits", _) where try Self.setLimit(key, v, &limits, path: path): break
        case ("tenancy", _) where try setTenancy(key, v, path: path): break
        default:
            throw ConfigError("unknown setting \(path) (see docs/configuration.md for the accepted keys)")
        }
    }
}
