/// Why decoding bytes from disk or the network failed. Carries the byte offset for the message.
public struct DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case truncated = "unexpected end of data"
        case overflow = "varint overflows 64 bits"
        case checksum = "checksum mismatch"
        case invalid = "invalid data"
    }
    public var kind: Kind
    public var offset: Int
    public var detail: String
    public init(_ kind: Kind, offset: Int, _ detail: String = "") {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }
    public var description: String {
        detail.isEmpty ? "\(kind.rawValue) at offset \(offset)" : "\(kind.rawValue) at offset \(offset): \(detail)"
    }
}

/// A bounds-checked cursor over borrowed bytes. Every read checks its bounds and throws
/// ``DecodeError`` instead of trapping: bytes from disk or the network must never crash us.
///
/// The bytes are borrowed: the reader must not outlive the buffer it was created over
/// (use it inside `withUnsafeBytes`).
public struct UnsafeByteReader {
    public let bytes: UnsafeRawBufferPointer
    /// Offset of the next byte to read.
    public var position: Int

    @inlinable public init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    @inlinable public var remaining: Int { bytes.count - position }
    @inlinable public var isAtEnd: Bool { position >= bytes.count }

    @inlinable public mutating func readByte() throws(DecodeError) -> UInt8 {
        guard position < bytes.count else { throw DecodeError(.truncated, offset: position) }
        defer { position += 1 }
        return bytes[position]
    }

    @inlinable public mutating func readUVarint() throws(DecodeError) -> UInt64 {
        var x: UInt64 = 0
        var s: UInt64 = 0
        let start = position
        while true {
            guard position < bytes.count else { throw DecodeError(.truncated, offset: start) }
            let b = bytes[position]
            position += 1
            if b < 0x80 {
                if s == 63 && b > 1 { throw DecodeError(.overflow, offset: start) }
                return x | UInt64(b) << s
            }
            if s >= 63 { throw DecodeError(.overflow, offset: start) }
            x |= UInt64(b & 0x7f) << s
            s += 7
        }
    }

    @inlinable public mutating func readVarint() throws(DecodeError) -> Int64 {
        let u = try readUVarint()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    @inlinable public mutating func readBE16() throws(DecodeError) -> UInt16 {
        guard remaining >= 2 else { throw DecodeError(.truncated, offset: position) }
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    @inlinable public mutating func readBE32() throws(DecodeError) -> UInt32 {
        guard remaining >= 4 else { throw DecodeError(.truncated, offset: position) }
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16
            | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    @inlinable public mutating func readBE64() throws(DecodeError) -> UInt64 {
        let hi = try readBE32()
        let lo = try readBE32()
        return UInt64(hi) << 32 | UInt64(lo)
    }

    /// The next `n` bytes as a sub-buffer (no copy), advancing past them.
    @inlinable public mutating func readBytes(_ n: Int) throws(DecodeError) -> UnsafeRawBufferPointer {
        guard n >= 0, remaining >= n else { throw DecodeError(.truncated, offset: position) }
        defer { position += n }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + n])
    }

    /// `uvarint len` + UTF-8 bytes, decoded as a String (invalid UTF-8 is an error).
    @inlinable public mutating func readUVarintString() throws(DecodeError) -> String {
        let start = position
        let n = try readUVarint()
        guard n <= UInt64(remaining) else { throw DecodeError(.truncated, offset: start) }
        let b = try readBytes(Int(n))
        guard let s = String(validating: b, as: UTF8.self) else {
            throw DecodeError(.invalid, offset: start, "invalid UTF-8 in string")
        }
        return s
    }

    @inlinable public mutating func skip(_ n: Int) throws(DecodeError) {
        guard n >= 0, remaining >= n else { throw DecodeError(.truncated, offset: position) }
        position += n
    }
}
