public import SundialCore

extension MemoryStorage: MetadataQueryable {
    /// Metadata recorded through appenders, one entry per family, sorted by family name.
    public func metricMetadata(metric: String?) -> [MetricMetadata] {
        metadata.values.filter { metric == nil || $0.metricFamily == metric }
            .sorted { byteOrderLess($0.metricFamily, $1.metricFamily) }
    }
}
