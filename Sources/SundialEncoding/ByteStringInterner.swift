/// Maps byte strings (slices of a decode buffer) to stable small ids and shared `String`s, so that
/// label names and values repeated across series and requests are validated and allocated once.
///
/// - An id stays valid until ``removeAll()`` (or a ``resetIfOver(entries:bytes:)`` that fires).
/// - Each entry carries 8 bits of caller-owned ``flags`` (e.g. cached validation results).
/// - Lookups hash the bytes (8 bytes per step) and compare candidates with `memcmp`-style
///   comparison of the stored copy; a hit allocates nothing.
///
/// Not thread-safe: one interner per decoder; decoders are pooled, not shared.
public struct ByteStringInterner: Sendable {
    /// Open-addressing slots holding `id + 1` (0 = empty). Capacity is a power of two.
    @usableFromInline var slots: [Int32]
    @usableFromInline var hashes: [UInt64] = []
    @usableFromInline var offsets: [Int32] = []
    @usableFromInline var lengths: [Int32] = []
    /// Copies of every interned byte string, back to back.
    @usableFromInline var arena: [UInt8] = []
    /// The interned strings, by id.
    public private(set) var strings: [String] = []
    /// Caller-owned bits per entry (zero when interned).
    public var flags: [UInt8] = []

    /// An empty interner.
    public init() {
        slots = [Int32](repeating: 0, count: 1024)
    }

    /// Number of distinct strings interned.
    @inlinable public var count: Int { strings.count }

    /// Bytes of string data held (the arena).
    @inlinable public var arenaBytes: Int { arena.count }

    /// The string for `id`.
    @inlinable public func string(_ id: Int32) -> String { strings[Int(id)] }

    /// Length in UTF-8 bytes of entry `id`.
    @inlinable public func byteCount(_ id: Int32) -> Int { Int(lengths[Int(id)]) }

    /// Forgets everything (ids become invalid). Keeps capacity.
    public mutating func removeAll() {
        for i in slots.indices { slots[i] = 0 }
        hashes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        strings.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
    }

    /// Clears the table when it holds more than `entries` strings or `bytes` bytes of string data,
    /// bounding memory when label values churn. Call between requests (ids held by the caller are
    /// invalidated). Returns true when it cleared.
    @discardableResult
    public mutating func resetIfOver(entries: Int, bytes: Int) -> Bool {
        guard strings.count > entries || arena.count > bytes else { return false }
        removeAll()
        slots = [Int32](repeating: 0, count: 1024)
        return true
    }

    /// The id of the string held in `buffer[range]`, interning it on first sight; nil when the
    /// bytes are not valid UTF-8 (nothing is interned then).
    /// - Precondition: `range` lies within `buffer`.
    /// - Complexity: O(range.count) expected.
    public mutating func intern(_ buffer: [UInt8], _ range: Range<Int>) -> Int32? {
        precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count)
        return buffer.withUnsafeBytes { raw in
            intern(UnsafeRawBufferPointer(rebasing: raw[range]))
        }
    }

    /// The id of `s`, interning it on first sight.
    public mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }!
    }

    @usableFromInline
    mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = ByteStringInterner.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let id = Int(s - 1)
            if hashes[id] == h && Int(lengths[id]) == bytes.count && equalsStored(id, bytes) {
                return Int32(id)
            }
            i = (i + 1) & mask
        }
        // Miss: validate, copy, insert.
        guard let str = String(validating: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self) else { return nil }
        let id = strings.count
        strings.append(str)
        hashes.append(h)
        offsets.append(Int32(truncatingIfNeeded: arena.count))
        lengths.append(Int32(truncatingIfNeeded: bytes.count))
        flags.append(0)
        arena.append(contentsOf: bytes)
        slots[i] = Int32(id + 1)
        if strings.count * 4 > slots.count * 3 { grow() }
        return Int32(id)
    }

    @usableFromInline
    func equalsStored(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let off = Int(offsets[id])
        let n = bytes.count
        if n == 0 { return true }
        return arena.withUnsafeBytes { a in
            memoryEqual(a.baseAddress! + off, bytes.baseAddress!, n)
        }
    }

    mutating func grow() {
        let cap = slots.count * 2
        var newSlots = [Int32](repeating: 0, count: cap)
        let mask = cap - 1
        for id in 0..<strings.count {
            var i = Int(truncatingIfNeeded: hashes[id]) & mask
            while newSlots[i] != 0 { i = (i + 1) & mask }
            newSlots[i] = Int32(id + 1)
        }
        slots = newSlots
    }

    /// A fast 64-bit hash of a byte string (8 bytes per step, multiply-xorshift mixing). Not
    /// cryptographic and not stable across versions; only used in memory.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while n - i >= 8 {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var s: UInt64 = 0
            while i < n {
                w |= UInt64(bytes[i]) << s
                s += 8
                i += 1
            }
            h = (h ^ w) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }
}

/// Byte equality of two raw regions of `n` bytes (8 bytes per step).
@inlinable
func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while n - i >= 8 {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
