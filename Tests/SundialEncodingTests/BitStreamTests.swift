import Testing
import SundialEncoding
import SundialTestSupport

@Suite struct BitStreamTests {
    @Test func writesMostSignificantBitFirst() {
        var w = BitWriter()
        w.writeBit(true)
        w.writeBits(0b01, count: 2)
        w.writeBits(0x1f, count: 5)
        w.writeBits(0xabc, count: 12)
        #expect(w.bytes == [0b1011_1111, 0xab, 0xc0])
        #expect(w.freeBits == 4)
        #expect(w.bitCount == 20)
    }

    @Test func randomWidthsRoundTrip() throws {
        var rng = SplitMix64(seed: 42)
        var w = BitWriter()
        var items: [(UInt64, Int)] = []
        for _ in 0..<5000 {
            let n = Int(rng.next() % 65)
            let mask: UInt64 = n == 64 ? ~0 : (1 << UInt64(n)) - 1
            let v = rng.next() & mask
            items.append((v, n))
            w.writeBits(v, count: n)
        }
        let bytes = w.bytes
        let (got, position) = try bytes.withUnsafeBytes { b in
            var r = BitReader()
            var got: [UInt64] = []
            for (_, n) in items { got.append(try r.readBits(n, b)) }
            return (got, r.bitPosition)
        }
        #expect(got == items.map(\.0))
        #expect(position == w.bitCount)
    }

    @Test func readingPastTheEndThrows() {
        let bytes: [UInt8] = [0xff, 0x01]
        let results: [Bool] = bytes.withUnsafeBytes { b in
            var r = BitReader()
            let first = (try? r.readBits(16, b)) == 0xff01
            let past = (try? r.readBit(b)) == nil
            var r2 = BitReader()
            let long = (try? r2.readBits(17, b)) == nil
            var r3 = BitReader()
            _ = try? r3.readBits(3, b)
            let wide = (try? r3.readBits(64, b)) == nil
            return [first, past, long, wide]
        }
        #expect(results == [true, true, true, true])
    }

    @Test func varintsInsideTheBitStream() throws {
        var w = BitWriter()
        w.writeBit(true)  // misalign
        for b in [0xac, 0x02] as [UInt8] { w.writeByte(b) }  // uvarint 300
        let (bit, value) = try w.bytes.withUnsafeBytes { b in
            var r = BitReader()
            return (try r.readBit(b), try r.readUVarint(b))
        }
        #expect(bit)
        #expect(value == 300)
    }
}

