import SundialCore
import SundialEncoding
import SundialWAL
import Synchronization

/// The series states of one WAL replay, taken out of their ``MemSeries`` while the head is private
/// to the replay and given back at the end (``restore()``): samples are appended to plain arrays of
/// ``SeriesState`` without the series locks, and consecutive series sit next to each other in
/// memory, so a samples record of consecutive refs (one commit, one scrape target) walks its
/// states in address order instead of taking a lock and a cache miss per series object.
///
/// The states are split over ``shards`` arrays, each applied by at most one thread at a time: a
/// series belongs to one shard for the whole replay (so its samples keep their log order), and
/// series go to the shards in blocks of ``blockSize`` in the order they were first named, so each
/// shard's array is also walked in order. A ref maps to a slot `index * shards + shard`.
///
/// Thread safety: ``add(ref:series:)``, ``series(_:)`` and ``restore()`` on the replaying thread
/// only; ``table`` (read-only) and each ``ReplayShard`` (one thread each) during ``DB`` replay's
/// parallel apply. Until ``restore()`` runs, the states of the series named so far are not in
/// their series: any replay code that appends to a series (for example a record type replayed
/// later) must go through ``withState(ref:_:)``.
struct ReplaySeriesStates {
    /// Consecutive series given to one shard.
    static let blockSize = 64
    /// The slot of each logged ref (aliases included).
    private(set) var table = ReplaySlotTable()
    /// The shards (fixed count).
    let shards: [ReplayShard]
    /// The slot of each series named so far (several refs may name one series: aliases).
    private var slotOfSeries: [ObjectIdentifier: UInt32] = [:]
    /// Series named so far.
    private var named = 0

    /// Empty states in `shards` shards (at least 1).
    init(shards: Int) {
        self.shards = (0..<Swift.max(1, shards)).map { _ in ReplayShard() }
    }

    /// Maps `ref` to `series` (a later record for the same ref wins, as in Prometheus), taking the
    /// series' state out of it the first time the series is named.
    mutating func add(ref: UInt64, series: MemSeries) {
        let id = ObjectIdentifier(series)
        if let slot = slotOfSeries[id] {
            table.set(ref, slot)
            return
        }
        let k = shards.count
        let shard = (named / ReplaySeriesStates.blockSize) % k
        named += 1
        let index = shards[shard].take(series)
        let slot = UInt32(truncatingIfNeeded: index * k + shard)
        slotOfSeries[id] = slot
        table.set(ref, slot)
    }

    /// The series `ref` names, or nil.
    func series(_ ref: UInt64) -> MemSeries? {
        guard let slot = table.slot(ref) else { return nil }
        let k = shards.count
        return shards[Int(slot) % k].series[Int(slot) / k]
    }

    /// Runs `body` on the replay-held state of the series `ref` names (nil when the ref is unknown).
    /// Replaying thread only, never during a parallel apply.
    mutating func withState<R>(ref: UInt64, _ body: (inout SeriesState) -> R) -> R? {
        guard let slot = table.slot(ref) else { return nil }
        let k = shards.count
        return shards[Int(slot) % k].withState(Int(slot) / k, body)
    }

    /// Gives every state back to its series (one lock per series). Call once, at the end.
    func restore() {
        for shard in shards { shard.restore() }
    }
}

/// Ref → slot of a replay: a dense array for refs below ``denseLimit`` (refs are sequential from
/// 1), a dictionary above. A value type, read concurrently by the apply threads.
struct ReplaySlotTable: Sendable {
    /// Refs below this use the dense array (at most 64 MiB of slots).
    static let denseLimit: UInt64 = 1 << 24
    /// Marks a ref with no slot in ``dense``.
    static let none = UInt32.max
    private var dense: [UInt32] = []
    private var sparse: [UInt64: UInt32] = [:]

    /// Maps `ref` to `slot`.
    mutating func set(_ ref: UInt64, _ slot: UInt32) {
        guard ref < ReplaySlotTable.denseLimit else {
            sparse[ref] = slot
            return
        }
        let i = Int(ref)
        if i >= dense.count {
            dense.append(contentsOf: repeatElement(ReplaySlotTable.none, count: Swift.max(i + 1 - dense.count, dense.count / 2)))
        }
        dense[i] = slot
    }

    /// The slot of `ref`, or nil.
    @inline(__always)
    func slot(_ ref: UInt64) -> UInt32? {
        if ref < ReplaySlotTable.denseLimit {
            guard Int(ref) < dense.count else { return nil }
            let s = dense[Int(ref)]
            return s == ReplaySlotTable.none ? nil : s
        }
        return sparse[ref]
    }
}

/// One shard of ``ReplaySeriesStates``: its series and their states, index for index.
///
/// Thread safety: none; one thread at a time (the replay hands each shard to one apply thread and
/// joins them before touching the shards again).
final class ReplayShard: @unchecked Sendable {
    /// What one apply pass did.
    struct Totals {
        var applied = 0, dropped = 0, unknown = 0, cuts = 0
        var mint = Int64.max, maxt = Int64.min
    }

    private(set) var series: [MemSeries] = []
    private var states: [SeriesState] = []
    /// Sums over every apply pass so far.
    private(set) var totals = Totals()

    /// Takes `series`' state out of it into a new index, and returns the index.
    func take(_ s: MemSeries) -> Int {
        var st = SeriesState()
        s.state.withLock { swap(&$0, &st) }
        series.append(s)
        states.append(st)
        return states.count - 1
    }

    func withState<R>(_ index: Int, _ body: (inout SeriesState) -> R) -> R {
        body(&states[index])
    }

    /// Appends this shard's samples of `records` in order (a sample is this shard's when its ref's
    /// slot is; samples of refs with no slot are counted as unknown by shard 0 only).
    func apply(_ records: [SamplesRecord], table: ReplaySlotTable, shard: Int, shards: Int, chunkRange: Int64, samplesPerChunk: Int) {
        ReplayShard.apply(records, &states, &totals, table, shard, shards, chunkRange, samplesPerChunk)
    }

    /// The loop of ``apply(_:table:shard:shards:chunkRange:samplesPerChunk:)`` over inout arrays (one
    /// exclusivity check per call instead of one per sample).
    private static func apply(
        _ records: [SamplesRecord], _ states: inout [SeriesState], _ totals: inout Totals, _ table: ReplaySlotTable,
        _ shard: Int, _ shards: Int, _ range: Int64, _ spc: Int
    ) {
        var t = totals
        let k = UInt32(shards)
        let mine = UInt32(shard)
        for record in records {
            record.forEach(lookahead: ReplayShard.prefetchDistance) { ref, ts, bits, aheadRef in
                // The sample `prefetchDistance` places on: if it is this shard's and will flush its
                // chunk's pending words, start loading that buffer now (each buffer is cold: a
                // series' next sample comes one scrape round, ~all series, later).
                if let a = table.slot(aheadRef), k == 1 || a % k == mine {
                    states[k > 1 ? Int(a / k) : Int(a)].open.prefetchBufferIfFlushDue()
                }
                guard let slot = table.slot(ref) else {
                    if mine == 0 { t.unknown += 1 }
                    return
                }
                if k > 1 && slot % k != mine { return }
                let index = k > 1 ? Int(slot / k) : Int(slot)
                switch states[index].append(ts, Double(bitPattern: bits), chunkRange: range, samplesPerChunk: spc) {
                case .appended:
                    t.applied += 1
                    let n = states[index].open.count
                    if n == ReplayShard.firstReserveAt || n == ReplayShard.estimateAt {
                        ReplayShard.reserve(&states[index], samplesPerChunk: spc)
                    }
                case .appendedNewChunk:
                    t.applied += 1
                    t.cuts += 1
                    if let last = states[index].full.last {
                        // A series' chunks are alike: size the new one as its previous one.
                        states[index].open.reserveBufferCapacity(last.bytes.count &+ 32)
                    }
                case .rejected:
                    t.dropped += 1
                    return
                }
                if ts < t.mint { t.mint = ts }
                if ts > t.maxt { t.maxt = ts }
            }
        }
        totals = t
    }

    /// How many samples ahead the apply loop prefetches chunk buffers: enough to cover a memory
    /// load's latency with the ~40 ns each sample costs, few enough that the line is still cached.
    static let prefetchDistance = 8

    /// Sample count of an open chunk at which the replay first reserves ``firstReserve`` bytes (before
    /// the encoder's first 32-byte flush, ~5 samples of a typical series): with no reservation
    /// its buffer would grow from a few bytes a quarter at a time, ~8 reallocations per chunk.
    static let firstReserveAt = 4
    /// Bytes reserved at ``firstReserveAt`` samples: ~16 samples of a typical series.
    static let firstReserve = 128
    /// Sample count at which the replay reserves the whole chunk, estimated from its bytes so far.
    static let estimateAt = 16
    /// The largest reservation made from an estimate (a chunk of 2 × 120 samples of 64 bits each).
    static let maxEstimate = 4096

    /// Reserves the open chunk's buffer during the replay: ``firstReserve`` bytes at
    /// ``firstReserveAt`` samples, then at ``estimateAt`` samples the bytes so far scaled to
    /// `samplesPerChunk` samples plus an eighth (the first two samples cost more than the rest,
    /// so the scaled figure overestimates a little already). ``restore()`` trims what a series'
    /// samples did not fill (``XORChunkEncoder/trimBufferSlack()``), so the head keeps no more
    /// memory than samples appended one by one would leave.
    @inline(__always)
    static func reserve(_ state: inout SeriesState, samplesPerChunk spc: Int) {
        // A series with a previous chunk got that chunk's size when this one started.
        guard state.full.isEmpty else { return }
        let n = state.open.count
        if n == firstReserveAt {
            state.open.reserveBufferCapacity(firstReserve)
        } else {
            let b = state.open.byteCount
            let estimate = b &* spc / n
            state.open.reserveBufferCapacity(Swift.min(maxEstimate, estimate &+ estimate / 8))
        }
    }

    /// Gives every state back to its series, trimming the open chunks' buffers the replay
    /// over-reserved.
    func restore() {
        for i in states.indices {
            states[i].open.trimBufferSlack()
            series[i].state.withLock { swap(&$0, &states[i]) }
        }
        states = []
    }
}
