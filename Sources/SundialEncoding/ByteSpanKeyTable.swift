/// A hash table whose keys are sequences of byte strings, each given as a span of a caller's
/// buffer, and whose values are dense indices `0..<count` (the caller keeps the values in
/// parallel arrays). Remote write uses it to recognise a series from the raw label bytes of a
/// request without building strings: a hit costs one hash pass and one byte comparison.
///
/// Spans are passed as a flat `[Int32]` of `(start, count)` pairs; a key is `pairCount`
/// consecutive pairs starting at pair index `firstPair`. Two keys are equal when their byte
/// strings are equal one by one (the boundaries matter: `["ab","c"]` ≠ `["a","bc"]`). Keys are
/// copied into an arena as `uvarint len + bytes` per string.
///
/// Not thread-safe; the owner serialises access (remote write holds it under a `Mutex`).
public struct ByteSpanKeyTable: Sendable {
    @usableFromInline var slots: [Int32]
    @usableFromInline var hashes: [UInt64] = []
    @usableFromInline var keyOffsets: [Int32] = []
    @usableFromInline var keyLengths: [Int32] = []
    @usableFromInline var arena: [UInt8] = []

    /// An empty table.
    public init() { slots = [Int32](repeating: 0, count: 1024) }

    /// Number of keys.
    @inlinable public var count: Int { hashes.count }
    /// Bytes held by key copies.
    @inlinable public var arenaBytes: Int { arena.count }

    /// Forgets every key (indices restart at 0).
    public mutating func removeAll() {
        slots = [Int32](repeating: 0, count: 1024)
        hashes.removeAll(keepingCapacity: false)
        keyOffsets.removeAll(keepingCapacity: false)
        keyLengths.removeAll(keepingCapacity: false)
        arena.removeAll(keepingCapacity: false)
    }

    /// The hash of a key (see the type's documentation for the span layout).
    /// - Precondition: every span lies within `buffer`.
    public static func hash(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int) -> UInt64 {
        buffer.withUnsafeBytes { b in
            spans.withUnsafeBufferPointer { sp in
                var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(pairCount)
                var i = firstPair * 2
                let end = (firstPair + pairCount) * 2
                while i < end {
                    let start = Int(sp[i]), n = Int(sp[i + 1])
                    precondition(start >= 0 && n >= 0 && start + n <= b.count, "span out of bounds")
                    let ph = ByteStringInterner.hash(UnsafeRawBufferPointer(rebasing: b[start..<start + n]))
                    h = (h ^ ph) &* 0x9E37_79B9_7F4A_7C15
                    h ^= h >> 29
                    i += 2
                }
                return h
            }
        }
    }

    /// The index of the key, or nil. `hash` must be ``hash(_:spans:firstPair:pairCount:)`` of it.
    public func find(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = slots[i]
            if s == 0 { return nil }
            let id = Int(s - 1)
            if hashes[id] == hash && equals(id, buffer, spans, firstPair, pairCount) { return id }
            i = (i + 1) & mask
        }
    }

    /// Adds a key known to be absent and returns its index (`count` before the call).
    public mutating func insert(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int, hash: UInt64) -> Int {
        let id = hashes.count
        hashes.append(hash)
        keyOffsets.append(Int32(truncatingIfNeeded: arena.count))
        var i = firstPair * 2
        let end = (firstPair + pairCount) * 2
        while i < end {
            let start = Int(spans[i]), n = Int(spans[i + 1])
            arena.appendUVarint(UInt64(n))
            arena.append(contentsOf: buffer[start..<start + n])
            i += 2
        }
        keyLengths.append(Int32(truncatingIfNeeded: arena.count) - keyOffsets[id])
        let mask = slots.count - 1
        var j = Int(truncatingIfNeeded: hash) & mask
        while slots[j] != 0 { j = (j + 1) & mask }
        slots[j] = Int32(id + 1)
        if hashes.count * 4 > slots.count * 3 { grow() }
        return id
    }

    mutating func grow() {
        let cap = slots.count * 2
        var newSlots = [Int32](repeating: 0, count: cap)
        let mask = cap - 1
        for id in 0..<hashes.count {
            var i = Int(truncatingIfNeeded: hashes[id]) & mask
            while newSlots[i] != 0 { i = (i + 1) & mask }
            newSlots[i] = Int32(id + 1)
        }
        slots = newSlots
    }

    func equals(_ id: Int, _ buffer: [UInt8], _ spans: [Int32], _ firstPair: Int, _ pairCount: Int) -> Bool {
        let off = Int(keyOffsets[id]), len = Int(keyLengths[id])
        return arena.withUnsafeBytes { a in
            buffer.withUnsafeBytes { b in
                spans.withUnsafeBufferPointer { sp in
                    var k = off
                    let kend = off + len
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
        }
    }
}
