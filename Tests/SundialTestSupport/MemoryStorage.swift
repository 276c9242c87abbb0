import Synchronization
public import SundialCore

/// A simple in-memory storage implementing Core's ``Appendable`` and ``Queryable``, for tests of
/// layers above storage (PromQL, ingest, HTTP) that must not depend on the TSDB module.
///
/// Thread-safe (one `Mutex`). Samples per series are kept sorted; out-of-order and duplicate
/// samples are refused like the head refuses them (no appendable window: any age is accepted).
public final class MemoryStorage: Appendable, Queryable, Sendable {
    struct Series {
        var labels: Labels
        var timestamps: [Timestamp] = []
        var values: [Double] = []
        /// Native-histogram samples (a side column; no time is both a float and a histogram).
        var histogramTimestamps: [Timestamp] = []
        var histograms: [FloatHistogram] = []
    }
    struct State {
        var series: [Labels: Int] = [:]
        var all: [Series] = []
        var metadata: [String: MetricMetadata] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public func appender() -> any Appender { MemoryAppender(storage: self) }

    public func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        let snapshot = state.withLock { $0.all }
        return MemoryQuerier(series: snapshot, minTime: minTime, maxTime: maxTime)
    }

    /// Metadata recorded through appenders, by metric family.
    public var metadata: [String: MetricMetadata] { state.withLock { $0.metadata } }

    /// Number of series.
    public var seriesCount: Int { state.withLock { $0.all.count } }

    fileprivate func lastTimestamp(_ labels: Labels) -> (Timestamp, Double)? {
        state.withLock { s in
            guard let i = s.series[labels], let t = s.all[i].timestamps.last else { return nil }
            return (t, s.all[i].values.last!)
        }
    }

    fileprivate func apply(_ staged: [(Labels, Timestamp, Double)], _ meta: [MetricMetadata]) {
        state.withLock { s in
            for (l, t, v) in staged {
                let idx: Int
                if let i = s.series[l] {
                    idx = i
                } else {
                    idx = s.all.count
                    s.all.append(Series(labels: l))
                    s.series[l] = idx
                }
                s.all[idx].timestamps.append(t)
                s.all[idx].values.append(v)
            }
            for m in meta { s.metadata[m.metricFamily] = m }
        }
    }

    fileprivate func applyHistograms(_ staged: [(Labels, Timestamp, FloatHistogram)]) {
        state.withLock { s in
            for (l, t, h) in staged {
                let idx: Int
                if let i = s.series[l] {
                    idx = i
                } else {
                    idx = s.all.count
                    s.all.append(Series(labels: l))
                    s.series[l] = idx
                }
                s.all[idx].histogramTimestamps.append(t)
                s.all[idx].histograms.append(h)
            }
        }
    }
}

final class MemoryAppender: Appender {
    let storage: MemoryStorage
    var staged: [(Labels, Timestamp, Double)] = []
    var last: [Labels: (Timestamp, Double)] = [:]
    var meta: [MetricMetadata] = []
    var stagedHistograms: [(Labels, Timestamp, FloatHistogram)] = []

    init(storage: MemoryStorage) { self.storage = storage }

    func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
        if labels.isEmpty { throw AppendError(.invalidLabels, labels: labels, timestamp: timestamp, detail: "empty label set") }
        if let (t, v) = last[labels] ?? storage.lastTimestamp(labels) {
            if timestamp < t { throw AppendError(.outOfOrder, labels: labels, timestamp: timestamp) }
            if timestamp == t {
                if v.bitPattern == value.bitPattern { return ref }
                throw AppendError(.duplicateTimestamp, labels: labels, timestamp: timestamp)
            }
        }
        last[labels] = (timestamp, value)
        staged.append((labels, timestamp, value))
        return ref
    }

    func appendMetadata(_ metadata: MetricMetadata) { meta.append(metadata) }

    /// Histograms are kept as float histograms; times must increase per series (floats and
    /// histograms are ordered independently).
    func appendHistogram(ref: SeriesRef, labels: Labels, timestamp: Timestamp,
                         histogram: Histogram?, floatHistogram: FloatHistogram?) throws(AppendError) -> SeriesRef {
        if labels.isEmpty { throw AppendError(.invalidLabels, labels: labels, timestamp: timestamp, detail: "empty label set") }
        guard let h = floatHistogram ?? histogram?.toFloat() else {
            throw AppendError(.invalidHistogram, labels: labels, timestamp: timestamp, detail: "no histogram")
        }
        stagedHistograms.append((labels, timestamp, h))
        return ref
    }

    func commit() throws {
        storage.apply(staged, meta)
        storage.applyHistograms(stagedHistograms)
        staged = []
        stagedHistograms = []
        meta = []
    }

    func rollback() {
        staged = []
        stagedHistograms = []
        meta = []
    }
}

struct MemoryQuerier: Querier {
    let series: [MemoryStorage.Series]
    let minTime: Timestamp
    let maxTime: Timestamp

    func matching(_ matchers: [LabelMatcher]) -> [MemoryStorage.Series] {
        series.filter { s in matchers.allSatisfy { $0.matches(s.labels.get($0.name) ?? "") } }
    }

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        var out = matching(matchers).map { MemorySeries(series: $0, minTime: minTime, maxTime: maxTime) }
        if sorted { out.sort { $0.labels < $1.labels } }
        return out
    }

    func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
        Set(matching(matchers).compactMap { $0.labels.get(name) }).sorted(by: byteOrderLess)
    }

    func labelNames(matchers: [LabelMatcher]) throws -> [String] {
        Set(matching(matchers).flatMap { $0.labels.map(\.name) }).sorted(by: byteOrderLess)
    }

    func close() {}
}

struct MemorySeries: StorageSeries {
    let series: MemoryStorage.Series
    let minTime: Timestamp
    let maxTime: Timestamp
    var labels: Labels { series.labels }

    func samples(minTime lo: Timestamp, maxTime hi: Timestamp, into buffer: inout SampleBuffer) throws {
        let a = max(lo, minTime), b = min(hi, maxTime)
        // Binary search for the first timestamp >= a.
        var l = 0, h = series.timestamps.count
        while l < h {
            let m = (l + h) / 2
            if series.timestamps[m] < a { l = m + 1 } else { h = m }
        }
        var i = l
        while i < series.timestamps.count, series.timestamps[i] <= b {
            buffer.append(series.timestamps[i], series.values[i])
            i += 1
        }
    }

    var mayContainHistograms: Bool { !series.histograms.isEmpty }

    func histogramSamples(minTime lo: Timestamp, maxTime hi: Timestamp, into buffer: inout HistogramSampleBuffer) throws {
        let a = max(lo, minTime), b = min(hi, maxTime)
        for (i, t) in series.histogramTimestamps.enumerated() where t >= a && t <= b {
            buffer.append(t, series.histograms[i])
        }
    }
}
