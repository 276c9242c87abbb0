/// Appending primitives for the byte layouts of the Prometheus formats. Every function appends to
/// a caller-owned `[UInt8]` (VictoriaMetrics's `Marshal*` habit), so steady state allocates nothing.
extension Array where Element == UInt8 {
    /// Go `binary.PutUvarint`: 7 bits per byte, low groups first, high bit = continuation.
    @inlinable
    public mutating func appendUVarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        append(UInt8(x))
    }

    /// Go `binary.PutVarint`: zig-zag then uvarint.
    @inlinable
    public mutating func appendVarint(_ v: Int64) {
        appendUVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    @inlinable public mutating func appendBE16(_ v: UInt16) {
        append(UInt8(v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }

    @inlinable public mutating func appendBE32(_ v: UInt32) {
        append(UInt8(v >> 24))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v))
    }

    @inlinable public mutating func appendBE64(_ v: UInt64) {
        appendBE32(UInt32(truncatingIfNeeded: v >> 32))
        appendBE32(UInt32(truncatingIfNeeded: v))
    }

    /// Overwrites 4 bytes at `offset` with `v` big-endian (for back-patched length fields).
    /// - Precondition: `offset + 4 <= count`.
    @inlinable public mutating func putBE32(_ v: UInt32, at offset: Int) {
        self[offset] = UInt8(v >> 24)
        self[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        self[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        self[offset + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// `uvarint len` followed by the UTF-8 bytes of `s`.
    @inlinable public mutating func appendUVarintString(_ s: String) {
        appendUVarint(UInt64(s.utf8.count))
        append(contentsOf: s.utf8)
    }
}

/// Number of bytes `appendUVarint(v)` writes.
@inlinable public func uvarintSize(_ v: UInt64) -> Int {
    var n = 1
    var x = v
    while x >= 0x80 {
        x >>= 7
        n += 1
    }
    return n
}
