import Synchronization
import SundialCore
import SundialEncoding

extension Head: Queryable {
    /// A querier over the head's samples in `[minTime, maxTime]` (closed, ms).
    public func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        HeadQuerier(head: self, minTime: minTime, maxTime: maxTime)
    }

    /// Any series whose metric name is `family` or a name derived from it (`_total`, `_bucket`,
    /// `_count`, `_sum`, `_info`), for keying metadata records by series.
    func anySeries(ofMetric family: String) -> MemSeries? {
        for name in [family, family + "_total", family + "_bucket", family + "_count", family + "_sum", family + "_info"] {
            let refs = postings.refs(matching: [LabelMatcher.equal(Labels.metricName, name)])
            for r in refs { if let s = series(SeriesRef(r)) { return s } }
        }
        return nil
    }
}

/// A querier over the head (Prometheus `blockQuerier` over a `RangeHead`). Resolves matchers on
/// the head's postings; each selected series snapshots its chunks (shared copy-on-write) at
/// select time, so later appends do not change a result already returned.
///
/// Thread-safe; holds nothing that needs releasing.
public struct HeadQuerier: Querier {
    let head: Head
    /// Closed time range of the querier (ms).
    public let minTime: Int64
    public let maxTime: Int64

    /// The series matching all `matchers` that have samples in the querier's range (narrowed by
    /// `hints`), sorted by labels when `sorted`.
    public func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        try selectHeadSeries(sorted: sorted, hints: hints, matchers: matchers)
    }

    /// ``select(sorted:hints:matchers:)`` with the concrete series type.
    public func selectHeadSeries(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [HeadSeries] {
        var mint = minTime
        var maxt = maxTime
        if let h = hints {
            mint = Swift.max(mint, h.start)
            maxt = Swift.min(maxt, h.end)
        }
        let refs = head.postings.refs(matching: matchers)
        // Deleted intervals (nil, and no lock taken, while nothing was ever deleted).
        let stones = head.tombstones.snapshot()
        var out: [HeadSeries] = []
        out.reserveCapacity(refs.count)
        var chunks: [HeadChunk] = []
        var histogramChunks: [HistogramHeadChunk] = []
        let seriesOnly = hints?.function == SelectHints.seriesOnlyFunction
        for r in refs {
            guard let s = head.series(SeriesRef(r)) else { continue }  // removed meanwhile
            if seriesOnly && stones == nil {
                // Labels only: no chunk snapshot (which would also make the series' next append
                // copy its open chunk); samples, if asked for anyway, are read at that time.
                guard s.state.withLock({ $0.hasSamples(overlapping: mint, maxt) }) else { continue }
                out.append(HeadSeries(lazy: s, minTime: mint, maxTime: maxt))
                continue
            }
            chunks.removeAll(keepingCapacity: true)
            histogramChunks.removeAll()
            s.state.withLock { st in
                st.chunks(overlapping: mint, maxt, into: &chunks)
                st.histograms?.chunks(overlapping: mint, maxt, into: &histogramChunks)
            }
            if chunks.isEmpty && histogramChunks.isEmpty { continue }
            var deleted: [DeletedInterval] = []
            if let stones {
                deleted = stones.deleted(r)
                // A series whose every chunk in range is deleted is not selected (Prometheus
                // `blockBaseSeriesSet` drops series left without chunks).
                if !deleted.isEmpty && chunks.allSatisfy({ c in
                    deleted.contains { $0.minTime <= Swift.max(c.minTime, mint) && Swift.min(c.maxTime, maxt) <= $0.maxTime }
                }) && histogramChunks.allSatisfy({ c in
                    deleted.contains { $0.minTime <= Swift.max(c.minTime, mint) && Swift.min(c.maxTime, maxt) <= $0.maxTime }
                }) { continue }
            }
            out.append(HeadSeries(ref: s.ref, labels: s.labels, chunks: chunks, deleted: deleted,
                                  histogramChunks: histogramChunks))
        }
        if sorted { out.sort { $0.labels < $1.labels } }
        return out
    }

    public func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
        if matchers.isEmpty { return head.postings.values(of: name) }
        var values = Set<String>()
        for r in head.postings.refs(matching: matchers) {
            if let s = head.series(SeriesRef(r)), let v = s.labels.get(name) { values.insert(v) }
        }
        return values.sorted(by: byteOrderLess)
    }

    public func labelNames(matchers: [LabelMatcher]) throws -> [String] {
        if matchers.isEmpty { return head.postings.names() }
        var names = Set<String>()
        for r in head.postings.refs(matching: matchers) {
            if let s = head.series(SeriesRef(r)) { for l in s.labels { names.insert(l.name) } }
        }
        return names.sorted(by: byteOrderLess)
    }

    public func close() {}
}

/// One selected head series: its labels and a snapshot of its chunks overlapping the query range.
/// Immutable and `Sendable`; decoding happens in ``samples(minTime:maxTime:into:)``.
public struct HeadSeries: StorageSeries {
    /// The series' head reference.
    public let ref: SeriesRef
    public let labels: Labels
    /// Snapshot of the chunks, oldest first.
    public let chunks: [HeadChunk]
    /// Deleted intervals of the series when it was selected (sorted, merged); their samples are
    /// never returned.
    public let deleted: [DeletedInterval]
    /// Snapshot of the native-histogram chunks overlapping the query range, oldest first.
    public let histogramChunks: [HistogramHeadChunk]

    /// For a series selected with the series-only hint: the series, read when samples are asked
    /// for, within the closed range `[lazyRange.0, lazyRange.1]` of the select.
    let lazy: MemSeries?
    let lazyRange: (Int64, Int64)

    /// A selected series. - Parameter deleted: sorted, non-overlapping deleted intervals.
    public init(ref: SeriesRef, labels: Labels, chunks: [HeadChunk], deleted: [DeletedInterval] = [],
                histogramChunks: [HistogramHeadChunk] = []) {
        self.ref = ref
        self.labels = labels
        self.chunks = chunks
        self.deleted = deleted
        self.histogramChunks = histogramChunks
        self.lazy = nil
        self.lazyRange = (0, 0)
    }

    /// A series selected for its labels only (``SelectHints/seriesOnlyFunction``): ``chunks`` is
    /// empty and ``samples(minTime:maxTime:into:)`` snapshots the series' chunks when called, so
    /// it may see samples appended after the select (within the select's range).
    init(lazy series: MemSeries, minTime: Int64, maxTime: Int64) {
        self.ref = series.ref
        self.labels = series.labels
        self.chunks = []
        self.deleted = []
        self.histogramChunks = []
        self.lazy = series
        self.lazyRange = (minTime, maxTime)
    }

    /// Appends the samples with `minTime <= t <= maxTime` in time order, except deleted ones.
    /// - Throws: ``DecodeError`` if a chunk is corrupt (a bug: head chunks are built in memory).
    public func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
        var chunks = self.chunks
        var minTime = minTime, maxTime = maxTime
        if let lazy {
            minTime = Swift.max(minTime, lazyRange.0)
            maxTime = Swift.min(maxTime, lazyRange.1)
            guard minTime <= maxTime else { return }
            lazy.state.withLock { $0.chunks(overlapping: minTime, maxTime, into: &chunks) }
        }
        let start = buffer.count
        for c in chunks where c.overlaps(minTime, maxTime) {
            try XORChunk.decode(c.bytes, minTime: minTime, maxTime: maxTime,
                                timestamps: &buffer.timestamps, values: &buffer.values)
        }
        if !deleted.isEmpty { BlockSeries.dropDeleted(&buffer, from: start, deleted) }
    }
}

extension SeriesState {
    /// True when some sample lies in the closed range `[mint, maxt]` as far as chunk bounds
    /// tell (the same test ``chunks(overlapping:_:into:)`` applies), without copying anything.
    func hasSamples(overlapping mint: Int64, _ maxt: Int64) -> Bool {
        if open.count > 0 && openMinTime <= maxt && open.lastTimestamp >= mint { return true }
        if full.contains(where: { $0.overlaps(mint, maxt) }) { return true }
        guard let h = histograms else { return false }
        if h.open.count > 0 && h.open.minTime <= maxt && h.open.maxTime >= mint { return true }
        return h.full.contains { $0.overlaps(mint, maxt) }
    }
}

extension HeadSeries {
    /// True when the snapshot holds histogram chunks (for a lazily selected series: when the series
    /// has any histogram chunk at the time of the call).
    public var mayContainHistograms: Bool {
        if let lazy { return lazy.state.withLock { !($0.histograms?.isEmpty ?? true) } }
        return !histogramChunks.isEmpty
    }

    /// Appends the native-histogram samples with `minTime <= t <= maxTime` in time order, except
    /// deleted ones, as float histograms (integer ones converted).
    public func histogramSamples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout HistogramSampleBuffer) throws {
        var chunks = self.histogramChunks
        var minTime = minTime, maxTime = maxTime
        if let lazy {
            minTime = Swift.max(minTime, lazyRange.0)
            maxTime = Swift.min(maxTime, lazyRange.1)
            guard minTime <= maxTime else { return }
            lazy.state.withLock { $0.histograms?.chunks(overlapping: minTime, maxTime, into: &chunks) }
        }
        let start = buffer.count
        for c in chunks where c.overlaps(minTime, maxTime) {
            try c.decode(minTime: minTime, maxTime: maxTime, into: &buffer)
        }
        if !deleted.isEmpty { HeadSeries.dropDeleted(&buffer, from: start, deleted) }
    }

    /// Removes histogram samples in `buffer[from...]` whose timestamp lies in a deleted interval.
    static func dropDeleted(_ buffer: inout HistogramSampleBuffer, from: Int, _ deleted: [DeletedInterval]) {
        var w = from
        var k = 0
        for r in from..<buffer.count {
            let t = buffer.timestamps[r]
            while k < deleted.count && deleted[k].maxTime < t { k += 1 }
            if k < deleted.count && deleted[k].contains(t) { continue }
            if w != r {
                buffer.timestamps[w] = t
                buffer.histograms[w] = buffer.histograms[r]
            }
            w += 1
        }
        buffer.timestamps.removeSubrange(w...)
        buffer.histograms.removeSubrange(w...)
    }
}
