import Synchronization

/// Per-tenant ingestion counters and tenancy/authentication refusals, served at `/metrics`:
/// - `sundial_tenant_write_requests_total{tenant}`: remote-write requests decoded;
/// - `sundial_tenant_samples_ingested_total{tenant}`: float samples appended;
/// - `sundial_tenant_samples_rejected_total{tenant,reason}`: samples refused, by reason (the
///   same `reason` values as `sundial_samples_rejected_total`);
/// - `sundial_tenant_active_series{tenant}`: series counted by the series limits (when set);
/// - `sundial_requests_refused_total{reason}`: requests refused before any handler ran
///   (`missing_tenant`, `invalid_tenant`, `conflicting_tenant`, `unauthenticated`, `forbidden`,
///   `tenant_limit`).
///
/// The `tenant` label's cardinality is bounded by the number of tenants served
/// (``TenancyOptions/maxTenants``). Thread-safe: one `Mutex`, taken once per write request.
public final class TenantMetrics: Sendable {
    struct Counters {
        var writeRequests: UInt64 = 0
        var samplesIngested: UInt64 = 0
        var rejected: [String: UInt64] = [:]
    }

    struct State {
        var tenants: [String: Counters] = [:]
        var refused: [String: UInt64] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Records one remote-write request of `tenant`.
    public func observeWrite(tenant: String, samples: Int, rejectedByReason: [String: Int]) {
        state.withLock { s in
            var c = s.tenants[tenant] ?? Counters()
            c.writeRequests += 1
            c.samplesIngested += UInt64(max(0, samples))
            for (r, n) in rejectedByReason where n > 0 { c.rejected[r, default: 0] += UInt64(n) }
            s.tenants[tenant] = c
        }
    }

    /// Counts one request refused for `reason`.
    public func observeRefusal(_ reason: String) {
        state.withLock { $0.refused[reason, default: 0] += 1 }
    }

    /// Samples ingested for `tenant` so far.
    public func samplesIngested(tenant: String) -> UInt64 { state.withLock { $0.tenants[tenant]?.samplesIngested ?? 0 } }

    /// Samples of `tenant` rejected so far, by reason.
    public func samplesRejected(tenant: String) -> [String: UInt64] { state.withLock { $0.tenants[tenant]?.rejected ?? [:] } }

    /// Requests refused so far, by reason.
    public var refusals: [String: UInt64] { state.withLock { $0.refused } }

    /// The families above in the text format 0.0.4; `activeSeries` gives the per-tenant gauge.
    func exposition(activeSeries: [(tenant: String, value: Int)]) -> [UInt8] {
        let s = state.withLock { $0 }
        var w = MetricsTextWriter()
        let tenants = s.tenants.sorted { $0.key < $1.key }
        w.family("sundial_tenant_write_requests_total", "Remote-write requests decoded, by tenant.", "counter")
        for (t, c) in tenants { w.sample("sundial_tenant_write_requests_total", [("tenant", t)], Double(c.writeRequests)) }
        w.family("sundial_tenant_samples_ingested_total", "Float samples appended through remote write, by tenant.", "counter")
        for (t, c) in tenants { w.sample("sundial_tenant_samples_ingested_total", [("tenant", t)], Double(c.samplesIngested)) }
        w.family("sundial_tenant_samples_rejected_total", "Samples refused, by tenant and reason.", "counter")
        for (t, c) in tenants {
            for (r, n) in c.rejected.sorted(by: { $0.key < $1.key }) {
                w.sample("sundial_tenant_samples_rejected_total", [("reason", r), ("tenant", t)], Double(n))
            }
        }
        if !activeSeries.isEmpty {
            w.family("sundial_tenant_active_series", "Active series counted against the remote-write series limits, by tenant.", "gauge")
            for a in activeSeries.sorted(by: { $0.tenant < $1.tenant }) {
                w.sample("sundial_tenant_active_series", [("tenant", a.tenant)], Double(a.value))
            }
        }
        w.family("sundial_requests_refused_total", "Requests refused by tenancy or authentication, by reason.", "counter")
        for (r, n) in s.refused.sorted(by: { $0.key < $1.key }) {
            w.sample("sundial_requests_refused_total", [("reason", r)], Double(n))
        }
        return w.bytes
    }
}
