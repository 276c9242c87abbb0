import Dispatch
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
    /// `hints`), sorted by labels when `sorted`. Large unsorted selections are snapshotted and
    /// boxed on all cores (see ``selectHeadSeries(sorted:hints:matchers:)``).
    public func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        let plan = selectPlan(hints: hints, matchers: matchers)
        if sorted { return snapshot(plan, sorted: true) }
        return HeadQuerier.partitioned(plan.refs.count) { range -> [any StorageSeries] in
            var out: [any StorageSeries] = []
            out.reserveCapacity(range.count)
            snapshot(plan, range) { out.append($0) }
            return out
        }
    }

    /// ``select(sorted:hints:matchers:)`` with the concrete series type.
    public func selectHeadSeries(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [HeadSeries] {
        snapshot(selectPlan(hints: hints, matchers: matchers), sorted: sorted)
    }

    /// What a select reads: the matching refs (ascending), the narrowed closed range and the
    /// head's deleted intervals at select time.
    struct SelectPlan {
        var refs: [UInt64]
        var mint: Int64
        var maxt: Int64
        /// Deleted intervals (nil, and no lock taken, while nothing was ever deleted).
        var stones: Tombstones?
        /// Labels only (``SelectHints/seriesOnlyFunction``).
        var seriesOnly: Bool
    }

    func selectPlan(hints: SelectHints?, matchers: [LabelMatcher]) -> SelectPlan {
        var mint = minTime
        var maxt = maxTime
        if let h = hints {
            mint = Swift.max(mint, h.start)
            maxt = Swift.min(maxt, h.end)
        }
        return SelectPlan(refs: head.postings.refs(matching: matchers), mint: mint, maxt: maxt,
                          stones: head.tombstones.snapshot(), seriesOnly: hints?.function == SelectHints.seriesOnlyFunction)
    }

    /// All of `plan`'s series, on all cores when there are many, sorted by labels when `sorted`.
    func snapshot(_ plan: SelectPlan, sorted: Bool) -> [HeadSeries] {
        var out = HeadQuerier.partitioned(plan.refs.count) { range -> [HeadSeries] in
            var part: [HeadSeries] = []
            part.reserveCapacity(range.count)
            snapshot(plan, range) { part.append($0) }
            return part
        }
        if sorted && out.count > 1 {
            // Sort a permutation, not the series: moving a `HeadSeries` retains and releases its
            // six reference-counted fields (40 % of a `/api/v1/series` call over 15,780 series).
            let labels = out.map(\.labels)
            var order = Array(out.indices)
            order.sort { Labels.compare(labels[$0], labels[$1]) < 0 }
            var sortedOut: [HeadSeries] = []
            sortedOut.reserveCapacity(out.count)
            for i in order { sortedOut.append(out[i]) }
            return sortedOut
        }
        return out
    }

    /// Snapshots the series `plan.refs[range]` that have samples in range, in ref order, passing
    /// each to `body`. Thread-safe (each series is read under its own lock).
    func snapshot(_ plan: SelectPlan, _ range: Range<Int>, _ body: (HeadSeries) -> Void) {
        let (mint, maxt) = (plan.mint, plan.maxt)
        var chunks: [HeadChunk] = []
        var histogramChunks: [HistogramHeadChunk] = []
        var cursor = SeriesTableCursor()
        let table = head.stripes.table
        for i in range {
            let r = plan.refs[i]
            guard let s = cursor.get(r, in: table) ?? head.series(SeriesRef(r)) else { continue }  // removed meanwhile
            if plan.seriesOnly && plan.stones == nil {
                // Labels only: no chunk snapshot; samples, if asked for anyway, are read at that time.
                guard s.state.withLock({ $0.hasSamples(overlapping: mint, maxt) }) else { continue }
                body(HeadSeries(lazy: s, minTime: mint, maxTime: maxt))
                continue
            }
            chunks.removeAll(keepingCapacity: true)
            histogramChunks.removeAll()
            // The open chunk is snapshotted as a copy of its encoder: its buffer is shared
            // copy-on-write and its bytes are built only when the samples are read.
            let open: OpenChunkSnapshot? = s.state.withLock { st in
                st.fullChunks(overlapping: mint, maxt, into: &chunks)
                st.histograms?.chunks(overlapping: mint, maxt, into: &histogramChunks)
                return st.openSnapshot(overlapping: mint, maxt)
            }
            if chunks.isEmpty && open == nil && histogramChunks.isEmpty { continue }
            var deleted: [DeletedInterval] = []
            if let stones = plan.stones {
                deleted = stones.deleted(r)
                // A series whose every chunk in range is deleted is not selected (Prometheus
                // `blockBaseSeriesSet` drops series left without chunks).
                func covered(_ lo: Int64, _ hi: Int64) -> Bool {
                    deleted.contains { $0.minTime <= Swift.max(lo, mint) && Swift.min(hi, maxt) <= $0.maxTime }
                }
                if !deleted.isEmpty && chunks.allSatisfy({ covered($0.minTime, $0.maxTime) })
                    && (open.map { covered($0.minTime, $0.maxTime) } ?? true)
                    && histogramChunks.allSatisfy({ covered($0.minTime, $0.maxTime) }) { continue }
            }
            body(HeadSeries(ref: s.ref, labels: s.labels, fullChunks: chunks.isEmpty ? [] : chunks, open: open,
                            deleted: deleted, histogramChunks: histogramChunks))
        }
    }

    /// Selections of at least this many refs are snapshotted on all cores: below it, the work
    /// (about 0.2 µs per series) does not pay for waking a second thread.
    static let parallelMinimum = 8192

    /// Threads for large selections: the active processor count, at most 8.
    static let workers = min(8, max(1, activeProcessorCount()))

    /// `make` over `0..<count` as one range, or split into one contiguous range per worker run
    /// concurrently when `count` is large; the parts are concatenated in order.
    static func partitioned<T>(_ count: Int, _ make: (Range<Int>) -> [T]) -> [T] {
        let nw = workers
        guard count >= parallelMinimum && nw > 1 else { return make(0..<count) }
        let per = (count + nw - 1) / nw
        let slots = (0..<nw).map { _ in PartSlot<T>() }
        withoutActuallyEscaping(make) { make in
            let body = UncheckedSendableBox(make)
            DispatchQueue.concurrentPerform(iterations: nw) { w in
                let lo = Swift.min(count, w * per), hi = Swift.min(count, lo + per)
                slots[w].value = body.value(lo..<hi)
            }
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for s in slots { out.append(contentsOf: s.value) }
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

/// One worker's output in ``HeadQuerier/partitioned(_:_:)``: written only by that worker while
/// `concurrentPerform` runs, read by the caller after it returns.
final class PartSlot<T>: @unchecked Sendable {
    var value: [T] = []
}

/// Hands a closure that is only ever called for disjoint work, and only while the caller waits,
/// to `concurrentPerform` (``HeadQuerier/partitioned(_:_:)``; the closure reads shared state
/// that is itself thread-safe).
struct UncheckedSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// One selected head series: its labels and a snapshot of its chunks overlapping the query range.
/// Immutable and `Sendable`; decoding happens in ``samples(minTime:maxTime:into:)``.
public struct HeadSeries: StorageSeries {
    /// The series' head reference.
    public let ref: SeriesRef
    public let labels: Labels
    /// Snapshot of the full (cut) chunks in range, oldest first.
    public let fullChunks: [HeadChunk]
    /// Snapshot of the open chunk when it overlaps the range (after ``fullChunks`` in time).
    let open: OpenChunkSnapshot?
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
        self.init(ref: ref, labels: labels, fullChunks: chunks, open: nil, deleted: deleted, histogramChunks: histogramChunks)
    }

    init(ref: SeriesRef, labels: Labels, fullChunks: [HeadChunk], open: OpenChunkSnapshot?, deleted: [DeletedInterval],
         histogramChunks: [HistogramHeadChunk]) {
        self.ref = ref
        self.labels = labels
        self.fullChunks = fullChunks
        self.open = open
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
        self.fullChunks = []
        self.open = nil
        self.deleted = []
        self.histogramChunks = []
        self.lazy = series
        self.lazyRange = (minTime, maxTime)
    }

    /// Every snapshotted chunk in time order, the open one's bytes built into a new array.
    public var chunks: [HeadChunk] {
        guard let open else { return fullChunks }
        return fullChunks + [HeadChunk(minTime: open.minTime, maxTime: open.maxTime, bytes: open.encoder.bytes)]
    }

    /// Prefetches the open chunk's bytes (see ``XORChunkEncoder/prefetchBytes()``).
    public func prefetchSamples() {
        open?.encoder.prefetchBytes()
    }

    /// Appends the samples with `minTime <= t <= maxTime` in time order, except deleted ones.
    /// - Throws: ``DecodeError`` if a chunk is corrupt (a bug: head chunks are built in memory).
    public func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
        let start = buffer.count
        if let lazy {
            let lo = Swift.max(minTime, lazyRange.0), hi = Swift.min(maxTime, lazyRange.1)
            guard lo <= hi else { return }
            var chunks: [HeadChunk] = []
            lazy.state.withLock { $0.chunks(overlapping: lo, hi, into: &chunks) }
            for c in chunks where c.overlaps(lo, hi) {
                try XORChunk.decode(c.bytes, minTime: lo, maxTime: hi, timestamps: &buffer.timestamps, values: &buffer.values)
            }
            return
        }
        for c in fullChunks where c.overlaps(minTime, maxTime) {
            try XORChunk.decode(c.bytes, minTime: minTime, maxTime: maxTime,
                                timestamps: &buffer.timestamps, values: &buffer.values)
        }
        // Optional chaining reads the snapshot in place (`if let` would copy the encoder).
        try open?.decode(minTime: minTime, maxTime: maxTime, into: &buffer)
        if !deleted.isEmpty { BlockSeries.dropDeleted(&buffer, from: start, deleted) }
    }
}

/// A head series' open chunk as of a select: a copy of its encoder (the byte buffer shared
/// copy-on-write, so taking it copies no bytes; an append after it copies the series' buffer
/// once if the snapshot is still alive) and the closed time range of its samples (ms).
struct OpenChunkSnapshot: Sendable {
    let encoder: XORChunkEncoder
    let minTime: Int64
    let maxTime: Int64

    /// Appends the samples in `[mint, maxt]` (closed, ms), if the chunk overlaps it.
    func decode(minTime mint: Int64, maxTime maxt: Int64, into buffer: inout SampleBuffer) throws {
        guard minTime <= maxt && maxTime >= mint else { return }
        try encoder.decode(minTime: mint, maxTime: maxt, timestamps: &buffer.timestamps, values: &buffer.values)
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

    /// Appends the full chunks overlapping `[mint, maxt]` (closed), oldest first (bytes shared).
    func fullChunks(overlapping mint: Int64, _ maxt: Int64, into out: inout [HeadChunk]) {
        for c in full where c.overlaps(mint, maxt) { out.append(c) }
    }

    /// The open chunk as a snapshot when it has samples and overlaps `[mint, maxt]` (closed).
    func openSnapshot(overlapping mint: Int64, _ maxt: Int64) -> OpenChunkSnapshot? {
        guard open.count > 0 && openMinTime <= maxt && open.lastTimestamp >= mint else { return nil }
        return OpenChunkSnapshot(encoder: open, minTime: openMinTime, maxTime: open.lastTimestamp)
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

#if canImport(Glibc)
import Glibc
private func activeProcessorCount() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
import Darwin
private func activeProcessorCount() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#else
private func activeProcessorCount() -> Int { 1 }
#endif
