import SundialCore
import SundialTSDB

extension ServeStorage: ExemplarQueryable {
    func selectExemplars(start: Timestamp, end: Timestamp, matcherSets: [[LabelMatcher]]) throws -> [ExemplarSeries] {
        try db.selectExemplars(start: start, end: end, matcherSets: matcherSets)
    }

    /// Prometheus's `prometheus_tsdb_exemplar_*` metrics, summed over `dbs` (the tenants' databases
    /// in isolated tenancy), for `/metrics`.
    static func exemplarMetrics(_ dbs: [DB]) -> [(name: String, help: String, type: String, value: Double)] {
        var max = 0, stored = 0, series = 0, appended = 0, ooo = 0
        var oldest: Timestamp? = nil
        for db in dbs {
            let s = db.head.exemplars.stats
            max += s.maxExemplars
            stored += s.exemplarsInStorage
            series += s.seriesWithExemplars
            appended += s.exemplarsAppended
            ooo += s.outOfOrderExemplars
            if let t = s.oldestTimestamp { oldest = Swift.min(oldest ?? t, t) }
        }
        return [
            ("prometheus_tsdb_exemplar_max_exemplars", "Total number of exemplars the exemplar storage can store, resizeable.", "gauge", Double(max)),
            ("prometheus_tsdb_exemplar_exemplars_in_storage", "Number of exemplars currently in circular storage.", "gauge", Double(stored)),
            ("prometheus_tsdb_exemplar_series_with_exemplars_in_storage", "Number of series with exemplars currently in circular storage.", "gauge", Double(series)),
            ("prometheus_tsdb_exemplar_exemplars_appended_total", "Total number of appended exemplars.", "counter", Double(appended)),
            ("prometheus_tsdb_exemplar_out_of_order_exemplars_total", "Total number of out of order exemplar ingestion failed attempts.", "counter", Double(ooo)),
            ("prometheus_tsdb_exemplar_last_exemplars_timestamp_seconds",
             "The timestamp of the oldest exemplar stored in circular storage. Useful to check for what timerange the current exemplar buffer limit allows. This usually means the last timestamp for all exemplars for a typical setup. This is not true though if one of the series timestamp is in future compared to rest series.",
             "gauge", Double(oldest ?? 0) / 1000),
        ]
    }
}
