import Logging
import SundialCore
import SundialIngest
import Synchronization

// Authentication and tenant resolution in front of the handlers (issue 7).
extension API {
    /// Checks credentials and resolves the tenant a request acts as, returning the bundle that
    /// serves it (nil for routes that need no tenant).
    /// - Throws: ``AccessRefusal``: 401 without (valid) credentials or without a tenant, 400 for an
    ///   invalid or conflicting tenant header, 403 for a tenant principal naming another tenant or
    ///   calling an admin endpoint, 503 over ``TenancyOptions/maxTenants``, 500 when a tenant's
    ///   storage cannot be opened.
    func access(_ route: Route, _ r: APIRequest) throws(AccessRefusal) -> TenantBundle? {
        let needs = route.access
        if needs == .open { return nil }
        var role: AuthRole? = nil
        if let authenticator {
            guard let found = authenticator.authenticate(r.header("authorization")) else {
                let why = r.header("authorization") == nil ? "no credentials" : "invalid credentials"
                throw AccessRefusal(status: 401, reason: "unauthenticated", message: "unauthorized: \(why)")
            }
            role = found
            if needs == .admin || needs == .serverAdmin, found != .admin {
                throw AccessRefusal(status: 403, reason: "forbidden", message: "forbidden: admin endpoints need admin credentials")
            }
        }
        if needs == .server || needs == .serverAdmin { return nil }
        guard options.tenancy.enabled else { return defaultBundle }
        let tenant = try TenantResolution.tenant(header: r.header(TenancyOptions.tenantHeader),
                                                 alias: r.header(TenancyOptions.tenantHeaderAlias), role: role)
        return try bundle(for: tenant)
    }

    /// The cached bundle of `tenant`, built on first use (opening its storage in isolated mode).
    func bundle(for tenant: String) throws(AccessRefusal) -> TenantBundle {
        let maxTenants = options.tenancy.maxTenants
        let (existing, full) = bundles.withLock { b in (b[tenant], b.count >= maxTenants) }
        if let existing { return existing }
        if full {
            throw AccessRefusal(status: 503, reason: "tenant_limit",
                                message: "tenant limit reached: this server serves at most \(maxTenants) tenants (tenancy.max_tenants)")
        }
        let storage: any Queryable & Appendable
        var labelName: String? = nil
        if let sharedStorage {
            storage = sharedStorage
            labelName = options.tenancy.labelName
        } else if let tenantStorage {
            do {
                storage = try tenantStorage.storage(forTenant: tenant)
            } catch {
                logger.error("opening tenant storage failed", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                throw AccessRefusal(status: 500, reason: "storage", message: "the tenant's storage could not be opened")
            }
        } else {
            throw AccessRefusal(status: 500, reason: "storage", message: "no tenant storage configured")
        }
        let table = IngestLimitsTable(defaults: options.remoteWrite.limits, overrides: options.tenancy.limitOverrides)
        let built = TenantBundle(tenant: tenant, storage: storage, labelName: labelName, limits: table[tenant],
                                 options: options, makeEvaluator: makeEvaluator)
        // Two first requests of a tenant may race: the first stored wins (both use the same storage).
        return bundles.withLock { b in
            if let other = b[tenant] { return other }
            b[tenant] = built
            return built
        }
    }

    /// Tenants with a bundle so far (sorted).
    public var activeTenants: [String] { bundles.withLock { Array($0.keys) }.sorted() }

    /// The response to a refused request (plain text as Cortex/Mimir answer, with
    /// `WWW-Authenticate` on 401 when authentication is on), after an audit log line: remote
    /// address when known, method, path, status and reason; never credentials.
    func refuse(_ e: AccessRefusal, _ r: APIRequest) -> APIResponse {
        tenantMetrics.observeRefusal(e.reason)
        var meta: Logger.Metadata = ["path": "\(r.path)", "method": "\(r.method)", "status": "\(e.status)",
                                     "reason": "\(e.reason)", "detail": "\(e.message)"]
        if let a = r.remoteAddress { meta["remote"] = "\(a)" }
        if e.status >= 500 {
            logger.error("request refused", metadata: meta)
        } else {
            logger.warning("request refused", metadata: meta)
        }
        var resp = APIResponse.text(e.message + "\n", status: e.status)
        if e.status == 401, let authenticator {
            for c in authenticator.challenges { resp.headers.append((name: "WWW-Authenticate", value: c)) }
        }
        return resp
    }

    /// `sundial_limits_active_series` while a series limit is set (``IngestLimits/limitsSeries``):
    /// the series the remote-write receivers count against it (summed over tenants).
    func remoteWriteLimitMetrics() -> [(name: String, help: String, type: String, value: Double)] {
        let ingesters = defaultBundle.map { [$0.ingester] } ?? bundles.withLock { $0.values.map(\.ingester) }
        guard ingesters.contains(where: { $0.options.limits.limitsSeries }) else { return [] }
        return [("sundial_limits_active_series", "Active series counted against the remote-write series limits.", "gauge",
                 Double(ingesters.reduce(0) { $0 + $1.activeSeriesCount }))]
    }

    /// Per-tenant active series of tenants with a series limit.
    func tenantActiveSeries() -> [(tenant: String, value: Int)] {
        bundles.withLock { b in
            b.compactMap { k, v in v.ingester.options.limits.limitsSeries ? (k, v.ingester.activeSeriesCount) : nil }
        }
    }
}
