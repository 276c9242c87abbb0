/// Writes bytes into memory the caller has reserved, without a capacity or uniqueness check per
/// byte: for bulk encoders (a WAL samples record writes ~11 bytes per sample) that know an upper
/// bound of their output. Obtain one from ``Swift/Array/appendUnchecked(maxCount:_:)``.
///
/// Each `put` writes at most the bytes its documentation states and checks the reserved bound
/// once (a programming error traps, never a write out of bounds). Not thread-safe; valid only
/// inside the closure that received it.
public struct UncheckedByteCursor {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let limit: Int
    /// Bytes written so far.
    public var count: Int { written }
    @usableFromInline var written: Int

    @inlinable
    init(base: UnsafeMutableRawPointer, limit: Int) {
        self.base = base
        self.limit = limit
        self.written = 0
    }

    /// Go `binary.PutUvarint` (at most 10 bytes).
    @inlinable @inline(__always)
    public mutating func putUVarint(_ v: UInt64) {
        precondition(written &+ 10 <= limit, "UncheckedByteCursor: reserved bound exceeded")
        var x = v
        var k = written
        while x >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: x) | 0x80, toByteOffset: k, as: UInt8.self)
            x &>>= 7
            k &+= 1
        }
        base.storeBytes(of: UInt8(truncatingIfNeeded: x), toByteOffset: k, as: UInt8.self)
        written = k &+ 1
    }

    /// Go `binary.PutVarint`: zig-zag, then ``putUVarint(_:)`` (at most 10 bytes).
    @inlinable @inline(__always)
    public mutating func putVarint(_ v: Int64) {
        putUVarint(UInt64(bitPattern: (v &<< 1) ^ (v >> 63)))
    }

    /// 8 bytes, big-endian.
    @inlinable @inline(__always)
    public mutating func putBE64(_ v: UInt64) {
        precondition(written &+ 8 <= limit, "UncheckedByteCursor: reserved bound exceeded")
        base.storeBytes(of: v.bigEndian, toByteOffset: written, as: UInt64.self)
        written &+= 8
    }
}

extension Array where Element == UInt8 {
    /// Appends the bytes `body` writes through an ``UncheckedByteCursor`` that may write up to
    /// `maxCount` bytes: the array grows once (zero-filled), `body` writes with no per-byte checks,
    /// and the unused rest is cut off. Allocates only when the capacity is short.
    @inlinable
    public mutating func appendUnchecked(maxCount: Int, _ body: (inout UncheckedByteCursor) -> Void) {
        precondition(maxCount >= 0, "appendUnchecked: negative bound")
        let start = count
        append(contentsOf: repeatElement(0, count: maxCount))
        let written = withUnsafeMutableBytes { raw -> Int in
            var cursor = UncheckedByteCursor(base: raw.baseAddress! + start, limit: maxCount)
            body(&cursor)
            return cursor.count
        }
        removeLast(maxCount &- written)
    }
}
