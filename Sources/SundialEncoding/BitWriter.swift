/// Appends bits most-significant first to a byte array, the bit stream of Prometheus's
/// `tsdb/chunkenc/bstream.go` (see its `tsdb/docs/bstream.md`): bits fill each byte from its
/// high end, and the last byte is zero-padded.
///
/// Byte-exactness detail: Prometheus's `writeByte` on a byte-aligned stream leaves one spare zero
/// byte at the end (its `count` is then 8), and `writeBits` of a whole number of bytes goes
/// through `writeByte`. This writer reproduces that (``freeBits`` may be 8), because the spare
/// byte is part of the chunk bytes Prometheus stores.
///
/// A value type owning its buffer; not thread-safe (wrap it in the owner's lock).
public struct BitWriter: Sendable {
    /// The stream so far. The low ``freeBits`` bits of the last byte are zero padding.
    public var bytes: [UInt8]
    /// Unused low bits in the last byte of ``bytes`` (0...8; 8 means the last byte is a spare zero
    /// byte as Prometheus leaves it; 0 also when `bytes` is empty).
    public var freeBits: Int

    /// A writer continuing `bytes`, whose last byte has `freeBits` unused low bits.
    /// - Precondition: `0 <= freeBits <= 8`, and `freeBits == 0` when `bytes` is empty.
    @inlinable
    public init(bytes: [UInt8] = [], freeBits: Int = 0) {
        precondition(freeBits >= 0 && freeBits <= 8 && (freeBits == 0 || !bytes.isEmpty))
        self.bytes = bytes
        self.freeBits = freeBits
    }

    /// Number of bits written (including bits of `bytes` the writer started from).
    @inlinable public var bitCount: Int { bytes.count &* 8 &- freeBits }

    /// Appends one bit (`true` = 1).
    @inlinable
    public mutating func writeBit(_ bit: Bool) {
        if freeBits == 0 {
            bytes.append(bit ? 0x80 : 0)
            freeBits = 7
        } else {
            freeBits &-= 1
            if bit { bytes[bytes.count &- 1] |= UInt8(1) &<< UInt8(freeBits) }
        }
    }

    /// Appends the low `count` bits of `value`, most significant first, with the byte layout of
    /// one Prometheus `writeBits(value, count)` call (a whole number of bytes written at a byte
    /// boundary leaves a spare zero byte).
    /// - Precondition: `0 <= count <= 64` (higher bits of `value` are ignored).
    @inlinable
    public mutating func writeBits(_ value: UInt64, count: Int) {
        guard count > 0 else { return }
        // Left-align the payload: its first bit becomes bit 63.
        var v = value &<< UInt64(64 &- count)
        var left = count
        if freeBits > 0 {
            bytes[bytes.count &- 1] |= UInt8(truncatingIfNeeded: v &>> UInt64(64 &- freeBits))
            if left <= freeBits {
                freeBits &-= left
                return
            }
            v = v &<< UInt64(freeBits)
            left &-= freeBits
            freeBits = 0
        }
        while left >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: v &>> 56))
            v = v &<< 8
            left &-= 8
        }
        if left > 0 {
            bytes.append(UInt8(truncatingIfNeeded: v &>> 56))
            freeBits = 8 &- left
        } else if count & 7 == 0 && freeBits == 0 {
            // Prometheus `writeByte` at a byte boundary appends the next (empty) byte eagerly.
            bytes.append(0)
            freeBits = 8
        }
    }

    /// Appends a whole byte at the current bit position (Prometheus `writeByte`, spare byte included).
    @inlinable
    public mutating func writeByte(_ b: UInt8) {
        writeBits(UInt64(b), count: 8)
    }
}
