import SundialEncoding
import Testing

@Suite struct PrimitivesTests {
    @Test func crc32cKnownVector() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        // Continuing over two halves equals one pass.
        let whole = CRC32C.checksum(data)
        let half = CRC32C.checksum(data[0..<437])
        #expect(CRC32C.checksum(data[437...], continuing: half) == whole)
    }

    @Test(arguments: [Int64(0), 1, -1, 63, -64, 64, 1 << 40, Int64.max, Int64.min])
    func varintRoundTrip(_ v: Int64) throws {
        var buf: [UInt8] = []
        buf.appendVarint(v)
        buf.appendUVarint(UInt64(bitPattern: v))
        try buf.withUnsafeBytes { (b: UnsafeRawBufferPointer) throws in
            var r = UnsafeByteReader(b)
            #expect(try r.readVarint() == v)
            #expect(try r.readUVarint() == UInt64(bitPattern: v))
            #expect(r.isAtEnd)
        }
    }

    @Test func truncatedVarintThrows() {
        let buf: [UInt8] = [0x80, 0x80]
        buf.withUnsafeBytes { b in
            var r = UnsafeByteReader(b)
            #expect(throws: DecodeError.self) { try r.readUVarint() }
        }
    }

    @Test func snappyRoundTripAndCorruption() throws {
        let input = Array(repeating: Array("hello sundial ".utf8), count: 100).flatMap { $0 }
        let c = Snappy.compress(input)
        #expect(c.count < input.count)
        #expect(try Snappy.decompress(c) == input)
        #expect(throws: DecodeError.self) { try Snappy.decompress([0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02]) }
        #expect(throws: DecodeError.self) { try Snappy.decompress(c, maxLength: 10) }
    }

    @Test func zstdRoundTrip() throws {
        let input = Array(repeating: UInt8(7), count: 10_000)
        let c = input.withUnsafeBytes { Zstd.compress($0) }
        #expect(try c.withUnsafeBytes { try Zstd.decompress($0) } == input)
    }
}
