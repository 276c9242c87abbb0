/// Whether two equal strings share their stored bytes, for interning tables that want to keep a
/// caller's value when it already is the interned instance.
public enum StringStorage {
    /// The longest string (UTF-8 bytes) Swift can hold inline on 64-bit platforms without a heap
    /// buffer (a "small string").
    public static let inlineCapacity = 15

    /// True when keeping `a` costs no memory beyond `b`: both point at the same contiguous UTF-8
    /// storage, or `a` is short enough to be stored inline (at most ``inlineCapacity`` bytes;
    /// a short string that happens to live on the heap is accepted too, costing at most one small
    /// buffer). The caller guarantees `a == b`; this only tells whether `a` may stand for `b`.
    /// Thread-safe (reads only).
    public static func isSame(_ a: String, as b: String) -> Bool {
        if a.utf8.count <= inlineCapacity { return true }
        let pa = a.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
        guard let pa, pa != 0 else { return false }
        let pb = b.utf8.withContiguousStorageIfAvailable { UInt(bitPattern: $0.baseAddress) }
        return pa == pb
    }
}
