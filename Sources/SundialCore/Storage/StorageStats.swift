/// Cardinality statistics as `/api/v1/status/tsdb` reports them (Prometheus 2.42
/// `web/api/v1/api.go` `TSDBStatus` over `tsdb/index/postings.go` `MemPostings.Stats`, plus
/// VictoriaMetrics's `seriesCountByLabelName` and `seriesCountByFocusLabelValue`). Every figure
/// covers the series a ``StatsRequest`` selects (all head series by default).
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
    /// Series counted (Prometheus `headStats.numSeries`, VictoriaMetrics `totalSeries`).
    public var numSeries: Int
    /// Distinct label name/value pairs among them (`numLabelPairs`, VictoriaMetrics `totalLabelValuePairs`).
    public var numLabelPairs: Int
    /// Chunks held by those series (0 when unknown).
    public var chunkCount: Int
    /// Oldest sample timestamp (ms). When nothing is counted `minTime > maxTime`
    /// (Prometheus reports `math.MaxInt64` / `math.MinInt64` there).
    public var minTime: Timestamp
    /// Newest sample timestamp (ms).
    public var maxTime: Timestamp
    /// Top metric names by series count, descending.
    public var seriesCountByMetricName: [Entry]
    /// Top label names by number of distinct values, descending.
    public var labelValueCountByLabelName: [Entry]
    /// Top label names by bytes of their distinct values, summed, descending (2.42's
    /// `size += len(value)` per distinct value).
    public var memoryInBytesByLabelName: [Entry]
    /// Top `name=value` pairs by series count, descending.
    public var seriesCountByLabelValuePair: [Entry]
    /// Top label names by number of series carrying them (VictoriaMetrics `seriesCountByLabelName`).
    public var seriesCountByLabelName: [Entry]
    /// With a focus label: its top values by series count (`seriesCountByFocusLabelValue`); else nil.
    public var seriesCountByFocusLabelValue: [Entry]?

    public init(numSeries: Int, numLabelPairs: Int, chunkCount: Int, minTime: Timestamp, maxTime: Timestamp,
                seriesCountByMetricName: [Entry], labelValueCountByLabelName: [Entry],
                memoryInBytesByLabelName: [Entry], seriesCountByLabelValuePair: [Entry],
                seriesCountByLabelName: [Entry] = [], seriesCountByFocusLabelValue: [Entry]? = nil) {
        self.numSeries = numSeries
        self.numLabelPairs = numLabelPairs
        self.chunkCount = chunkCount
        self.minTime = minTime
        self.maxTime = maxTime
        self.seriesCountByMetricName = seriesCountByMetricName
        self.labelValueCountByLabelName = labelValueCountByLabelName
        self.memoryInBytesByLabelName = memoryInBytesByLabelName
        self.seriesCountByLabelValuePair = seriesCountByLabelValuePair
        self.seriesCountByLabelName = seriesCountByLabelName
        self.seriesCountByFocusLabelValue = seriesCountByFocusLabelValue
    }

    /// Computes the statistics by scanning every series of `querier` (labels only; samples are read
    /// only for min/max time). A fallback for storages without their own index statistics.
    /// - Parameter limit: entries per top-N list (Prometheus uses 10).
    /// - Complexity: O(series × labels + samples).
    public static func scan(_ querier: any Querier, limit: Int) throws -> StorageStats {
        try scan(querier, request: StatsRequest(limit: limit), readSamples: true)
    }

    /// Like ``scan(_:limit:)``; with `readSamples == false` only labels are read and `minTime`/
    /// `maxTime` are left at `Timestamp.max`/`Timestamp.min` for the caller to fill in (e.g. from
    /// the head's own bounds), which keeps the scan O(series × labels).
    public static func scan(_ querier: any Querier, limit: Int, readSamples: Bool) throws -> StorageStats {
        try scan(querier, request: StatsRequest(limit: limit), readSamples: readSamples)
    }

    /// The statistics of the series of `querier` that `request` selects, by scanning their labels
    /// (and samples when `readSamples`, or always when the request has a time range: a series
    /// counts only with a sample inside it). Series matched by several matcher sets count once.
    /// - Complexity: O(selected series × labels (+ their samples)).
    public static func scan(_ querier: any Querier, request: StatsRequest, readSamples: Bool = true) throws -> StorageStats {
        let sets: [[LabelMatcher]]
        if request.matcherSets.isEmpty {
            // A constant, valid pattern: compiling it cannot fail.
            sets = [[try LabelMatcher(.regexMatch, Labels.metricName, ".+")]]
        } else {
            sets = request.matcherSets
        }
        var seen = Set<Labels>()
        var acc = ScanAccumulator(request: request)
        var buffer = SampleBuffer()
        let lo = request.timeRange?.lowerBound ?? TimestampLimits.min
        let hi = request.timeRange?.upperBound ?? TimestampLimits.max
        for set in sets {
            for s in try querier.select(sorted: false, hints: nil, matchers: set) {
                if sets.count > 1 && !seen.insert(s.labels).inserted { continue }
                if readSamples || request.timeRange != nil {
                    buffer.removeAll()
                    try s.samples(minTime: lo, maxTime: hi, into: &buffer)
                    guard let f = buffer.timestamps.first, let l = buffer.timestamps.last else {
                        if request.timeRange != nil { continue }
                        acc.add(s.labels)
                        continue
                    }
                    acc.minTime = Swift.min(acc.minTime, f)
                    acc.maxTime = Swift.max(acc.maxTime, l)
                }
                acc.add(s.labels)
            }
        }
        var stats = acc.finish()
        if !readSamples {
            stats.minTime = Timestamp.max
            stats.maxTime = Timestamp.min
        }
        return stats
    }
}

/// Per-series accumulation of ``StorageStats`` (the scan fallback).
package struct ScanAccumulator {
    let request: StatsRequest
    let hidden: Set<String>
    var numSeries = 0
    var byMetric: [String: Int] = [:]
    var valuesByName: [String: [String: Int]] = [:]
    package var minTime = Timestamp.max
    package var maxTime = Timestamp.min

    package init(request: StatsRequest) {
        self.request = request
        hidden = Set(request.hiddenLabelNames)
    }

    package mutating func add(_ labels: Labels) {
        numSeries += 1
        for l in labels where !hidden.contains(l.name) {
            if l.name == Labels.metricName { byMetric[l.value, default: 0] += 1 }
            valuesByName[l.name, default: [:]][l.value, default: 0] += 1
        }
    }

    package func finish() -> StorageStats {
        let limit = request.limit
        var metric = TopN(limit: limit), valueCount = TopN(limit: limit), bytes = TopN(limit: limit)
        var pairs = TopN(limit: limit), byName = TopN(limit: limit), focus = TopN(limit: limit)
        var numPairs = 0
        for (v, n) in byMetric { metric.offer(n) { v } }
        for (name, values) in valuesByName {
            numPairs += values.count
            valueCount.offer(values.count) { name }
            var size = 0, series = 0
            for (v, n) in values {
                size += v.utf8.count
                series += n
                pairs.offer(n) { name + "=" + v }
                if name == request.focusLabel { focus.offer(n) { v } }
            }
            bytes.offer(size) { name }
            byName.offer(series) { name }
        }
        return StorageStats(
            numSeries: numSeries, numLabelPairs: numPairs, chunkCount: 0, minTime: minTime, maxTime: maxTime,
            seriesCountByMetricName: metric.entries, labelValueCountByLabelName: valueCount.entries,
            memoryInBytesByLabelName: bytes.entries, seriesCountByLabelValuePair: pairs.entries,
            seriesCountByLabelName: byName.entries,
            seriesCountByFocusLabelValue: request.focusLabel == nil ? nil : focus.entries)
    }
}

/// Storage that reports its own cardinality statistics (cheaper than ``StorageStats/scan(_:limit:)``).
public protocol StorageStatsProvider: Sendable {
    /// Statistics of the series `request` selects, top-N lists of at most `request.limit` entries.
    func stats(_ request: StatsRequest) throws -> StorageStats
}

extension StorageStatsProvider {
    /// Statistics of every series with top-N lists of at most `limit` entries.
    public func stats(limit: Int) throws -> StorageStats { try stats(StatsRequest(limit: limit)) }
}

extension StorageStatsProvider where Self: Queryable {
    /// By default a queryable provider scans its own series (``StorageStats/scan(_:request:readSamples:)``).
    public func stats(_ request: StatsRequest) throws -> StorageStats {
        let q = try querier(minTime: request.timeRange?.lowerBound ?? TimestampLimits.min,
                            maxTime: request.timeRange?.upperBound ?? TimestampLimits.max)
        defer { q.close() }
        return try StorageStats.scan(q, request: request)
    }
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
