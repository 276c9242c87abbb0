extension ByteSpans {
    /// Whether `buffer[start ..< start + count]` equals the UTF-8 of `string` (no allocation:
    /// native strings are compared in place).
    /// - Precondition: the span lies within `buffer`.
    @inlinable
    public static func span(_ buffer: [UInt8], start: Int, count: Int, equals string: String) -> Bool {
        let utf8 = string.utf8
        guard utf8.count == count else { return false }
        if count == 0 { return true }
        return buffer.withUnsafeBytes { b in
            precondition(start >= 0 && count >= 0 && start + count <= b.count, "span out of bounds")
            return utf8.withContiguousStorageIfAvailable { u in
                bytesEqual(b.baseAddress! + start, UnsafeRawPointer(u.baseAddress!), count)
            } ?? utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: b[start..<start + count]))
        }
    }

    /// Whether `n` bytes at `a` and `b` are equal: 8-byte words, then an overlapping last word
    /// (label names and values are short, so no `memcmp` call).
    @inlinable @inline(__always)
    static func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        if n >= 8 {
            var i = 0
            while n - i > 8 {
                if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
                    return false
                }
                i += 8
            }
            return a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        }
        if n >= 4 {
            return a.loadUnaligned(fromByteOffset: 0, as: UInt32.self) == b.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        }
        var i = 0
        while i < n {
            if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            i += 1
        }
        return true
    }
}
