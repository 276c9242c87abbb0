/// Protobuf wire-format appenders (https://protobuf.dev/programming-guides/encoding/), used to
/// encode remote-read responses and to build test fixtures. Every function appends to a
/// caller-owned `[UInt8]`, so a reused buffer makes steady state allocation-free.
///
/// Proto3 rules: scalar fields equal to their default (0, 0.0, "") may be omitted by the
/// `…IfNonZero` variants; repeated fields and message fields are always written by the caller.
extension Array where Element == UInt8 {
    /// A field key: `(field << 3) | wireType` as a varint.
    @inlinable
    public mutating func appendProtoTag(_ field: UInt32, _ wireType: ProtoWireType) {
        appendUVarint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// A varint field (int32/int64 as two's complement, uint*, bool, enum).
    @inlinable
    public mutating func appendProtoVarint(_ field: UInt32, _ value: UInt64) {
        appendProtoTag(field, .varint)
        appendUVarint(value)
    }

    /// An `int64` field (negative values take 10 bytes, as protobuf specifies).
    @inlinable
    public mutating func appendProtoInt64(_ field: UInt32, _ value: Int64) {
        appendProtoVarint(field, UInt64(bitPattern: value))
    }

    /// An `int64` field, omitted when 0 (proto3 default).
    @inlinable
    public mutating func appendProtoInt64IfNonZero(_ field: UInt32, _ value: Int64) {
        if value != 0 { appendProtoInt64(field, value) }
    }

    /// A `sint64`/`sint32` field (zig-zag).
    @inlinable
    public mutating func appendProtoSignedVarint(_ field: UInt32, _ value: Int64) {
        appendProtoTag(field, .varint)
        appendVarint(value)
    }

    /// 8 little-endian bytes (no key).
    @inlinable
    public mutating func appendLE64(_ v: UInt64) {
        var x = v
        for _ in 0..<8 {
            append(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
    }

    /// A `double` field (always written, even for 0: callers decide about defaults).
    @inlinable
    public mutating func appendProtoDouble(_ field: UInt32, _ value: Double) {
        appendProtoTag(field, .fixed64)
        appendLE64(value.bitPattern)
    }

    /// A `double` field, omitted when its bits are +0.0 (proto3 default). NaN and -0.0 are written.
    @inlinable
    public mutating func appendProtoDoubleIfNonZero(_ field: UInt32, _ value: Double) {
        if value.bitPattern != 0 { appendProtoDouble(field, value) }
    }

    /// A `string` field.
    @inlinable
    public mutating func appendProtoString(_ field: UInt32, _ value: String) {
        appendProtoTag(field, .lengthDelimited)
        appendUVarint(UInt64(value.utf8.count))
        append(contentsOf: value.utf8)
    }

    /// A `bytes` field.
    @inlinable
    public mutating func appendProtoBytes(_ field: UInt32, _ value: some Collection<UInt8>) {
        appendProtoTag(field, .lengthDelimited)
        appendUVarint(UInt64(value.count))
        append(contentsOf: value)
    }

    /// Starts a length-delimited field whose size is not known yet (a nested message or a packed
    /// field): writes the key and reserves a 5-byte length. Returns a token for
    /// ``endProtoLengthDelimited(_:)``, which must close fields in LIFO order.
    @inlinable
    public mutating func beginProtoLengthDelimited(_ field: UInt32) -> Int {
        appendProtoTag(field, .lengthDelimited)
        let token = count
        append(contentsOf: repeatElement(0, count: 5))
        return token
    }

    /// Closes a field opened by ``beginProtoLengthDelimited(_:)``: writes the minimal varint
    /// length and moves the payload down over the unused reserved bytes.
    /// - Precondition: `token` came from `beginProtoLengthDelimited` on this array, and payloads
    ///   are under 4 GiB.
    @inlinable
    public mutating func endProtoLengthDelimited(_ token: Int) {
        let payloadStart = token + 5
        let n = count - payloadStart
        precondition(n >= 0 && n <= Int(UInt32.max), "bad protobuf length token")
        let lenSize = uvarintSize(UInt64(n))
        var x = UInt64(n)
        var i = token
        while x >= 0x80 {
            self[i] = UInt8(truncatingIfNeeded: x) | 0x80
            x >>= 7
            i += 1
        }
        self[i] = UInt8(x)
        let gap = 5 - lenSize
        if gap > 0 {
            withUnsafeMutableBytes { p in
                let base = p.baseAddress!
                (base + token + lenSize).copyMemory(from: base + payloadStart, byteCount: n)
            }
            removeLast(gap)
        }
    }
}
