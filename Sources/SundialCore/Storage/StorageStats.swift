/// Head cardinality statistics as `/api/v1/status/tsdb` reports them (Prometheus
/// `web/api/v1/api.go` `TSDBStatus`, `tsdb/index/postings.go` `PostingsStats`).
public struct StorageStats: Sendable, Hashable {
    /// One `{name, value}` entry of a top-N list.
    public struct Entry: Sendable, Hashable {
        public var name: String
        public var value: Int
        public init(name: String, value: Int) {
            self.name = name
            self.value = value
        }
    }
    /// Series in the head.
    public var numSeries: Int
    /// Distinct label name/value pairs in the head.
    public var numLabelPairs: Int
    /// Chunks held by head series (0 when unknown).
    public var chunkCount: Int
    /// Oldest sample timestamp in the head (ms). For an empty head `minTime > maxTime`
    /// (Prometheus reports `math.MaxInt64` / `math.MinInt64` there).
    public var minTime: Timestamp
    /// Newest sample timestamp in the head (ms).
    public var maxTime: Timestamp
    /// Top metric names by series count, descending.
    public var seriesCountByMetricName: [Entry]
    /// Top label names by number of distinct values, descending.
    public var labelValueCountByLabelName: [Entry]
    /// Top label names by bytes of their values summed over distinct values, descending.
    public var memoryInBytesByLabelName: [Entry]
    /// Top `name=value` pairs by series count, descending.
    public var seriesCountByLabelValuePair: [Entry]

    public init(numSeries: Int, numLabelPairs: Int, chunkCount: Int, minTime: Timestamp, maxTime: Timestamp,
                seriesCountByMetricName: [Entry], labelValueCountByLabelName: [Entry],
                memoryInBytesByLabelName: [Entry], seriesCountByLabelValuePair: [Entry]) {
        self.numSeries = numSeries
        self.numLabelPairs = numLabelPairs
        self.chunkCount = chunkCount
        self.minTime = minTime
        self.maxTime = maxTime
        self.seriesCountByMetricName = seriesCountByMetricName
        self.labelValueCountByLabelName = labelValueCountByLabelName
        self.memoryInBytesByLabelName = memoryInBytesByLabelName
        self.seriesCountByLabelValuePair = seriesCountByLabelValuePair
    }

    /// Computes the statistics by scanning every series of `querier` (labels only; samples are read
    /// only for min/max time). A fallback for storages without their own index statistics.
    /// - Parameter limit: entries per top-N list (Prometheus uses 10).
    /// - Complexity: O(series × labels + samples).
    public static func scan(_ querier: any Querier, limit: Int) throws -> StorageStats {
        try scan(querier, limit: limit, readSamples: true)
    }

    /// Like ``scan(_:limit:)``; with `readSamples == false` only labels are read and `minTime`/
    /// `maxTime` are left at `Timestamp.max`/`Timestamp.min` for the caller to fill in (e.g. from
    /// the head's own bounds), which keeps the scan O(series × labels).
    public static func scan(_ querier: any Querier, limit: Int, readSamples: Bool) throws -> StorageStats {
        // A constant, valid pattern: compiling it cannot fail.
        let any = try LabelMatcher(.regexMatch, Labels.metricName, ".+")
        let all = try querier.select(sorted: false, hints: nil, matchers: [any])
        var byMetric: [String: Int] = [:]
        var valuesByName: [String: Set<String>] = [:]
        var byPair: [String: Int] = [:]
        var minT = Timestamp.max, maxT = Timestamp.min
        var buffer = SampleBuffer()
        for s in all {
            if let n = s.labels.metricName { byMetric[n, default: 0] += 1 }
            for l in s.labels {
                valuesByName[l.name, default: []].insert(l.value)
                byPair["\(l.name)=\(l.value)", default: 0] += 1
            }
            guard readSamples else { continue }
            buffer.removeAll()
            try s.samples(minTime: TimestampLimits.min, maxTime: TimestampLimits.max, into: &buffer)
            if let f = buffer.timestamps.first, let l = buffer.timestamps.last {
                minT = Swift.min(minT, f)
                maxT = Swift.max(maxT, l)
            }
        }
        func top(_ d: [String: Int]) -> [Entry] {
            d.map { Entry(name: $0.key, value: $0.value) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : byteOrderLess($0.name, $1.name) }
                .prefix(limit).map { $0 }
        }
        return StorageStats(
            numSeries: all.count, numLabelPairs: byPair.count, chunkCount: 0, minTime: minT, maxTime: maxT,
            seriesCountByMetricName: top(byMetric),
            labelValueCountByLabelName: top(valuesByName.mapValues(\.count)),
            memoryInBytesByLabelName: top(valuesByName.mapValues { $0.reduce(0) { $0 + $1.utf8.count } }),
            seriesCountByLabelValuePair: top(byPair))
    }
}

/// Storage that reports its own head statistics (cheaper than ``StorageStats/scan(_:limit:)``).
public protocol StorageStatsProvider: Sendable {
    /// Current head statistics with top-N lists of at most `limit` entries.
    func stats(limit: Int) throws -> StorageStats
}

/// Storage that serves metric metadata recorded by ``Appender/appendMetadata(_:)``.
public protocol MetadataQueryable: Sendable {
    /// Metadata per metric family, optionally only for `metric`. Families sorted by name.
    func metricMetadata(metric: String?) -> [MetricMetadata]
}

/// Storage operations behind Prometheus's admin API (`/api/v1/admin/tsdb/*`).
public protocol StorageAdmin: Sendable {
    /// Marks samples of series matching any of `matcherSets` within `[minTime, maxTime]` (closed, ms)
    /// as deleted (tombstones). Takes effect for queries immediately.
    func deleteSeries(matcherSets: [[LabelMatcher]], minTime: Timestamp, maxTime: Timestamp) throws
    /// Rewrites blocks to drop tombstoned data.
    func cleanTombstones() throws
    /// Writes a snapshot of the data into `<data dir>/snapshots/<name>` and returns the name.
    /// - Parameter skipHead: when true, in-memory head data is left out.
    func snapshot(skipHead: Bool) throws -> String
}
