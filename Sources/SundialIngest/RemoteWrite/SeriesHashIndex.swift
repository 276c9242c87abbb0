/// The series cache's hash index: a 64-bit key hash → dense entry index (`0..<count`), open
/// addressing with linear probing over one `UInt64` per slot: the hash's high 32 bits as a tag
/// (a probe rarely reaches a non-matching entry) and the entry index + 1 (0 = empty).
///
/// It stores no keys: a tag match is only a candidate, which the caller verifies against what the
/// entry holds (the series cache compares the request's label bytes with the entry's label
/// strings, which storage shares), so equal hashes of different keys are harmless. That keeps the
/// index at 8 bytes per slot, about 11–21 bytes per key at its load factor (≤ 3/4), instead of a
/// copy of every key (~190 bytes per node_exporter series).
///
/// Not thread-safe; the owner serialises access (``SeriesCache`` holds it under its `Mutex`).
struct SeriesHashIndex {
    private(set) var slots: [UInt64]
    /// Number of entries placed.
    private(set) var count = 0

    static let initialSlots = 1024

    init() { slots = [UInt64](repeating: 0, count: Self.initialSlots) }

    /// Forgets every entry and releases the memory.
    mutating func removeAll() {
        slots = [UInt64](repeating: 0, count: Self.initialSlots)
        count = 0
    }

    /// The slot word holding `hash`'s tag and `entry`.
    @inline(__always)
    static func word(_ hash: UInt64, _ entry: Int) -> UInt64 { (hash >> 32) << 32 | UInt64(entry + 1) }

    /// The content of the home slot of `hash` (a cheap load to issue ahead of ``find(_:matches:)``).
    @inline(__always)
    func homeWord(_ hash: UInt64) -> UInt64 { slots[Int(truncatingIfNeeded: hash) & (slots.count - 1)] }

    /// The entry of `hash` whose candidate `matches` accepts, or nil. `matches` is called for
    /// each entry with the same tag, in probe order.
    @inline(__always)
    func find(_ hash: UInt64, matches: (Int) -> Bool) -> Int? {
        let mask = slots.count - 1
        let tag = hash >> 32
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            if s >> 32 == tag {
                let e = Int(UInt32(truncatingIfNeeded: s)) - 1
                if matches(e) { return e }
            }
            i = (i + 1) & mask
        }
    }

    /// Places `entry` (which must be ``count``, entries are dense) under `hash`. Grows past a
    /// 3/4 load, re-placing every entry by `hashOf(entry)`.
    /// - Precondition: `entry < UInt32.max`.
    mutating func insert(_ hash: UInt64, entry: Int, hashOf: (Int) -> UInt64) {
        precondition(entry >= 0 && entry < Int(UInt32.max) - 1, "entry index out of range")
        Self.place(Self.word(hash, entry), hash, in: &slots)
        count += 1
        if count * 4 > slots.count * 3 {
            var grown = [UInt64](repeating: 0, count: slots.count * 2)
            for e in 0..<count {
                let h = hashOf(e)
                Self.place(Self.word(h, e), h, in: &grown)
            }
            slots = grown
        }
    }

    @inline(__always)
    static func place(_ word: UInt64, _ hash: UInt64, in table: inout [UInt64]) {
        let mask = table.count - 1
        var j = Int(truncatingIfNeeded: hash) & mask
        while table[j] != 0 { j = (j + 1) & mask }
        table[j] = word
    }
}
