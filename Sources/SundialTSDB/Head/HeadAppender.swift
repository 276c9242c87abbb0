import SundialCore
import SundialEncoding
import Synchronization

/// Stages one batch of samples for a ``Head`` and commits it all-or-nothing
/// (Prometheus `headAppender`, `tsdb/head_append.go`).
///
/// ``append(ref:labels:timestamp:value:)`` validates each sample at once against the series'
/// committed samples and the samples staged earlier in this batch, and throws ``AppendError``
/// for a refused sample (out of bounds, out of order, duplicate timestamp with another value);
/// the rest of the batch is unaffected. An exact duplicate of the newest sample is accepted and
/// ignored. ``commit()`` writes the batch to the head's log (WAL first), then applies it to
/// memory, then waits for durability.
///
/// Not thread-safe: one appender per batch. Series are created in the head at `append` time (as
/// Prometheus does); a rolled-back batch may leave empty series, which garbage collection removes.
///
/// Series lifetime: the batch holds its series unretained (``HeadCommitBatch/series``). A series
/// staged with this appender's pending mark (``SeriesState/pendingOwner`` set to ``id`` under the
/// series lock) cannot be freed until the mark is cleared, because garbage collection
/// (``Head/truncate(before:)``) removes only series it finds unmarked under the same lock and
/// then marks them removed (``SeriesState/removedMark``) in that same critical section, so a
/// series is either marked by an appender or doomed, never both. The mark is cleared under the
/// lock by ``apply(_:)`` after the series' last staged sample (its ``SeriesState/pendingIndex``),
/// by ``rollback()``, by a failed commit, or when the appender is dropped; the batch never reads
/// a series after that. A series staged without the mark (another appender holds it, or it was
/// removed) is also kept in ``HeadCommitBatch/retained``.
public final class HeadAppender: Appender {
    let head: Head
    /// This appender's id, marked in the series it stages samples for (``SeriesState/pendingOwner``).
    let id: UInt32
    /// Lower bound of accepted timestamps for this batch (fixed at creation, as in Prometheus).
    let minValidTime: Int64
    var batch: HeadCommitBatch
    /// Newest staged (timestamp, value bits) per series ref, only for series whose pending mark
    /// belongs to another appender (concurrent batches for the same series). Usually empty.
    var staged: [UInt64: (Int64, UInt64)] = [:]
    /// The table page of the last ref looked up.
    var cursor = SeriesTableCursor()
    var pendingMetadata: [MetricMetadata] = []
    /// Newest staged histogram (timestamp, value) per series ref (`HeadAppender+Histogram.swift`).
    var stagedHistograms: [UInt64: (Int64, HeadHistogramValue)] = [:]
    var batchMinTime: Int64 = .max
    var batchMaxTime: Int64 = .min
    var finished = false

    init(head: Head) {
        self.head = head
        self.id = head.nextAppenderID()
        self.minValidTime = head.appendableMinValidTime
        self.batch = head.batchPool.take()
    }

    deinit {
        // An appender dropped without commit or rollback: unmark its series.
        if !finished { release(batch) }
    }

    /// Number of samples staged so far.
    public var stagedCount: Int { batch.count }

    /// Stages a float sample (see the type's documentation). `labels` is read only when `ref`
    /// names no series of this head (as Prometheus's `headAppender.Append`): a client that knows
    /// the ref may pass an empty label set (or call ``append(ref:timestamp:value:)``); with an
    /// unknown ref an empty set is refused (``AppendError/Reason/invalidLabels``).
    public func append(ref: SeriesRef, labels: Labels, timestamp t: Timestamp, value v: Double) throws(AppendError) -> SeriesRef {
        precondition(!finished, "append after commit or rollback")
        return try stageFloat(try series(ref: ref, labels: labels, t), t, v)
    }

    /// ``Appender/append(ref:timestamp:value:)``: the series by `ref` alone (nil when the head
    /// does not hold it), then the same checks as ``append(ref:labels:timestamp:value:)``.
    public func append(ref: SeriesRef, timestamp t: Timestamp, value v: Double) throws(AppendError) -> SeriesRef? {
        precondition(!finished, "append after commit or rollback")
        guard ref != .none, let s = cursor.get(ref.rawValue, in: head.stripes.table, prefetchingAhead: HeadAppender.lookahead) else {
            return nil
        }
        if t < minValidTime {
            head.outOfBoundsCount.wrappingAdd(1, ordering: .relaxed)
            throw AppendError(.outOfBounds, labels: s.labels, timestamp: t, detail: "the head accepts samples at or after \(minValidTime)")
        }
        return try stageFloat(s, t, v)
    }

    /// Validates the float sample (`t`, `v`) of `s` against the batch and the committed samples
    /// and stages it (the shared tail of both `append`s).
    @inline(__always)
    func stageFloat(_ s: MemSeries, _ t: Timestamp, _ v: Double) throws(AppendError) -> SeriesRef {
        let bits = v.bitPattern
        let id = self.id
        let index = UInt32(truncatingIfNeeded: batch.count)
        // Validate against this batch's newest sample of the series if it has one (found through
        // the series' pending mark, or in `staged` when another batch holds the mark), else
        // against the committed samples; mark the series as staged by this batch.
        var tracked = true
        var retain = false
        var firstMark = false
        let check: AppendCheck = s.state.withLock { st in
            if st.pendingOwner == id {
                let i = Int(st.pendingIndex)
                let c = HeadAppender.compare(t, bits, batch.timestamps[i], batch.values[i].bitPattern)
                if c == .ok { st.pendingIndex = index }
                return c
            }
            if !staged.isEmpty, let (lt, lb) = staged[s.ref.rawValue] {
                tracked = false
                return HeadAppender.compare(t, bits, lt, lb)
            }
            let c = st.check(t, bits)
            if c == .ok {
                if st.pendingOwner == 0 {
                    st.pendingOwner = id
                    st.pendingIndex = index
                    firstMark = true
                } else {
                    tracked = false
                    retain = true
                }
            }
            return c
        }
        if try isExactDuplicate(check, s, t) { return s.ref }
        if !tracked {
            staged[s.ref.rawValue] = (t, bits)
            if retain { batch.retained.append(s) }
        }
        // First sample of the series in this batch (its mark just set, or first staged without
        // it): the series record goes with the batch unless already logged. A series logged
        // meanwhile by a concurrent commit is logged twice, which is harmless.
        if (firstMark || retain) && !s.walLogged.load(ordering: .acquiring) { batch.newSeries.append(s) }
        batch.series.append(Unmanaged.passUnretained(s))
        batch.refs.append(s.ref.rawValue)
        batch.timestamps.append(t)
        batch.values.append(v)
        if t < batchMinTime { batchMinTime = t }
        if t > batchMaxTime { batchMaxTime = t }
        return s.ref
    }

    /// How a sample at `t` with value bits `bits` follows a sample at `lt` with bits `lb`.
    @inline(__always)
    static func compare(_ t: Int64, _ bits: UInt64, _ lt: Int64, _ lb: UInt64) -> AppendCheck {
        t > lt ? .ok : (t == lt ? (bits == lb ? .exactDuplicate : .duplicateTimestamp) : .outOfOrder)
    }

    /// Clears this appender's pending mark from the series of `batch` (those it still holds).
    /// Call only while the batch is unapplied (its marked series are alive, see the type's doc).
    func release(_ batch: HeadCommitBatch) {
        let id = self.id
        var previous: UnsafeMutableRawPointer? = nil
        for u in batch.series where u.toOpaque() != previous {
            u._withUnsafeGuaranteedRef { s in
                s.state.withLock { st in if st.pendingOwner == id { st.pendingOwner = 0 } }
            }
            previous = u.toOpaque()
        }
    }

    /// Refuses label sets Prometheus refuses: empty, an empty name, or a repeated name.
    static func validate(_ labels: Labels, _ t: Timestamp) throws(AppendError) {
        if labels.isEmpty { throw AppendError(.invalidLabels, labels: labels, timestamp: t, detail: "empty label set") }
        var previous: String? = nil
        for l in labels {
            if l.name.isEmpty { throw AppendError(.invalidLabels, labels: labels, timestamp: t, detail: "empty label name") }
            if l.name == previous {
                throw AppendError(.invalidLabels, labels: labels, timestamp: t, detail: "duplicate label name \(l.name)")
            }
            previous = l.name
        }
    }

    /// The series a sample goes to: found by `ref`, else looked up or created by its validated
    /// labels. Refuses (and counts) a sample before the head's appendable window.
    @inline(__always)
    func series(ref: SeriesRef, labels: Labels, _ t: Timestamp) throws(AppendError) -> MemSeries {
        if t < minValidTime {
            head.outOfBoundsCount.wrappingAdd(1, ordering: .relaxed)
            throw AppendError(.outOfBounds, labels: labels, timestamp: t, detail: "the head accepts samples at or after \(minValidTime)")
        }
        if ref != .none, let found = cursor.get(ref.rawValue, in: head.stripes.table, prefetchingAhead: HeadAppender.lookahead) {
            return found
        }
        try HeadAppender.validate(labels, t)
        return head.getOrCreate(labels).0
    }

    /// Acts on a sample's order check: counts and throws a refusal; true for an exact duplicate
    /// (accepted, nothing staged), false when the sample is to be staged.
    @inline(__always)
    func isExactDuplicate(_ check: AppendCheck, _ s: MemSeries, _ t: Timestamp) throws(AppendError) -> Bool {
        switch check {
        case .ok:
            return false
        case .exactDuplicate:
            return true
        case .duplicateTimestamp:
            head.duplicateCount.wrappingAdd(1, ordering: .relaxed)
            throw AppendError(.duplicateTimestamp, labels: s.labels, timestamp: t)
        case .outOfOrder:
            head.outOfOrderCount.wrappingAdd(1, ordering: .relaxed)
            throw AppendError(.outOfOrder, labels: s.labels, timestamp: t)
        }
    }

    public func appendMetadata(_ metadata: MetricMetadata) {
        precondition(!finished, "appendMetadata after commit or rollback")
        pendingMetadata.append(metadata)
    }

    /// Writes the batch to the head's log, applies it to memory, waits for durability.
    /// - Throws: ``TSDBError`` (`.walWrite`) if the log could not be written: nothing of the batch
    ///   is visible then. An error while waiting for durability is also thrown; the batch is then
    ///   visible in memory but may not survive a crash.
    public func commit() throws {
        guard var work = takeCommitBatch() else { return }
        guard let log = head.log else {
            apply(work)
            head.batchPool.give(&work)
            return
        }
        var applied = false
        do {
            try log.commit(work) {
                applied = true
                apply(work)
            }
        } catch {
            throw commitFailure(error, applied: applied, work)
        }
        head.batchPool.give(&work)
    }

    /// ``commit()`` with the durability wait as a suspension (``HeadLog/commitAsync(_:apply:)``):
    /// no thread is blocked while the group fsync runs. Same errors and visibility as ``commit()``.
    public func commitAsync() async throws {
        guard var work = takeCommitBatch() else { return }
        guard let log = head.log else {
            apply(work)
            head.batchPool.give(&work)
            return
        }
        var applied = false
        do {
            try await log.commitAsync(work) {
                applied = true
                apply(work)
            }
        } catch {
            throw commitFailure(error, applied: applied, work)
        }
        head.batchPool.give(&work)
    }

    /// Ends the appender and hands out its batch with the series and metadata records still to
    /// log; nil when there is nothing to commit.
    func takeCommitBatch() -> HeadCommitBatch? {
        precondition(!finished, "commit after commit or rollback")
        finished = true
        staged = [:]
        cursor = SeriesTableCursor()
        if batch.count == 0 && batch.histogramCount == 0 && pendingMetadata.isEmpty && batch.exemplars.isEmpty {
            head.batchPool.give(&batch)
            return nil
        }
        // The float samples' unlogged series were gathered by `append`; add the histograms'.
        if !batch.histogramSeries.isEmpty {
            var loggedRefs = Set(batch.newSeries.lazy.map(\.ref.rawValue))
            for s in batch.histogramSeries where !s.walLogged.load(ordering: .acquiring) {
                if loggedRefs.insert(s.ref.rawValue).inserted { batch.newSeries.append(s) }
            }
        }
        if !batch.exemplars.isEmpty { gatherExemplarSeries() }
        for m in pendingMetadata {
            if let s = head.anySeries(ofMetric: m.metricFamily) { batch.metadata.append((s, m)) }
        }
        var work = HeadCommitBatch()
        swap(&work, &batch)
        return work
    }

    /// The error a failed log commit throws: the log's own once the batch was applied (only
    /// durability failed); otherwise the series are unmarked and nothing was applied.
    func commitFailure(_ error: any Error, applied: Bool, _ work: HeadCommitBatch) -> any Error {
        if applied { return error }
        release(work)
        return TSDBError(.walWrite, "commit of \(work.count) samples failed; nothing was applied", cause: error)
    }

    func apply(_ work: HeadCommitBatch) {
        for s in work.newSeries { s.walLogged.store(true, ordering: .releasing) }
        for m in pendingMetadata { head.storeMetadata(m) }
        var appended = 0
        var dropped = 0
        var cuts = 0
        let range = head.options.chunkRange
        let spc = head.options.samplesPerChunk
        let id = self.id
        var i = 0
        let n = work.count
        // Prefetch the series a few samples ahead: their lock, chunk state and pending mark.
        let ahead = HeadAppender.lookahead
        var p = 0
        while p < Swift.min(n, ahead) {
            Prefetch.object(work.series[p], writingLines: MemSeries.hotLines)
            p += 1
        }
        while i < n {
            if i &+ ahead < n { Prefetch.object(work.series[i &+ ahead], writingLines: MemSeries.hotLines) }
            // Consecutive samples of one series go in under one lock, which also clears the
            // series' pending mark of this batch once its last staged sample is in (the series
            // may come again later in the batch: the mark keeps it alive until then).
            let u = work.series[i]
            var j = i
            u._withUnsafeGuaranteedRef { s in
                s.state.withLock { st in
                    repeat {
                        switch st.append(work.timestamps[j], work.values[j], chunkRange: range, samplesPerChunk: spc) {
                        case .appended: appended += 1
                        case .appendedNewChunk:
                            appended += 1
                            cuts += 1
                        case .rejected: dropped += 1  // a concurrent batch committed a newer sample first
                        }
                        j += 1
                    } while j < n && work.series[j].toOpaque() == u.toOpaque()
                    if st.pendingOwner == id && Int(st.pendingIndex) < j { st.pendingOwner = 0 }
                }
            }
            i = j
        }
        if cuts != 0 { head.chunkCountAtomic.wrappingAdd(cuts, ordering: .relaxed) }
        if dropped != 0 { head.outOfOrderCount.wrappingAdd(dropped, ordering: .relaxed) }
        if appended != 0 {
            head.samplesAppended.wrappingAdd(appended, ordering: .relaxed)
            head.extendTimeRange(batchMinTime, batchMaxTime)
        }
        if work.histogramCount != 0 { applyHistograms(work) }
        if !work.exemplars.isEmpty { applyExemplars(work) }
    }

    /// Discards the staged samples and metadata.
    public func rollback() {
        if !finished {
            release(batch)
            head.batchPool.give(&batch)
        }
        finished = true
        staged = [:]
        cursor = SeriesTableCursor()
        pendingMetadata = []
    }
}

extension SeriesState {
    /// The ``pendingOwner`` of a series that garbage collection found empty and unmarked and is
    /// removing from the head: no appender id equals it (``Head/nextAppenderID()``), so no
    /// appender can mark the series any more (see ``HeadAppender``, "Series lifetime").
    static let removedMark = UInt32.max
}

extension HeadAppender {
    /// How many samples ahead the append and apply loops prefetch series: about one memory
    /// latency's worth of per-sample work.
    static let lookahead = 4
}

extension MemSeries {
    /// Cache lines of a series that an append touches (its header and lock, the chunk state and
    /// pending mark, the WAL flag): the instance is about 190 bytes.
    static let hotLines = 3
}

extension SeriesTableCursor {
    /// ``get(_:in:)``, plus a prefetch of the series `ahead` refs later in the same page: clients
    /// tend to append a target's series in the order they were created (a scrape, a remote-write
    /// sender's shard), i.e. in ref order, so that series is likely the next but `ahead` one. A
    /// wrong guess costs only the fetch of a few cache lines.
    @inline(__always)
    mutating func get(_ ref: UInt64, in table: SeriesTable, prefetchingAhead ahead: Int) -> MemSeries? {
        guard ref < SeriesTable.denseLimit else { return table.get(ref) }
        let slot = Int(ref & UInt64(SeriesTable.pageSize - 1))
        return page(of: ref, in: table)?.slots.withLock { s in
            Prefetch.element(s.series, at: slot &+ ahead, writingLines: MemSeries.hotLines)
            return s.series[slot]
        }
    }
}
