import SundialCore
import Synchronization

/// The head's series maps (Prometheus `stripeSeries`, `tsdb/head.go`): series by label hash in
/// stripe `hash & mask`, each stripe with its own lock so that writers of different series rarely
/// contend, and series by ref in a dense ``SeriesTable`` (refs are handed out sequentially, so
/// consecutive refs share a page and a batch's lookups stay in a few cache lines).
///
/// Memory (issue #6): a stripe keeps its series as 8-byte slots (the hash's upper 32 bits beside
/// a 32-bit ref, ``HashSlots``) and finds the series through the table, instead of a dictionary
/// of 16-byte entries with its own header per stripe (~47 bytes per series at 100k series with
/// 16,384 stripes; now ~20 with 4,096). Series whose ref does not fit 32 bits (only a crafted
/// WAL names such refs) go to one shared overflow map.
///
/// Thread-safe. Lookups take one stripe lock (and the table's locks inside it); creation and
/// removal take the stripe's lock and then the table's (always in that order, so no deadlock).
final class SeriesStripes: Sendable {
    final class Stripe: Sendable {
        let slots = Mutex(HashSlots())
    }

    let stripes: [Stripe]
    let mask: UInt64
    /// Series by ref.
    let table = SeriesTable()
    /// Series whose ref is ≥ 2^32, by label hash (empty in practice).
    let wide = Mutex<[UInt64: [MemSeries]]>([:])
    /// Whether ``wide`` ever held a series (skips its lock otherwise).
    let hasWide = Atomic<Bool>(false)

    init(count: Int) {
        stripes = (0..<count).map { _ in Stripe() }
        mask = UInt64(count - 1)
    }

    /// The series with reference `ref`, or nil.
    @inline(__always)
    func get(_ ref: SeriesRef) -> MemSeries? { table.get(ref.rawValue) }

    /// The series with exactly `labels`, or nil.
    func get(hash: UInt64, labels: Labels) -> MemSeries? {
        if let s = stripes[Int(hash & mask)].slots.withLock({ find(hash, labels, in: $0) }) { return s }
        return findWide(hash, labels)
    }

    /// The series in `slots` with `hash` and exactly `labels` (caller holds the stripe lock).
    private func find(_ hash: UInt64, _ labels: Labels, in slots: HashSlots) -> MemSeries? {
        var found: MemSeries? = nil
        _ = slots.find(hash) { ref in
            guard let s = table.get(ref), s.labels == labels else { return false }
            found = s
            return true
        }
        return found
    }

    private func findWide(_ hash: UInt64, _ labels: Labels) -> MemSeries? {
        guard hasWide.load(ordering: .acquiring) else { return nil }
        return wide.withLock { $0[hash]?.first { $0.labels == labels } }
    }

    /// The series with `labels`, created by `make` if absent.
    /// - Returns: the series and whether this call created it.
    func getOrCreate(hash: UInt64, labels: Labels, make: () -> MemSeries) -> (MemSeries, Bool) {
        stripes[Int(hash & mask)].slots.withLock { slots in
            if let s = find(hash, labels, in: slots) ?? findWide(hash, labels) { return (s, false) }
            let s = make()
            // Into the table first, so that a lookup finding the slot also finds the series.
            table.insert(s)
            let ref = s.ref.rawValue
            if ref != 0 && ref <= UInt64(UInt32.max) {
                slots.insert(hash, ref: UInt32(truncatingIfNeeded: ref))
            } else {
                wide.withLock { $0[hash, default: []].append(s) }
                hasWide.store(true, ordering: .releasing)
            }
            return (s, true)
        }
    }

    /// Removes a series from both maps.
    func remove(_ series: MemSeries, hash: UInt64) {
        let ref = series.ref.rawValue
        stripes[Int(hash & mask)].slots.withLock { slots in
            if ref != 0 && ref <= UInt64(UInt32.max) {
                // Only if the slot's series is this one (the table may hold another under its ref).
                if table.get(ref) === series { slots.remove(hash, ref: UInt32(truncatingIfNeeded: ref)) }
            } else {
                wide.withLock { map in
                    let rest = (map[hash] ?? []).filter { $0 !== series }
                    map[hash] = rest.isEmpty ? nil : rest
                }
            }
            table.remove(series)
        }
    }

    /// Calls `body` for every series, in ref order (no lock is held during `body`).
    func forEach(_ body: (MemSeries) -> Void) { table.forEach(body) }
}

/// An open-addressing set of (hash, ref) pairs for one stripe: linear probing over a power-of-two
/// array of 8-byte slots, each the upper 32 bits of the label hash (its "tag", which also picks
/// the home slot: the stripe was chosen by the lower bits) above a 32-bit ref; 0 is an empty slot
/// (ref 0 is never a series). At most 3/4 full; removal shifts the following entries back
/// (no tombstones). Not thread-safe: the stripe's lock guards it.
struct HashSlots {
    private(set) var slots: [UInt64] = []
    private(set) var count = 0

    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { hash &>> 32 }

    /// The home slot of an entry or tag.
    @inline(__always)
    private func home(_ tag: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: tag) & mask }

    /// The first ref stored with `hash`'s tag for which `match` is true, probing in order.
    func find(_ hash: UInt64, _ match: (UInt64) -> Bool) -> UInt64? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count &- 1
        let tag = HashSlots.tag(hash)
        var i = home(tag, mask)
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s &>> 32 == tag {
                let ref = s & 0xffff_ffff
                if match(ref) { return ref }
            }
            i = (i &+ 1) & mask
        }
    }

    /// Adds the pair (the caller checked it is absent).
    /// - Precondition: `ref != 0`.
    mutating func insert(_ hash: UInt64, ref: UInt32) {
        precondition(ref != 0, "ref 0 marks an empty slot")
        if (count &+ 1) &* 4 > slots.count &* 3 { grow() }
        place(HashSlots.tag(hash) &<< 32 | UInt64(ref))
        count &+= 1
    }

    private mutating func place(_ entry: UInt64) {
        let mask = slots.count &- 1
        var i = home(entry &>> 32, mask)
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = entry
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: Swift.max(8, old.count &* 2))
        for e in old where e != 0 { place(e) }
    }

    /// Removes the pair if present.
    mutating func remove(_ hash: UInt64, ref: UInt32) {
        guard !slots.isEmpty else { return }
        let mask = slots.count &- 1
        let entry = HashSlots.tag(hash) &<< 32 | UInt64(ref)
        var i = home(entry &>> 32, mask)
        while slots[i] != entry {
            if slots[i] == 0 { return }
            i = (i &+ 1) & mask
        }
        // Backward-shift deletion: move back each following entry whose probe path crosses the hole.
        var hole = i
        var j = i
        while true {
            j = (j &+ 1) & mask
            let e = slots[j]
            if e == 0 { break }
            let distance = (j &- home(e &>> 32, mask)) & mask
            let gap = (j &- hole) & mask
            if distance >= gap {
                slots[hole] = e
                hole = j
            }
        }
        slots[hole] = 0
        count &-= 1
        if count == 0 { slots = [] }
    }
}
