import Testing
import SundialEncoding

/// ProtoReader, ProtoCursor and the protobuf appenders: round trips, canonical bytes, bounds.
@Suite struct ProtoWireTests {
    @Test func canonicalBytes() {
        var b: [UInt8] = []
        b.appendProtoVarint(1, 150)
        #expect(b == [0x08, 0x96, 0x01])  // the protobuf encoding guide's example
        b = []
        b.appendProtoString(2, "testing")
        #expect(b == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67])
        b = []
        b.appendProtoInt64(1, -1)
        #expect(b == [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        b = []
        b.appendProtoSignedVarint(1, -1)
        #expect(b == [0x08, 0x01])
        b = []
        b.appendProtoDouble(1, 1.0)
        #expect(b == [0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f])
        b = []
        b.appendProtoDoubleIfNonZero(1, 0)
        b.appendProtoInt64IfNonZero(2, 0)
        #expect(b.isEmpty)
    }

    @Test(arguments: [0, 1, 127, 128, 16_383, 16_384, 2_097_152, 300_000])
    func lengthDelimitedBackpatch(size: Int) throws {
        var b: [UInt8] = [0xaa]
        let t = b.beginProtoLengthDelimited(3)
        b.append(contentsOf: (0..<size).map { UInt8(truncatingIfNeeded: $0) })
        b.endProtoLengthDelimited(t)
        b.append(0xbb)
        var r = ProtoReader(b, range: 1..<b.count)
        let tag = try #require(try r.readTag())
        #expect(tag == ProtoTag(field: 3, wireType: .lengthDelimited))
        let range = try r.readLengthDelimited()
        #expect(range.count == size)
        #expect(Array(b[range]) == (0..<size).map { UInt8(truncatingIfNeeded: $0) })
        #expect(b.count == 1 + 1 + uvarintSize(UInt64(size)) + size + 1)
        #expect(b.last == 0xbb)
    }

    @Test func nestedBackpatch() throws {
        var b: [UInt8] = []
        let outer = b.beginProtoLengthDelimited(1)
        let inner = b.beginProtoLengthDelimited(2)
        b.appendProtoString(3, String(repeating: "x", count: 200))
        b.endProtoLengthDelimited(inner)
        b.appendProtoVarint(4, 7)
        b.endProtoLengthDelimited(outer)
        var r = ProtoReader(b)
        #expect(try r.readTag()?.field == 1)
        var o = r.subReader(try r.readLengthDelimited())
        #expect(r.isAtEnd)
        #expect(try o.readTag()?.field == 2)
        var i = o.subReader(try o.readLengthDelimited())
        #expect(try i.readTag()?.field == 3)
        #expect(i.string(try i.readLengthDelimited()) == String(repeating: "x", count: 200))
        #expect(try o.readTag()?.field == 4)
        #expect(try o.readVarint() == 7)
        #expect(try o.readTag() == nil)
    }

    @Test(arguments: [UInt64(0), 1, 127, 128, 300, 1 << 35, UInt64.max - 1, UInt64.max])
    func varintsReaderAndCursorAgree(v: UInt64) throws {
        var b: [UInt8] = []
        b.appendUVarint(v)
        var r = ProtoReader(b)
        #expect(try r.readVarint() == v)
        #expect(r.isAtEnd)
        var c = ProtoCursor(0..<b.count)
        #expect(try c.readVarint(b) == v)
        #expect(c.isAtEnd)
    }

    @Test func malformedInput() {
        // Truncated varint, 11-byte varint, 10th byte > 1, length past end, field 0, wire type 7, group.
        let cases: [([UInt8], String)] = [
            ([0x08, 0x80], "truncated varint"),
            ([0x08] + [UInt8](repeating: 0x80, count: 10) + [0x01], "longer than 64 bits"),
            ([0x08] + [UInt8](repeating: 0xff, count: 9) + [0x02], "longer than 64 bits"),
            ([0x12, 0x05, 0x01], "runs past the end"),
            ([0x00], "field number 0"),
            ([0x0f], "unknown wire type 7"),
            ([0x0b], "groups"),
            ([0x09, 0x01, 0x02], "truncated fixed64"),
            ([0x0d, 0x01], "truncated fixed32"),
        ]
        for (bytes, fragment) in cases {
            var r = ProtoReader(bytes)
            var c = ProtoCursor(0..<bytes.count)
            var rErr: DecodeError? = nil, cErr: DecodeError? = nil
            do { while let t = try r.readTag() { try r.skip(t.wireType) } } catch { rErr = error }
            do { while let t = try c.readTag(bytes) { try c.skip(t.wireType, bytes) } } catch { cErr = error }
            #expect(rErr?.description.contains(fragment) == true, "\(bytes): \(String(describing: rErr))")
            #expect(cErr?.description.contains(fragment) == true, "\(bytes): \(String(describing: cErr))")
        }
    }

    @Test func subWindowsDoNotReadPastTheirEnd() throws {
        var b: [UInt8] = []
        b.appendProtoBytes(1, [0x08])  // a nested message whose varint is cut by the window
        b.append(0x01)  // the byte after the window must not be read as part of it
        var r = ProtoReader(b)
        _ = try r.readTag()
        var sub = r.subReader(try r.readLengthDelimited())
        #expect(try sub.readTag() == ProtoTag(field: 1, wireType: .varint))
        var threw = false
        do { _ = try sub.readVarint() } catch { threw = true }
        #expect(threw)
    }

    @Test func cursorWithForeignShortBufferThrows() {
        let b: [UInt8] = [0x08, 0x96, 0x01]
        var c = ProtoCursor(0..<100)
        var threw = false
        do {
            while let t = try c.readTag(b) { try c.skip(t.wireType, b) }
        } catch {
            threw = true
        }
        #expect(threw)
    }

    @Test func packedVarints() throws {
        var b: [UInt8] = []
        let t = b.beginProtoLengthDelimited(1)
        for v in [UInt64(1), 300, 0, 1 << 40] { b.appendUVarint(v) }
        b.endProtoLengthDelimited(t)
        var r = ProtoReader(b)
        _ = try r.readTag()
        var got: [UInt64] = []
        try r.forEachPackedVarint(try r.readLengthDelimited()) { got.append($0) }
        #expect(got == [1, 300, 0, 1 << 40])
    }
}
