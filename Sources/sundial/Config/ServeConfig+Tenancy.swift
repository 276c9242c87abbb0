import Foundation
import PromQLEngine
import SundialHTTP
import SundialIngest
import Yams

/// The `tenancy:` section and `--tenancy*` flags (see docs/configuration.md "Tenants").
struct TenancyConfig: Sendable, Equatable {
    /// `off` (default) or `header`: tenants from `X-Scope-OrgID` / `X-Tenant-ID`.
    var mode = "off"
    /// `isolated` (a database per tenant under `<data>/tenants/<id>/`) or `label`.
    var storage: TenancyOptions.Storage = .isolated
    /// Tenant label of label mode.
    var labelName = "tenant_id"
    /// Most tenants served (``TenancyOptions/maxTenants``).
    var maxTenants = 1000
    /// `limits_overrides:` per tenant: limit key → value as written (applied over the global
    /// limits once flags are known, see ``ServeConfig/limitOverrides()``).
    var limitOverrides: [String: [String: String]] = [:]
    /// `query_overrides:` per tenant: query-limit key → value as written (applied over the
    /// `query:` section's limits, see ``ServeConfig/queryLimitOverrides()``).
    var queryOverrides: [String: [String: String]] = [:]

    var enabled: Bool { mode == "header" }
}

extension ServeConfig {
    /// Sets `tenancy.<key>`; false for an unknown key.
    mutating func setTenancy(_ key: String, _ v: String, path: String) throws(ConfigError) -> Bool {
        switch key {
        case "mode": tenancy.mode = v
        case "storage":
            guard let s = TenancyOptions.Storage(rawValue: v) else {
                throw ConfigError("invalid \(path) \(v.debugDescription): expected isolated or label")
            }
            tenancy.storage = s
        case "label_name": tenancy.labelName = v
        case "max_tenants": tenancy.maxTenants = try ConfigUnits.parseInt(v, setting: path)
        default: return false
        }
        return true
    }

    /// `tenancy.limits_overrides: {<tenant>: {<limit key>: value, …}, …}` (keys of `limits:`).
    mutating func applyLimitOverrides(_ node: Node, file: String) throws(ConfigError) {
        tenancy.limitOverrides = try overrides(node, file: file, section: "limits_overrides", accepted: "limits:") { k, v, path throws(ConfigError) in
            var probe = IngestLimits()
            return try Self.setLimit(k, v, &probe, path: path)
        }
    }

    /// `tenancy.query_overrides: {<tenant>: {<query limit key>: value, …}, …}`.
    mutating func applyQueryOverrides(_ node: Node, file: String) throws(ConfigError) {
        tenancy.queryOverrides = try overrides(node, file: file, section: "query_overrides", accepted: "query limit") { k, v, path throws(ConfigError) in
            var probe = QueryLimits()
            return try Self.setQueryLimit(k, v, &probe, path: path)
        }
    }

    /// A `<tenant>: {<key>: value}` mapping, each value checked by `check` (false: unknown key).
    private func overrides(_ node: Node, file: String, section: String, accepted: String,
                           check: (String, String, String) throws(ConfigError) -> Bool) throws(ConfigError) -> [String: [String: String]] {
        if node.null != nil { return [:] }
        guard let m = node.mapping else {
            throw ConfigError("\(file):\(line(node)): tenancy.\(section) must map tenant IDs to limits")
        }
        var out: [String: [String: String]] = [:]
        for (k, v) in m {
            let tenant = k.string ?? ""
            if let problem = TenantID.validationError(tenant) {
                throw ConfigError("\(file):\(line(k)): tenancy.\(section): \(problem)")
            }
            guard let limits = v.mapping else {
                throw ConfigError("\(file):\(line(k)): tenancy.\(section).\(tenant) must be a mapping of limits")
            }
            var entries: [String: String] = [:]
            for (lk, lv) in limits {
                let key = lk.string ?? ""
                let path = "tenancy.\(section).\(tenant).\(key)"
                guard let value = lv.scalar?.string else { throw ConfigError("\(file):\(line(lk)): \(path) must be a single value") }
                do throws(ConfigError) {
                    guard try check(key, value, path) else {
                        throw ConfigError("unknown setting \(path) (the \(accepted) keys are accepted)")
                    }
                } catch {
                    throw ConfigError("\(file):\(line(lk)): \(error.message)")
                }
                entries[key] = value
            }
            out[tenant] = entries
        }
        return out
    }

    /// Sets query-limit `key` in `l`; false for an unknown key. Keys: `timeout`, `max_samples`,
    /// `max_series`, `max_concurrency` (the tenant's own gate, besides the server-wide one),
    /// `max_range`, `max_selector_range`, `max_steps`.
    static func setQueryLimit(_ key: String, _ v: String, _ l: inout QueryLimits, path: String) throws(ConfigError) -> Bool {
        switch key {
        case "timeout": l.timeout = .milliseconds(try ConfigUnits.parseDuration(v, setting: path))
        case "max_samples": l.maxSamples = try ConfigUnits.parseInt(v, setting: path)
        case "max_series": l.maxSeries = try ConfigUnits.parseInt(v, setting: path)
        case "max_concurrency": l.maxConcurrentQueries = try ConfigUnits.parseInt(v, setting: path)
        case "max_range": l.maxRangeMs = try ConfigUnits.parseDuration(v, setting: path)
        case "max_selector_range": l.maxSelectorRangeMs = try ConfigUnits.parseDuration(v, setting: path)
        case "max_steps": l.maxSteps = try ConfigUnits.parseInt(v, setting: path)
        default: return false
        }
        return true
    }

    /// The complete query limits of each tenant with a `query_overrides` entry: ``queryLimits``
    /// (the `query:` section after flags) with the tenant's keys applied.
    func queryLimitOverrides() throws(ConfigError) -> [String: QueryLimits] {
        var out: [String: QueryLimits] = [:]
        for (tenant, entries) in tenancy.queryOverrides {
            var l = queryLimits
            for (k, v) in entries.sorted(by: { $0.key < $1.key }) {
                _ = try Self.setQueryLimit(k, v, &l, path: "tenancy.query_overrides.\(tenant).\(k)")
            }
            out[tenant] = l
        }
        return out
    }

    /// The complete limits of each tenant with an override: the global ``limits`` (after flags)
    /// with the tenant's keys applied.
    func limitOverrides() throws(ConfigError) -> [String: IngestLimits] {
        var out: [String: IngestLimits] = [:]
        for (tenant, entries) in tenancy.limitOverrides {
            var l = limits
            for (k, v) in entries.sorted(by: { $0.key < $1.key }) {
                _ = try Self.setLimit(k, v, &l, path: "tenancy.limits_overrides.\(tenant).\(k)")
            }
            out[tenant] = l
        }
        return out
    }

    /// `auth: {bearer_tokens: [{token|token_file, tenant|admin}], basic_users: [{username,
    /// password|password_file, tenant|admin}]}`. Secret files are read now (trailing newline
    /// dropped); messages never contain a secret.
    mutating func applyAuth(_ node: Node, file: String) throws(ConfigError) {
        if node.null != nil { return }
        guard let m = node.mapping else { throw ConfigError("\(file):\(line(node)): auth must be a mapping") }
        for (k, v) in m {
            let key = k.string ?? ""
            guard key == "bearer_tokens" || key == "basic_users" else {
                throw ConfigError("\(file):\(line(k)): unknown setting auth.\(key) (expected bearer_tokens or basic_users)")
            }
            if v.null != nil { continue }
            guard let list = v.sequence else { throw ConfigError("\(file):\(line(k)): auth.\(key) must be a list") }
            for (i, item) in list.enumerated() {
                let path = "auth.\(key)[\(i)]"
                guard let fields = item.mapping else { throw ConfigError("\(file):\(line(item)): \(path) must be a mapping") }
                var values: [String: String] = [:]
                for (fk, fv) in fields {
                    let name = fk.string ?? ""
                    guard let s = fv.scalar?.string else { throw ConfigError("\(file):\(line(fk)): \(path).\(name) must be a single value") }
                    values[name] = s
                }
                do throws(ConfigError) {
                    if key == "bearer_tokens" {
                        try checkKeys(values, allowed: ["token", "token_file", "tenant", "admin"], path: path)
                        let token = try secret(values, inline: "token", file: "token_file", path: path)
                        auth.bearerTokens.append(.init(token: token, role: try role(values, path: path)))
                    } else {
                        try checkKeys(values, allowed: ["username", "password", "password_file", "tenant", "admin"], path: path)
                        guard let user = values["username"], !user.isEmpty, !user.contains(":") else {
                            throw ConfigError("\(path).username must be set, non-empty and without ':'")
                        }
                        let password = try secret(values, inline: "password", file: "password_file", path: path)
                        auth.basicUsers.append(.init(username: user, password: password, role: try role(values, path: path)))
                    }
                } catch {
                    throw ConfigError("\(file):\(line(item)): \(error.message)")
                }
            }
        }
    }

    private func checkKeys(_ values: [String: String], allowed: Set<String>, path: String) throws(ConfigError) {
        for k in values.keys.sorted() where !allowed.contains(k) {
            throw ConfigError("unknown setting \(path).\(k) (accepted: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// The secret given inline or in a file (exactly one of them).
    private func secret(_ values: [String: String], inline: String, file: String, path: String) throws(ConfigError) -> String {
        switch (values[inline], values[file]) {
        case (let s?, nil):
            if s.isEmpty { throw ConfigError("\(path).\(inline) must not be empty") }
            return s
        case (nil, let f?):
            let text: String
            do {
                text = try String(contentsOfFile: f, encoding: .utf8)
            } catch {
                throw ConfigError("\(path).\(file): cannot read \(f): \(error.localizedDescription)")
            }
            var s = Substring(text)
            while let l = s.last, l == "\n" || l == "\r" { s.removeLast() }
            if s.isEmpty { throw ConfigError("\(path).\(file): \(f) is empty") }
            return String(s)
        case (nil, nil): throw ConfigError("\(path) needs \(inline) or \(file)")
        case (_?, _?): throw ConfigError("\(path) has both \(inline) and \(file); give one")
        }
    }

    /// `tenant: <id>` or `admin: true` (exactly one).
    private func role(_ values: [String: String], path: String) throws(ConfigError) -> AuthRole {
        let admin = try values["admin"].map { v throws(ConfigError) in try ConfigUnits.parseBool(v, setting: "\(path).admin") } ?? false
        switch (values["tenant"], admin) {
        case (let t?, false):
            if let problem = TenantID.validationError(t) { throw ConfigError("\(path).tenant: \(problem)") }
            return .tenant(t)
        case (nil, true): return .admin
        case (nil, false): throw ConfigError("\(path) needs tenant: <id> or admin: true")
        case (_?, true): throw ConfigError("\(path) has both tenant and admin: true; give one")
        }
    }

    /// Checks the tenancy and auth settings.
    func validateTenancy() throws(ConfigError) {
        if !["off", "header"].contains(tenancy.mode) {
            throw ConfigError("invalid tenancy mode \(tenancy.mode.debugDescription): expected off or header")
        }
        if !LabelNames.isValidLegacy(tenancy.labelName) || tenancy.labelName.hasPrefix("__") {
            throw ConfigError("invalid tenancy.label_name \(tenancy.labelName.debugDescription): expected a label name such as tenant_id")
        }
        if tenancy.maxTenants <= 0 { throw ConfigError("tenancy.max_tenants must be positive") }
        for (t, l) in try limitOverrides().sorted(by: { $0.key < $1.key }) {
            if let e = l.validationError() { throw ConfigError("tenancy.limits_overrides.\(t): \(e)") }
        }
        for (t, l) in try queryLimitOverrides().sorted(by: { $0.key < $1.key }) {
            if let e = l.validationError { throw ConfigError("tenancy.query_overrides.\(t): \(e)") }
        }
    }

    /// The `tenancy:` and `auth:` sections for `/api/v1/status/config`, secrets shown as
    /// `<secret>` (as Prometheus shows its secrets).
    var tenancyYAML: String {
        var s = """
            tenancy:
              mode: \(tenancy.mode)
              storage: \(tenancy.storage.rawValue)
              label_name: \(tenancy.labelName)
              max_tenants: \(tenancy.maxTenants)

            """
        if !tenancy.limitOverrides.isEmpty {
            s += "  limits_overrides:\n"
            for (t, entries) in tenancy.limitOverrides.sorted(by: { $0.key < $1.key }) {
                s += "    \(t.debugDescription):\n"
                for (k, v) in entries.sorted(by: { $0.key < $1.key }) { s += "      \(k): \(v)\n" }
            }
        }
        if !tenancy.queryOverrides.isEmpty {
            s += "  query_overrides:\n"
            for (t, entries) in tenancy.queryOverrides.sorted(by: { $0.key < $1.key }) {
                s += "    \(t.debugDescription):\n"
                for (k, v) in entries.sorted(by: { $0.key < $1.key }) { s += "      \(k): \(v)\n" }
            }
        }
        if auth.isEnabled {
            func role(_ r: AuthRole) -> String {
                switch r {
                case .admin: "admin: true"
                case .tenant(let t): "tenant: \(t.debugDescription)"
                }
            }
            s += "auth:\n"
            if !auth.bearerTokens.isEmpty {
                s += "  bearer_tokens:\n"
                for t in auth.bearerTokens { s += "  - token: <secret>\n    \(role(t.role))\n" }
            }
            if !auth.basicUsers.isEmpty {
                s += "  basic_users:\n"
                for u in auth.basicUsers {
                    s += "  - username: \(u.username.debugDescription)\n    password: <secret>\n    \(role(u.role))\n"
                }
            }
        }
        return s
    }
}
