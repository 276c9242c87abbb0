public import SundialCore
public import SundialIngest

/// Multi-tenancy settings (issue 7), fixed at start-up. Off by default: one storage, no tenant
/// header needed. `Sendable` value type.
public struct TenancyOptions: Sendable {
    /// How tenants' data is kept apart.
    public enum Storage: String, Sendable, Hashable {
        /// Each tenant its own database (head, WAL, blocks, lock) under `<data>/tenants/<id>/`,
        /// supplied by a ``TenantStorageProvider``.
        case isolated
        /// One database; writes get the label ``TenancyOptions/labelName`` = tenant injected and
        /// every read is restricted to it (``LabelTenantStorage``).
        case label
    }

    /// The tenant header (the Cortex/Mimir convention).
    public static let tenantHeader = "X-Scope-OrgID"
    /// Accepted alias of ``tenantHeader``; both present with different values → 400.
    public static let tenantHeaderAlias = "X-Tenant-ID"

    /// Tenancy on (`--tenancy=header`): tenant-scoped endpoints need a tenant.
    public var enabled = false
    /// Isolation mode.
    public var storage: Storage = .isolated
    /// The tenant label in label mode (`tenant_id`). Must be a valid label name.
    public var labelName = "tenant_id"
    /// Most tenants served at once (inclusive). Each isolated tenant holds an open database (WAL
    /// segment, lock, mapped blocks), each tenant a remote-write receiver with its own series cache
    /// (up to ``RemoteWriteOptions/seriesCacheEntries`` entries); a request for a new tenant
    /// beyond this is refused with 503 (counted over the tenants served since start).
    public var maxTenants = 1000
    /// Complete remote-write limits of tenants that don't use the global ones
    /// (``RemoteWriteOptions/limits`` of ``APIOptions/remoteWrite``), by tenant ID.
    public var limitOverrides: [String: IngestLimits] = [:]

    public init() {}
}

/// Supplies the storage of each tenant in isolated mode (the composition root opens one
/// database per tenant directory). Implementations must be thread-safe and return the same
/// storage for every call with the same tenant.
public protocol TenantStorageProvider: Sendable {
    /// The storage of `tenant` (a valid ``TenantID``), opened or created on first use.
    /// - Throws: when it cannot be opened; the request then fails with 500 (detail logged).
    func storage(forTenant tenant: String) throws -> any Queryable & Appendable
}

/// Why a request was refused before its handler ran: the HTTP status, the `reason` label of
/// `sundial_requests_refused_total` and a message for the client (never containing secrets).
struct AccessRefusal: Error, Sendable {
    var status: Int
    var reason: String
    var message: String

    static func missingTenant() -> AccessRefusal {
        AccessRefusal(status: 401, reason: "missing_tenant",
                      message: "no tenant ID: set the \(TenancyOptions.tenantHeader) header (or \(TenancyOptions.tenantHeaderAlias))")
    }
}

/// Tenant and principal resolution of one request. Pure; thread-safe.
enum TenantResolution {
    /// The tenant a request acts as, from its tenant headers and (when authenticated) its role:
    /// - headers: ``TenancyOptions/tenantHeader`` or its alias; both present and different → 400;
    ///   an invalid ID (``TenantID``) → 400;
    /// - a tenant principal acts as its tenant; a header naming another tenant → 403;
    /// - an admin principal or an anonymous request (no auth configured) needs a header → else 401.
    static func tenant(header: String?, alias: String?, role: AuthRole?) throws(AccessRefusal) -> String {
        var named: String? = header
        if let alias {
            if let header, header != alias {
                throw AccessRefusal(status: 400, reason: "conflicting_tenant",
                                    message: "\(TenancyOptions.tenantHeader) and \(TenancyOptions.tenantHeaderAlias) name different tenants")
            }
            named = alias
        }
        if let named, let problem = TenantID.validationError(named) {
            throw AccessRefusal(status: 400, reason: "invalid_tenant", message: "invalid tenant ID: \(problem)")
        }
        switch role {
        case .tenant(let own):
            if let named, named != own {
                throw AccessRefusal(status: 403, reason: "forbidden",
                                    message: "forbidden: these credentials may not act as another tenant")
            }
            return own
        case .admin, nil:
            guard let named else { throw AccessRefusal.missingTenant() }
            return named
        }
    }
}
