import SundialCore
import SundialEncoding
import Synchronization

/// One series in the head: immutable identity plus chunk state under its own lock
/// (Prometheus `memSeries`, `tsdb/head.go`).
///
/// Thread safety: ``ref`` and ``labels`` are immutable and read without a lock. Everything in
/// ``state`` is guarded by its `Mutex`. ``walLogged`` is an atomic flag.
public final class MemSeries: Sendable {
    // Stored properties in the order of use per sample (a class is laid out in declaration
    // order): the ref, then the lock and the chunk state, the cold label set last.
    /// The series reference, stable for the life of the head.
    public let ref: SeriesRef
    /// Chunk state; lock it for every read or write.
    let state: Mutex<SeriesState>
    /// The label set (strings interned by the head).
    public let labels: Labels
    /// True once the series record is in the write-ahead log (set after the WAL write returns, or
    /// when the series was replayed from it). Commits write the record for series not yet logged.
    let walLogged: Atomic<Bool>

    init(ref: SeriesRef, labels: Labels, logged: Bool) {
        self.ref = ref
        self.labels = labels
        self.state = Mutex(SeriesState())
        self.walLogged = Atomic(logged)
    }
}

/// Chunk state of a ``MemSeries`` (caller holds the series lock).
///
/// The open chunk lives in an ``XORChunkEncoder`` (its newest bits stay in the encoder's register,
/// next to the rest of this state) whose buffer starts minimal again at every cut; full chunks
/// keep only their exact-size encoded bytes.
///
/// `@unchecked Sendable`: a state is owned by one series (or, during WAL replay, by one replay
/// shard) and only ever reached through that owner's lock or thread; its class-typed parts (the
/// histogram state) are never shared between states. The conformance lets a state move in and
/// out of its series' `Mutex` (WAL replay takes the states out, see `ReplaySeriesStates`).
struct SeriesState: @unchecked Sendable {
    // Declaration order is layout order: the fields every append reads (nextAt, then the
    // encoder's counters, register and last sample) come first, next to the lock.
    /// Time by which the open chunk must be cut (ms): the end of its chunk range, or earlier as
    /// predicted at 1/4 full (Prometheus `nextAt`).
    var nextAt: Int64 = .min
    /// The open (head) chunk. Empty (`count == 0`) only before the first sample, after truncation,
    /// or while the newest sample is a histogram; while empty, its `lastTimestamp` and
    /// `lastValueBits` hold the newest committed float sample's (see ``emptiedMaxTime``).
    var open = XORChunkEncoder.parked(lastTimestamp: .min, lastValueBits: 0)
    /// The ``HeadAppender`` (by its id, 0 = none) that has staged samples for this series in its
    /// uncommitted batch and tracks them here instead of in a per-batch dictionary (Prometheus
    /// marks series `pendingCommit` the same way). Cleared when that appender commits or rolls back.
    /// ``removedMark`` once garbage collection removes the series (see `HeadAppender.swift`).
    var pendingOwner: UInt32 = 0
    /// Index in the owner's batch of its newest staged sample for this series.
    var pendingIndex: UInt32 = 0
    /// Time of the open chunk's first sample (ms).
    var openMinTime: Int64 = 0
    /// Full chunks, oldest first.
    var full: [HeadChunk] = []
    /// Native-histogram chunks and state, nil while the series never had a histogram (see
    /// `HeadHistogram.swift`). The float paths look at it only when the float open chunk is empty.
    var histograms: HistogramSeriesState? = nil

    /// Time of the newest committed float sample (ms) as of the last time the open chunk was
    /// emptied (`.min` before that); only meaningful while the open chunk is empty (see
    /// ``maxTime``). Parked in the empty encoder (``XORChunkEncoder/park(lastTimestamp:lastValueBits:)``)
    /// rather than stored beside it: 16 bytes less per series (issue #6).
    var emptiedMaxTime: Int64 { open.lastTimestamp }
    /// Bits of that sample's value (as ``emptiedMaxTime``).
    var emptiedLastValueBits: UInt64 { open.lastValueBits }

    /// Empties the open chunk (its bytes handed over when `cutting`, else dropped with its buffer),
    /// parking its newest sample as ``emptiedMaxTime``.
    @inline(__always)
    mutating func emptyOpen(cutting: Bool) -> [UInt8] {
        let t = open.lastTimestamp
        let bits = open.lastValueBits
        var bytes: [UInt8] = []
        if cutting { bytes = open.finishReleasingBuffer() } else { open.resetReleasingBuffer() }
        open.park(lastTimestamp: t, lastValueBits: bits)
        return bytes
    }

    /// Whether a sample at `t` with value `bits` can follow the committed samples. An exact
    /// duplicate of the newest sample is reported as such (accepted and ignored, as Prometheus does).
    @inline(__always)
    func check(_ t: Int64, _ bits: UInt64) -> AppendCheck {
        let newest: Int64
        let newestBits: UInt64
        if open.count > 0 {
            newest = open.lastTimestamp
            newestBits = open.lastValueBits
        } else {
            if let h = histograms, h.lastTime != .min, h.lastTime > emptiedMaxTime {
                // The newest sample is a histogram: a float at its time is never a duplicate.
                let ht = h.lastTime
                return t > ht ? .ok : (t == ht ? .duplicateTimestamp : .outOfOrder)
            }
            newest = emptiedMaxTime
            newestBits = emptiedLastValueBits
        }
        if newest == .min || t > newest { return .ok }
        if t == newest { return bits == newestBits ? .exactDuplicate : .duplicateTimestamp }
        return .outOfOrder
    }

    /// Time of the newest committed sample (ms), `.min` when the series never had one.
    var maxTime: Int64 {
        if open.count > 0 { return open.lastTimestamp }
        if let h = histograms, h.lastTime > emptiedMaxTime { return h.lastTime }
        return emptiedMaxTime
    }

    /// Appends a sample, cutting a new chunk first when due. Changes nothing when `t` is not after
    /// the newest sample. Prometheus `memSeries.append` / `appendPreprocessor` in
    /// `tsdb/head_append.go` (2.42): a chunk is cut at the end of its chunk range, at the end
    /// predicted when it is 1/4 full, or at twice the target size.
    /// - Returns: whether the sample was appended, and whether it started a new chunk (the head
    ///   counts chunks).
    @inline(__always)
    mutating func append(_ t: Int64, _ v: Double, chunkRange: Int64, samplesPerChunk: Int) -> AppendOutcome {
        let n = open.count
        var outcome = AppendOutcome.appended
        if n == 0 {
            if let last = full.last, last.maxTime >= t { return .rejected }
            if emptiedMaxTime != .min && t <= emptiedMaxTime { return .rejected }
            if histograms != nil && !prepareFloatAfterHistograms(t) { return .rejected }
            openMinTime = t
            nextAt = SeriesState.rangeEnd(t, chunkRange)
            outcome = .appendedNewChunk
        } else {
            if open.lastTimestamp >= t { return .rejected }
            if n == samplesPerChunk / 4 {
                nextAt = SeriesState.chunkEndTime(start: openMinTime, current: open.lastTimestamp, max: nextAt)
                open.expectSamples(SeriesState.expectedSamples(
                    start: openMinTime, current: open.lastTimestamp, count: n, end: nextAt, limit: samplesPerChunk * 2),
                    firstTimestamp: openMinTime)
            }
            if t >= nextAt || n >= samplesPerChunk * 2 {
                cut()
                openMinTime = t
                nextAt = SeriesState.rangeEnd(t, chunkRange)
                outcome = .appendedNewChunk
            }
        }
        open.append(timestamp: t, value: v)
        return outcome
    }

    /// Moves the open chunk to the full list (exact-size copy) and empties it with a new, minimal
    /// buffer: keeping the capacity grown for the cut chunk would cost every series about one
    /// chunk's worth of idle bytes (~585 B at 120 samples, issue #6), while regrowing costs a few
    /// reallocations per chunk.
    mutating func cut() {
        guard open.count > 0 else { return }
        let maxTime = open.lastTimestamp
        full.append(HeadChunk(minTime: openMinTime, maxTime: maxTime, bytes: emptyOpen(cutting: true)))
    }

    /// Drops every chunk whose samples all lie before `mint` (Prometheus `truncateChunksBefore`).
    /// - Returns: the number of chunks removed.
    mutating func truncateChunks(before mint: Int64) -> Int {
        var removed = 0
        if let keepFrom = full.firstIndex(where: { $0.maxTime >= mint }) {
            removed = keepFrom
            full.removeFirst(keepFrom)
        } else {
            removed = full.count
            full.removeAll()
        }
        if open.count > 0 && open.lastTimestamp < mint {
            _ = emptyOpen(cutting: false)  // the series may stay idle: free its buffer
            removed += 1
        }
        if let h = histograms { removed += h.truncate(before: mint) }
        return removed
    }

    /// True when the series holds no samples.
    var isEmpty: Bool { full.isEmpty && open.count == 0 && (histograms?.isEmpty ?? true) }

    /// Number of chunks (full and open).
    var chunkCount: Int { full.count + (open.count > 0 ? 1 : 0) + (histograms?.chunkCount ?? 0) }

    /// Time of the oldest sample held, or nil when empty.
    var minTime: Int64? {
        let floatMin: Int64? = full.first?.minTime ?? (open.count > 0 ? openMinTime : nil)
        guard let hmin = histograms?.minTime else { return floatMin }
        return Swift.min(floatMin ?? .max, hmin)
    }

    /// The chunks overlapping `[mint, maxt]` (closed), oldest first. Full chunks' bytes are
    /// shared copy-on-write; the open chunk's bytes are built into a new array.
    func chunks(overlapping mint: Int64, _ maxt: Int64, into out: inout [HeadChunk]) {
        for c in full where c.overlaps(mint, maxt) { out.append(c) }
        if open.count > 0 && openMinTime <= maxt && open.lastTimestamp >= mint {
            out.append(HeadChunk(minTime: openMinTime, maxTime: open.lastTimestamp, bytes: open.bytes))
        }
    }

    /// Prometheus `rangeForTimestamp`: the end of the chunk range containing `t` (Go integer
    /// division, truncating towards zero).
    @inline(__always)
    static func rangeEnd(_ t: Int64, _ width: Int64) -> Int64 {
        (t / width) &* width &+ width
    }

    /// Samples a chunk started at `start` will hold when cut at `end` (the first sample at or after
    /// `end` opens the next chunk) or at `limit` samples, assuming the mean interval of its first
    /// `count` samples (`start ... current`, ms) continues; 0 when that interval is unknown. Sizes
    /// the open chunk's buffer once (``XORChunkEncoder/expectSamples(_:)``, issue #6).
    @inline(__always)
    static func expectedSamples(start: Int64, current: Int64, count: Int, end: Int64, limit: Int) -> Int {
        let elapsed = current &- start
        let remaining = end &- start
        guard count > 1, elapsed > 0, remaining > 0 else { return 0 }
        // ceil(remaining / interval) with interval = elapsed / (count - 1), without rounding it.
        let steps = Int64(count &- 1)
        let (product, overflow) = remaining.multipliedReportingOverflow(by: steps)
        guard !overflow else { return limit }
        let samples = (product &+ elapsed &- 1) / elapsed
        return samples >= Int64(limit) ? limit : Int(samples)
    }

    /// Prometheus `computeChunkEndTime` (2.42, integer version): assuming the chunk is 1/4 full,
    /// an end time that makes the remaining chunks of the range equally sized.
    @inline(__always)
    static func chunkEndTime(start: Int64, current: Int64, max: Int64) -> Int64 {
        let span = ((current &- start) &+ 1) &* 4
        guard span > 0 else { return max }
        let n = (max &- start) / span
        if n <= 1 { return max }
        return start &+ (max &- start) / n
    }
}

/// Outcome of ``SeriesState/append(_:_:chunkRange:samplesPerChunk:)``.
enum AppendOutcome {
    /// Not after the newest sample: nothing changed.
    case rejected
    case appended
    /// Appended as the first sample of a new open chunk (the chunk count grew by one).
    case appendedNewChunk
}

/// Outcome of validating one sample against a series.
enum AppendCheck {
    case ok
    /// Same timestamp and same value bits as the newest sample: accepted, nothing stored.
    case exactDuplicate
    case duplicateTimestamp
    case outOfOrder
}
