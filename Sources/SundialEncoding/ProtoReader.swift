/// Protocol-buffers wire types (protobuf encoding spec, "Message Structure").
public enum ProtoWireType: UInt8, Sendable, CustomStringConvertible {
    /// int32, int64, uint32, uint64, sint32, sint64, bool, enum.
    case varint = 0
    /// fixed64, sfixed64, double.
    case fixed64 = 1
    /// string, bytes, embedded messages, packed repeated fields.
    case lengthDelimited = 2
    /// Deprecated groups: never valid in the messages we read; skipping them is refused.
    case startGroup = 3
    case endGroup = 4
    /// fixed32, sfixed32, float.
    case fixed32 = 5

    public var description: String {
        switch self {
        case .varint: "varint"
        case .fixed64: "fixed64"
        case .lengthDelimited: "length-delimited"
        case .startGroup: "start-group"
        case .endGroup: "end-group"
        case .fixed32: "fixed32"
        }
    }
}

/// A field key: field number and wire type (`(field << 3) | wireType`).
public struct ProtoTag: Sendable, Hashable {
    /// Field number (1 ... 2^29 − 1).
    public var field: UInt32
    /// How the value is encoded.
    public var wireType: ProtoWireType
    @inlinable public init(field: UInt32, wireType: ProtoWireType) {
        self.field = field
        self.wireType = wireType
    }
}

/// A bounds-checked, zero-copy cursor over protobuf wire-format bytes held in a `[UInt8]`
/// (https://protobuf.dev/programming-guides/encoding/).
///
/// The reader holds the array (a reference-counted copy-on-write buffer), so it may be stored and
/// copied freely; nested messages are read with ``subReader(_:)`` over a byte range of the same
/// array, without copying. Every read checks the window `[position, end)` and throws
/// ``DecodeError`` with the absolute byte offset instead of trapping: the bytes come from the
/// network. Not thread-safe for mutation (it is a value; each copy has its own position).
public struct ProtoReader: Sendable {
    /// The whole buffer (nested readers share it).
    public let buffer: [UInt8]
    /// Absolute offset of the next byte to read.
    @usableFromInline internal(set) var _position: Int = 0
    public var position: Int { _position }
    /// Absolute end (exclusive) of this reader's window.
    public let end: Int

    /// Longest varint protobuf allows (10 bytes encode 64 bits).
    @usableFromInline static let maxVarintBytes = 10

    /// A reader over all of `buffer`.
    @inlinable public init(_ buffer: [UInt8]) {
        self.buffer = buffer
        _position = 0
        end = buffer.count
    }

    /// A reader over `range` of `buffer`.
    /// - Precondition: `range` lies within `buffer` (caller misuse otherwise; ranges produced by
    ///   ``readLengthDelimited()`` always do).
    @inlinable public init(_ buffer: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "ProtoReader range out of bounds")
        self.buffer = buffer
        _position = range.lowerBound
        end = range.upperBound
    }

    /// A reader over a sub-range previously returned by ``readLengthDelimited()``.
    @inlinable public func subReader(_ range: Range<Int>) -> ProtoReader {
        ProtoReader(buffer, range: range)
    }

    /// True when the window is exhausted.
    @inlinable public var isAtEnd: Bool { position >= end }

    /// Bytes left in the window.
    @inlinable public var remaining: Int { end - position }

    /// Reads the next field key, or nil at the end of the window.
    /// - Throws: ``DecodeError`` for a truncated or overlong key, field number 0, or an unknown
    ///   wire type (6 or 7).
    @inlinable
    public mutating func readTag() throws(DecodeError) -> ProtoTag? {
        if position >= end { return nil }
        let start = position
        let key = try readVarint()
        guard key <= UInt64(UInt32.max) else { throw DecodeError(.invalid, offset: start, "protobuf: field key \(key) too large") }
        let field = UInt32(truncatingIfNeeded: key >> 3)
        guard field != 0 else { throw DecodeError(.invalid, offset: start, "protobuf: field number 0") }
        guard let wt = ProtoWireType(rawValue: UInt8(truncatingIfNeeded: key & 7)) else {
            throw DecodeError(.invalid, offset: start, "protobuf: unknown wire type \(key & 7) for field \(field)")
        }
        return ProtoTag(field: field, wireType: wt)
    }

    /// Reads a base-128 varint (up to 10 bytes; bits beyond 64 are an error).
    @inlinable
    public mutating func readVarint() throws(DecodeError) -> UInt64 {
        let start = position
        let limit = end
        // status: 0 ok, 1 truncated, 2 overflow
        let (x, next, status): (UInt64, Int, Int) = buffer.withUnsafeBufferPointer { p in
            var x: UInt64 = 0
            var shift: UInt64 = 0
            var i = start
            while i < limit {
                let b = p[i]
                i += 1
                if shift == 63 {
                    // The 10th byte may only contribute the top bit.
                    guard b <= 1 else { return (0, start, 2) }
                    return (x | UInt64(b) << 63, i, 0)
                }
                x |= UInt64(b & 0x7f) << shift
                if b < 0x80 { return (x, i, 0) }
                shift += 7
            }
            return (0, start, 1)
        }
        switch status {
        case 0:
            _position = next
            return x
        case 1:
            throw DecodeError(.truncated, offset: start, "protobuf: truncated varint")
        default:
            throw DecodeError(.overflow, offset: start, "protobuf: varint longer than 64 bits")
        }
    }

    /// Reads a zig-zag encoded varint (`sint32`/`sint64`).
    @inlinable
    public mutating func readSignedVarint() throws(DecodeError) -> Int64 {
        let u = try readVarint()
        return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
    }

    /// Reads 8 little-endian bytes (`fixed64`, `double`).
    @inlinable
    public mutating func readFixed64() throws(DecodeError) -> UInt64 {
        guard end - position >= 8 else { throw DecodeError(.truncated, offset: position, "protobuf: truncated fixed64") }
        let p = position
        _position += 8
        return buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p, as: UInt64.self) }.littleEndian
    }

    /// Reads 4 little-endian bytes (`fixed32`, `float`).
    @inlinable
    public mutating func readFixed32() throws(DecodeError) -> UInt32 {
        guard end - position >= 4 else { throw DecodeError(.truncated, offset: position, "protobuf: truncated fixed32") }
        let p = position
        _position += 4
        return buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: p, as: UInt32.self) }.littleEndian
    }

    /// Reads a `double` field value.
    @inlinable
    public mutating func readDouble() throws(DecodeError) -> Double {
        Double(bitPattern: try readFixed64())
    }

    /// Reads a length prefix and returns the absolute byte range of the payload (no copy),
    /// advancing past it.
    /// - Throws: ``DecodeError`` when the length runs past the window.
    @inlinable
    public mutating func readLengthDelimited() throws(DecodeError) -> Range<Int> {
        let start = position
        let n = try readVarint()
        guard n <= UInt64(end - position) else {
            _position = start
            throw DecodeError(.truncated, offset: start, "protobuf: length \(n) runs past the end of the enclosing message (\(end - start) bytes left)")
        }
        let lo = position
        _position += Int(n)
        return lo..<position
    }

    /// Skips the value of a field with wire type `wireType` (unknown fields are skipped, as
    /// protobuf requires). Groups are refused: no message we read uses them.
    @inlinable
    public mutating func skip(_ wireType: ProtoWireType) throws(DecodeError) {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup:
            throw DecodeError(.invalid, offset: position, "protobuf: groups are not supported")
        }
    }

    /// Throws unless `tag` has wire type `expected`; `what` names the field in the message.
    @inlinable
    public func expect(_ tag: ProtoTag, _ expected: ProtoWireType, _ what: StaticString) throws(DecodeError) {
        guard tag.wireType == expected else {
            throw DecodeError(
                .invalid, offset: position,
                "protobuf: field \(what) (\(tag.field)) has wire type \(tag.wireType), expected \(expected)")
        }
    }

    /// The payload bytes of `range` as a String, or nil when they are not valid UTF-8. Allocates;
    /// hot paths intern through ``ByteStringInterner`` instead.
    public func string(_ range: Range<Int>) -> String? {
        buffer.withUnsafeBufferPointer { p in
            String(validating: UnsafeBufferPointer(rebasing: p[range]), as: UTF8.self)
        }
    }

    /// A copy of the payload bytes of `range`.
    public func bytes(_ range: Range<Int>) -> [UInt8] { Array(buffer[range]) }

    /// Decodes a packed repeated varint field whose payload is `range`, calling `body` per value.
    @inlinable
    public func forEachPackedVarint(_ range: Range<Int>, _ body: (UInt64) throws(DecodeError) -> Void) throws(DecodeError) {
        var r = subReader(range)
        while !r.isAtEnd { try body(try r.readVarint()) }
    }
}

/// The allocation- and reference-count-free sibling of ``ProtoReader`` for hot loops: a window
/// `[position, end)` that does not hold the buffer; each read takes the buffer as an argument
/// (passed borrowed, so no retain/release per nested message). Reads are bounds-checked against
/// both the window and the buffer and throw ``DecodeError`` with absolute offsets; misuse (a
/// different buffer than the one the window came from) throws rather than traps.
public struct ProtoCursor: Sendable {
    /// Absolute offset of the next byte.
    public var position: Int
    /// Absolute end (exclusive) of the window.
    public let end: Int

    /// A window over `range` of some buffer.
    @inlinable public init(_ range: Range<Int>) {
        position = range.lowerBound
        end = range.upperBound
    }

    @inlinable public var isAtEnd: Bool { position >= end }

    /// Next field key or nil at the end of the window (see ``ProtoReader/readTag()``).
    @inlinable @inline(__always)
    public mutating func readTag(_ b: [UInt8]) throws(DecodeError) -> ProtoTag? {
        if position >= end { return nil }
        let start = position
        let key = try readVarint(b)
        guard key <= UInt64(UInt32.max) else { throw DecodeError(.invalid, offset: start, "protobuf: field key \(key) too large") }
        let field = UInt32(truncatingIfNeeded: key >> 3)
        guard field != 0 else { throw DecodeError(.invalid, offset: start, "protobuf: field number 0") }
        guard let wt = ProtoWireType(rawValue: UInt8(truncatingIfNeeded: key & 7)) else {
            throw DecodeError(.invalid, offset: start, "protobuf: unknown wire type \(key & 7) for field \(field)")
        }
        return ProtoTag(field: field, wireType: wt)
    }

    /// A base-128 varint of at most 10 bytes.
    @inlinable @inline(__always)
    public mutating func readVarint(_ b: [UInt8]) throws(DecodeError) -> UInt64 {
        let p = position
        if p < end && p < b.count {
            let byte = b[p]
            if byte < 0x80 {
                position = p + 1
                return UInt64(byte)
            }
        }
        return try readVarintSlow(b)
    }

    @inlinable
    mutating func readVarintSlow(_ b: [UInt8]) throws(DecodeError) -> UInt64 {
        let start = position
        let limit = Swift.min(end, b.count)
        var x: UInt64 = 0
        var shift: UInt64 = 0
        var i = start
        while i < limit {
            let byte = b[i]
            i += 1
            if shift == 63 {
                guard byte <= 1 else { throw DecodeError(.overflow, offset: start, "protobuf: varint longer than 64 bits") }
                position = i
                return x | UInt64(byte) << 63
            }
            x |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 {
                position = i
                return x
            }
            shift += 7
        }
        throw DecodeError(.truncated, offset: start, "protobuf: truncated varint")
    }

    /// 8 little-endian bytes.
    @inlinable @inline(__always)
    public mutating func readFixed64(_ b: [UInt8]) throws(DecodeError) -> UInt64 {
        let p = position
        guard Swift.min(end, b.count) - p >= 8 else { throw DecodeError(.truncated, offset: p, "protobuf: truncated fixed64") }
        position = p + 8
        var x: UInt64 = 0
        for k in 0..<8 { x |= UInt64(b[p + k]) << (8 * UInt64(k)) }
        return x
    }

    /// 4 little-endian bytes.
    @inlinable
    public mutating func readFixed32(_ b: [UInt8]) throws(DecodeError) -> UInt32 {
        let p = position
        guard Swift.min(end, b.count) - p >= 4 else { throw DecodeError(.truncated, offset: p, "protobuf: truncated fixed32") }
        position = p + 4
        return UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
    }

    /// A length prefix; returns the payload's absolute range and skips it.
    @inlinable @inline(__always)
    public mutating func readLengthDelimited(_ b: [UInt8]) throws(DecodeError) -> Range<Int> {
        let start = position
        let n = try readVarint(b)
        let avail = Swift.min(end, b.count) - position
        guard n <= UInt64(avail) else {
            position = start
            throw DecodeError(.truncated, offset: start, "protobuf: length \(n) runs past the end of the enclosing message (\(end - start) bytes left)")
        }
        let lo = position
        position += Int(n)
        return lo..<position
    }

    /// Skips a field value of `wireType` (groups refused).
    @inlinable
    public mutating func skip(_ wireType: ProtoWireType, _ b: [UInt8]) throws(DecodeError) {
        switch wireType {
        case .varint: _ = try readVarint(b)
        case .fixed64: _ = try readFixed64(b)
        case .fixed32: _ = try readFixed32(b)
        case .lengthDelimited: _ = try readLengthDelimited(b)
        case .startGroup, .endGroup:
            throw DecodeError(.invalid, offset: position, "protobuf: groups are not supported")
        }
    }

    /// Throws unless `tag` has wire type `expected`.
    @inlinable @inline(__always)
    public func expect(_ tag: ProtoTag, _ expected: ProtoWireType, _ what: StaticString) throws(DecodeError) {
        guard tag.wireType == expected else {
            throw DecodeError(
                .invalid, offset: position,
                "protobuf: field \(what) (\(tag.field)) has wire type \(tag.wireType), expected \(expected)")
        }
    }
}
