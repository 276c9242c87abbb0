/// Reads bits most-significant first from borrowed bytes: the reading side of ``BitWriter``
/// (Prometheus `bstreamReader`). Keeps up to 64 bits buffered, so most reads are a shift.
///
/// Holds only positions: every read takes the bytes it reads from, so one reader can live in a
/// long-lived iterator while the bytes are borrowed per call. Running past the end throws
/// ``DecodeError`` with `.truncated`; it never traps.
public struct BitReader: Sendable {
    /// Index of the next byte to load into the buffer.
    @usableFromInline var nextByte: Int
    /// Buffered bits, left-aligned: the next bit to read is bit 63.
    @usableFromInline var buffer: UInt64
    /// Number of valid bits in `buffer` (0...64).
    @usableFromInline var valid: Int

    /// A reader starting at byte `offset`.
    @inlinable
    public init(offset: Int = 0) {
        nextByte = offset
        buffer = 0
        valid = 0
    }

    /// Index of the first byte not yet loaded (bytes before it have been consumed or buffered).
    @inlinable public var loadedUpTo: Int { nextByte }

    /// The bit position of the next read, counted from the start of the bytes.
    @inlinable public var bitPosition: Int { nextByte &* 8 &- valid }

    /// Tops the buffer up to at least 57 valid bits (fewer only at the end of the bytes). With 8 or
    /// more bytes left this is one unaligned big-endian load: the bits past `valid` it ORs in are the
    /// stream's own next bits, so buffered bits beyond `valid` are always either 0 or the true
    /// stream bits, and reloading them is harmless.
    @inlinable @inline(__always)
    mutating func refill(_ bytes: UnsafeRawBufferPointer) {
        if valid <= 56 && nextByte &+ 8 <= bytes.count {
            let w = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: nextByte, as: UInt64.self))
            buffer |= w &>> UInt64(valid)
            let take = (64 &- valid) &>> 3
            nextByte &+= take
            valid &+= take &<< 3
            return
        }
        refillTail(bytes)
    }

    /// Byte-at-a-time refill for the last bytes of the stream.
    @usableFromInline
    mutating func refillTail(_ bytes: UnsafeRawBufferPointer) {
        while valid <= 56 && nextByte < bytes.count {
            buffer |= UInt64(bytes[nextByte]) &<< UInt64(56 &- valid)
            valid &+= 8
            nextByte &+= 1
        }
    }

    /// Reads one bit.
    @inlinable @inline(__always)
    public mutating func readBit(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Bool {
        if valid == 0 {
            refill(bytes)
            if valid == 0 { throw DecodeError(.truncated, offset: nextByte, "bit stream ended") }
        }
        let bit = buffer &>> 63 != 0
        buffer = buffer &<< 1
        valid &-= 1
        return bit
    }

    /// Reads `count` bits (0...64) as the low bits of the result.
    @inlinable @inline(__always)
    public mutating func readBits(_ count: Int, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> UInt64 {
        if count == 0 { return 0 }
        if count > valid { refill(bytes) }
        if count <= valid {
            let r = buffer &>> UInt64(64 &- count)
            buffer = count == 64 ? 0 : buffer &<< UInt64(count)
            valid &-= count
            return r
        }
        return try readBitsSlow(count, bytes)
    }

    @usableFromInline
    mutating func readBitsSlow(_ count: Int, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> UInt64 {
        guard count <= 64 else { throw DecodeError(.invalid, offset: nextByte, "read of \(count) bits") }
        // Take what is buffered, refill, take the rest.
        let hiCount = valid
        let hi: UInt64 = hiCount == 0 ? 0 : buffer &>> UInt64(64 &- hiCount)
        buffer = 0
        valid = 0
        refill(bytes)
        let loCount = count &- hiCount
        guard loCount <= valid else {
            throw DecodeError(.truncated, offset: nextByte, "bit stream ended reading \(count) bits")
        }
        let lo = buffer &>> UInt64(64 &- loCount)
        buffer = loCount == 64 ? 0 : buffer &<< UInt64(loCount)
        valid &-= loCount
        return hiCount == 0 ? lo : (hi &<< UInt64(loCount)) | lo
    }

    /// Reads a whole byte from the current bit position.
    @inlinable
    public mutating func readByte(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> UInt8 {
        UInt8(truncatingIfNeeded: try readBits(8, bytes))
    }

    /// Go `binary.ReadUvarint` over the bit stream (byte-aligned or not).
    @inlinable
    public mutating func readUVarint(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> UInt64 {
        var x: UInt64 = 0
        var s: UInt64 = 0
        let start = nextByte
        for i in 0..<10 {
            let b = try readByte(bytes)
            if b < 0x80 {
                if i == 9 && b > 1 { throw DecodeError(.overflow, offset: start) }
                return x | UInt64(b) &<< s
            }
            x |= UInt64(b & 0x7f) &<< s
            s &+= 7
        }
        throw DecodeError(.overflow, offset: start)
    }

    /// Go `binary.ReadVarint` (zig-zag) over the bit stream.
    @inlinable
    public mutating func readVarint(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Int64 {
        let u = try readUVarint(bytes)
        return Int64(bitPattern: u &>> 1) ^ -Int64(bitPattern: u & 1)
    }
}
