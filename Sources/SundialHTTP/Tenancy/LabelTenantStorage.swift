public import SundialCore

/// One tenant's view of a storage shared by all tenants and partitioned by a tenant label
/// (tenancy "label" mode). Every select, label-names and label-values call gets
/// `<labelName>="<tenant>"` AND-ed to its matchers, and the tenant label is stripped from the
/// series it returns, so the tenant sees its data as if it were alone:
/// - a matcher the caller puts on the tenant label is evaluated against the empty value (the
///   label does not exist for the tenant): one that cannot match `""` (`{tenant_id="other"}`)
///   makes the result empty, one that can is dropped;
/// - `labelNames` never lists the tenant label and `labelValues(<labelName>)` is empty.
///
/// Because it sits at the ``Queryable``/``Querier`` boundary, PromQL, series, labels, label
/// values, federation, remote read, metadata, status/tsdb and admin deletes all inherit the
/// partitioning. Writes are partitioned by the remote-write receiver, which injects the label
/// (``RemoteWriteOptions/injectedLabel``). Immutable; thread-safe if the base is.
public struct LabelTenantStorage: Queryable, MetadataQueryable, StorageStatsProvider {
    /// The shared storage.
    public let base: any Queryable
    /// The tenant label's name (`tenant_id` by default).
    public let labelName: String
    /// The tenant this view belongs to (the label's value).
    public let tenant: String

    public init(base: any Queryable, labelName: String, tenant: String) {
        self.base = base
        self.labelName = labelName
        self.tenant = tenant
    }

    public func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        LabelTenantQuerier(base: try base.querier(minTime: minTime, maxTime: maxTime), labelName: labelName,
                           tenantMatcher: .equal(labelName, tenant))
    }

    /// Metadata of the metric families this tenant has series of (metadata itself is stored per
    /// family, shared by the tenants: the latest help/type written by any tenant is shown).
    public func metricMetadata(metric: String?) -> [MetricMetadata] {
        guard let m = base as? any MetadataQueryable else { return [] }
        let all = m.metricMetadata(metric: metric)
        if all.isEmpty { return [] }
        guard let q = try? querier(minTime: TimestampLimits.min, maxTime: TimestampLimits.max) else { return [] }
        defer { q.close() }
        guard let names = try? q.labelValues(name: Labels.metricName, matchers: []) else { return [] }
        let mine = Set(names)
        return all.filter { mine.contains($0.metricFamily) }
    }

    /// The tenant's cardinality statistics: the request goes to the base's own provider (head
    /// postings) with the tenant matcher AND-ed into every matcher set and the tenant label hidden;
    /// a caller matcher set on the tenant label is judged as in ``querier(minTime:maxTime:)``.
    /// Without a base provider the tenant's series are scanned.
    public func stats(_ request: StatsRequest) throws -> StorageStats {
        let tenantMatcher = LabelMatcher.equal(labelName, tenant)
        var r = request
        if !request.matcherSets.isEmpty {
            r.matcherSets = request.matcherSets.compactMap {
                Self.scoped($0, labelName: labelName, tenantMatcher: tenantMatcher)
            }
            if r.matcherSets.isEmpty {  // no set can match anything of this tenant
                return try StorageStats.scan(EmptyStorage.EmptyQuerier(), request: request)
            }
        } else {
            r.matcherSets = [[tenantMatcher]]
        }
        if !r.hiddenLabelNames.contains(labelName) { r.hiddenLabelNames.append(labelName) }
        let focusOnTenant = r.focusLabel == labelName
        if focusOnTenant { r.focusLabel = nil }
        var stats: StorageStats
        if let provider = base as? any StorageStatsProvider {
            stats = try provider.stats(r)
        } else {
            let q = try base.querier(minTime: r.timeRange?.lowerBound ?? TimestampLimits.min,
                                     maxTime: r.timeRange?.upperBound ?? TimestampLimits.max)
            defer { q.close() }
            stats = try StorageStats.scan(q, request: r)
        }
        if focusOnTenant { stats.seriesCountByFocusLabelValue = [] }
        return stats
    }

    /// The admin operations of the base, scoped to this tenant, or nil when the base has none.
    public var admin: (any StorageAdmin)? {
        guard let a = base as? any StorageAdmin else { return nil }
        return LabelTenantAdmin(base: a, labelName: labelName, tenantMatcher: .equal(labelName, tenant))
    }

    /// `matchers` with the tenant matcher AND-ed in, or nil when a caller matcher on the tenant
    /// label cannot match the empty value (the result is then empty).
    static func scoped(_ matchers: [LabelMatcher], labelName: String, tenantMatcher: LabelMatcher) -> [LabelMatcher]? {
        var out: [LabelMatcher] = []
        out.reserveCapacity(matchers.count + 1)
        for m in matchers {
            if m.name == labelName {
                if !m.matchesEmpty { return nil }
                continue
            }
            out.append(m)
        }
        out.append(tenantMatcher)
        return out
    }
}

/// A ``Querier`` over the shared storage restricted to one tenant (see ``LabelTenantStorage``).
struct LabelTenantQuerier: Querier {
    let base: any Querier
    let labelName: String
    let tenantMatcher: LabelMatcher

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        guard let ms = LabelTenantStorage.scoped(matchers, labelName: labelName, tenantMatcher: tenantMatcher) else { return [] }
        let found = try base.select(sorted: sorted, hints: hints, matchers: ms)
        var out: [TenantSeries] = []
        out.reserveCapacity(found.count)
        for s in found { out.append(TenantSeries(base: s, labels: Labels(sorted: s.labels.labels.filter { $0.name != labelName }))) }
        // Removing one label from every series can change their order ({a, s, tenant} sorts
        // before {a, tenant} but {a, s} after {a}); restore it when the caller asked for order.
        if sorted && !out.isEmpty {
            var inOrder = true
            for i in 1..<out.count where out[i].labels < out[i - 1].labels {
                inOrder = false
                break
            }
            if !inOrder { out.sort { $0.labels < $1.labels } }
        }
        return out
    }

    func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
        if name == labelName { return [] }
        guard let ms = LabelTenantStorage.scoped(matchers, labelName: labelName, tenantMatcher: tenantMatcher) else { return [] }
        return try base.labelValues(name: name, matchers: ms)
    }

    func labelNames(matchers: [LabelMatcher]) throws -> [String] {
        guard let ms = LabelTenantStorage.scoped(matchers, labelName: labelName, tenantMatcher: tenantMatcher) else { return [] }
        return try base.labelNames(matchers: ms).filter { $0 != labelName }
    }

    func close() { base.close() }
}

/// A series of the shared storage shown without its tenant label.
struct TenantSeries: StorageSeries {
    let base: any StorageSeries
    let labels: Labels

    func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
        try base.samples(minTime: minTime, maxTime: maxTime, into: &buffer)
    }
}

/// Admin operations on the shared storage scoped to one tenant: deletes only touch the tenant's
/// series. Tombstone cleaning and snapshots act on the whole shared storage (they neither show
/// nor change another tenant's data).
struct LabelTenantAdmin: StorageAdmin {
    let base: any StorageAdmin
    let labelName: String
    let tenantMatcher: LabelMatcher

    func deleteSeries(matcherSets: [[LabelMatcher]], minTime: Timestamp, maxTime: Timestamp) throws {
        let sets = matcherSets.compactMap {
            LabelTenantStorage.scoped($0, labelName: labelName, tenantMatcher: tenantMatcher)
        }
        if sets.isEmpty { return }
        try base.deleteSeries(matcherSets: sets, minTime: minTime, maxTime: maxTime)
    }

    func cleanTombstones() throws { try base.cleanTombstones() }

    func snapshot(skipHead: Bool) throws -> String { try base.snapshot(skipHead: skipHead) }
}
