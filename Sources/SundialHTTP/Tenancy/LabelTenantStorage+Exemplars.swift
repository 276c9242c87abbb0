public import SundialCore

extension LabelTenantStorage: ExemplarQueryable {
    /// The tenant's exemplars from the shared storage: each matcher set scoped to the tenant as
    /// queries are (``scoped(_:labelName:tenantMatcher:)``), the tenant label removed from the
    /// series labels. Empty when the shared storage keeps no exemplars.
    public func selectExemplars(start: Timestamp, end: Timestamp, matcherSets: [[LabelMatcher]]) throws -> [ExemplarSeries] {
        guard let e = base as? any ExemplarQueryable else { return [] }
        let tenantMatcher = LabelMatcher.equal(labelName, tenant)
        let sets = matcherSets.compactMap { LabelTenantStorage.scoped($0, labelName: labelName, tenantMatcher: tenantMatcher) }
        if sets.isEmpty { return [] }
        return try e.selectExemplars(start: start, end: end, matcherSets: sets).map {
            ExemplarSeries(seriesLabels: Labels(sorted: $0.seriesLabels.labels.filter { $0.name != labelName }), exemplars: $0.exemplars)
        }
    }
}
