/// A hash table whose keys are sequences of byte strings, each given as a span of a caller's
/// buffer, and whose values are dense indices `0..<count` (the caller keeps the values in
/// parallel arrays). Remote write uses it to recognise a series from the raw label bytes of a
/// request without building strings: a hit costs one hash pass and one byte comparison.
///
/// Spans are passed as a flat `[Int32]` of `(start, count)` pairs; a key is `pairCount`
/// consecutive pairs starting at pair index `firstPair`. Two keys are equal when their byte
/// strings are equal one by one (the boundaries matter: `["ab","c"]` ≠ `["a","bc"]`).
///
/// Layout, chosen for lookups that miss the CPU caches (100k+ keys, each seen once per request
/// round): open addressing with linear probing over `slots`, each slot one `UInt64` holding the
/// high 32 bits of the key's hash (a tag, so a probe rarely touches a non-matching key) and the
/// arena offset of the key's record + 1 (0 = empty). A record is a 16-byte header — full hash
/// (UInt64), index (UInt32), key length (UInt32), little-endian — followed by the key as
/// `uvarint len + bytes` per string, so a hit reads one slot and one contiguous record.
/// The arena is limited to 4 GiB − 2 bytes (offsets are 32-bit); ``insert(_:spans:firstPair:pairCount:hash:)``
/// returns nil when a key would not fit.
///
/// Not thread-safe; the owner serialises access (remote write holds it under a `Mutex`).
public struct ByteSpanKeyTable: Sendable {
    @usableFromInline var slots: [UInt64]
    @usableFromInline var arena: [UInt8] = []
    @usableFromInline var keys = 0

    /// Bytes of a record's header: hash (8), index (4), key length (4).
    @usableFromInline static let headerBytes = 16
    /// Largest arena (bytes) whose every offset + 1 fits the slot's 32 bits.
    public static let maxArenaBytes = Int(UInt32.max) - 1

    /// An empty table.
    public init() { slots = [UInt64](repeating: 0, count: 1024) }

    /// Number of keys.
    @inlinable public var count: Int { keys }
    /// Bytes held by key copies and their record headers.
    @inlinable public var arenaBytes: Int { arena.count }

    /// Forgets every key (indices restart at 0) and releases the memory.
    public mutating func removeAll() {
        slots = [UInt64](repeating: 0, count: 1024)
        arena.removeAll(keepingCapacity: false)
        keys = 0
    }

    /// The hash of a key (see the type's documentation for the span layout). Not stable across
    /// versions; only used in memory.
    /// - Precondition: every span lies within `buffer`.
    public static func hash(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int) -> UInt64 {
        buffer.withUnsafeBytes { b in
            spans.withUnsafeBufferPointer { sp in
                var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(pairCount)
                var i = firstPair * 2
                let end = (firstPair + pairCount) * 2
                let total = b.count
                while i < end {
                    let start = Int(sp[i]), n = Int(sp[i + 1])
                    precondition(start >= 0 && n >= 0 && start + n <= total, "span out of bounds")
                    // The length first, so boundaries matter; then 8 bytes per step.
                    h = (h ^ UInt64(n)) &* 0x9E37_79B9_7F4A_7C15
                    var k = start
                    let e = start + n
                    while e - k >= 8 {
                        h = (h ^ b.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                        h ^= h >> 29
                        k += 8
                    }
                    let rest = e - k
                    if rest > 0 {
                        var w: UInt64
                        if total - k >= 8 {
                            // One load, masked to the span's last `rest` bytes (little-endian).
                            w = b.loadUnaligned(fromByteOffset: k, as: UInt64.self).littleEndian
                            w &= (1 << UInt64(rest * 8)) &- 1
                        } else {
                            w = 0
                            var s: UInt64 = 0
                            while k < e {
                                w |= UInt64(b[k]) << s
                                s += 8
                                k += 1
                            }
                        }
                        h = (h ^ w) &* 0x94D0_49BB_1331_11EB
                        h ^= h >> 31
                    }
                    i += 2
                }
                h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
                return h ^ (h >> 29)
            }
        }
    }

    /// The index of the key, or nil. `hash` must be ``hash(_:spans:firstPair:pairCount:)`` of it.
    public func find(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int, hash: UInt64) -> Int? {
        slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBytes { a in
                buffer.withUnsafeBytes { b in
                    spans.withUnsafeBufferPointer { sp in
                        let mask = sl.count - 1
                        let tag = hash >> 32
                        var i = Int(truncatingIfNeeded: hash) & mask
                        while true {
                            let s = sl[i]
                            if s == 0 { return nil }
                            if s >> 32 == tag {
                                let off = Int(UInt32(truncatingIfNeeded: s)) - 1
                                if Self.recordEquals(a, off, hash, b, sp, firstPair, pairCount) {
                                    return Int(UInt32(littleEndian: a.loadUnaligned(fromByteOffset: off + 8, as: UInt32.self)))
                                }
                            }
                            i = (i + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// Looks up many keys at once: `ids[k]` becomes the index of key `k` (pairs
    /// `firstPairs[k] ..< firstPairs[k] + pairCounts[k]` of `spans`) or -1. Same answers as
    /// ``find(_:spans:firstPair:pairCount:hash:)`` per key, but the slot and record loads of all
    /// keys are issued in tight passes before any comparison, so their cache misses overlap
    /// instead of following one another (for tables far larger than the CPU caches).
    /// - Parameters:
    ///   - hashes: ``hash(_:spans:firstPair:pairCount:)`` of each key.
    ///   - scratch: reused working storage (contents replaced).
    /// - Precondition: the four per-key arrays have the same count.
    public func findAll(_ buffer: [UInt8], spans: [Int32], firstPairs: [Int32], pairCounts: [Int32],
                        hashes: [UInt64], into ids: inout [Int32], scratch: inout [UInt64]) {
        let n = hashes.count
        precondition(firstPairs.count == n && pairCounts.count == n, "per-key arrays differ in length")
        ids.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBytes { a in
                hashes.withUnsafeBufferPointer { hs in
                    let mask = sl.count - 1
                    // Pass 1: each key's home slot (independent loads).
                    for k in 0..<n { scratch.append(sl[Int(truncatingIfNeeded: hs[k]) & mask]) }
                    // Pass 2: the record a matching tag points to (independent loads; the value is
                    // kept so the load stays).
                    scratch.withUnsafeMutableBufferPointer { sc in
                        for k in 0..<n {
                            let s = sc[k]
                            if s != 0 && s >> 32 == hs[k] >> 32 {
                                let off = Int(UInt32(truncatingIfNeeded: s)) - 1
                                sc[k] = a.loadUnaligned(fromByteOffset: off, as: UInt64.self)
                            }
                        }
                    }
                }
            }
        }
        // Pass 3: the lookups proper, now mostly from the cache.
        for k in 0..<n {
            let id = find(buffer, spans: spans, firstPair: Int(firstPairs[k]), pairCount: Int(pairCounts[k]), hash: hashes[k])
            ids.append(id.map { Int32(truncatingIfNeeded: $0) } ?? -1)
        }
    }

    /// Adds a key known to be absent and returns its index (`count` before the call), or nil
    /// when the arena would exceed ``maxArenaBytes`` (nothing is added; clear the table).
    public mutating func insert(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int, hash: UInt64) -> Int? {
        var keyLength = 0
        var i = firstPair * 2
        let end = (firstPair + pairCount) * 2
        while i < end {
            let n = Int(spans[i + 1])
            keyLength += Self.uvarintLength(n) + n
            i += 2
        }
        let off = arena.count
        guard off + Self.headerBytes + keyLength <= Self.maxArenaBytes else { return nil }
        let id = keys
        withUnsafeBytes(of: hash.littleEndian) { arena.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: id).littleEndian) { arena.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: keyLength).littleEndian) { arena.append(contentsOf: $0) }
        i = firstPair * 2
        while i < end {
            let start = Int(spans[i]), n = Int(spans[i + 1])
            arena.appendUVarint(UInt64(n))
            arena.append(contentsOf: buffer[start..<start + n])
            i += 2
        }
        keys += 1
        place(hash: hash, offset: off, in: &slots)
        if keys * 4 > slots.count * 3 { grow() }
        return id
    }

    @inline(__always)
    func place(hash: UInt64, offset: Int, in table: inout [UInt64]) {
        let mask = table.count - 1
        var j = Int(truncatingIfNeeded: hash) & mask
        while table[j] != 0 { j = (j + 1) & mask }
        table[j] = (hash >> 32) << 32 | UInt64(offset + 1)
    }

    mutating func grow() {
        var newSlots = [UInt64](repeating: 0, count: slots.count * 2)
        var off = 0
        arena.withUnsafeBytes { a in
            while off < a.count {
                let h = UInt64(littleEndian: a.loadUnaligned(fromByteOffset: off, as: UInt64.self))
                let len = Int(UInt32(littleEndian: a.loadUnaligned(fromByteOffset: off + 12, as: UInt32.self)))
                place(hash: h, offset: off, in: &newSlots)
                off += Self.headerBytes + len
            }
        }
        slots = newSlots
    }

    static func uvarintLength(_ n: Int) -> Int {
        var v = UInt64(n), k = 1
        while v >= 0x80 { v >>= 7; k += 1 }
        return k
    }

    /// Whether the record at `off` holds the key of `hash` given by the spans.
    @inline(__always)
    static func recordEquals(_ a: UnsafeRawBufferPointer, _ off: Int, _ hash: UInt64, _ b: UnsafeRawBufferPointer,
                             _ sp: UnsafeBufferPointer<Int32>, _ firstPair: Int, _ pairCount: Int) -> Bool {
        guard UInt64(littleEndian: a.loadUnaligned(fromByteOffset: off, as: UInt64.self)) == hash else { return false }
        let len = Int(UInt32(littleEndian: a.loadUnaligned(fromByteOffset: off + 12, as: UInt32.self)))
        var k = off + headerBytes
        let kend = k + len
        var i = firstPair * 2
        let end = (firstPair + pairCount) * 2
        while i < end {
            let start = Int(sp[i]), n = Int(sp[i + 1])
            // Decode the stored uvarint length.
            var stored = 0, shift = 0
            while k < kend {
                let byte = a[k]
                k += 1
                stored |= Int(byte & 0x7f) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            guard stored == n, kend - k >= n else { return false }
            if n > 0 && !memoryEqual(a.baseAddress! + k, b.baseAddress! + start, n) { return false }
            k += n
            i += 2
        }
        return k == kend
    }
}
