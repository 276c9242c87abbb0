import Testing
import SundialEncoding
import SundialTestSupport

/// Guards the fast block-decode path (8-byte refill in ``BitReader``, leading-ones prefix read,
/// scratch-column ``XORChunk/decode(_:minTime:maxTime:timestamps:values:)``) against a naive
/// bit-at-a-time reference and against ``XORChunkIterator``, near stream ends where the fast and
/// the byte-at-a-time refill meet.
@Suite struct XORFastDecodeTests {
    /// Reference: bit `i` of `bytes`, most significant first.
    static func bit(_ bytes: [UInt8], _ i: Int) -> UInt64 { UInt64(bytes[i >> 3] >> (7 - UInt8(i & 7)) & 1) }

    @Test func bitReaderMatchesANaiveReaderUpToTheEnd() throws {
        var rng = SplitMix64(seed: 7)
        for length in 0..<40 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let total = length * 8
                var pos = 0
                var outcome: [UInt64?] = []
                var want: [UInt64?] = []
                bytes.withUnsafeBytes { b in
                    var r = BitReader()
                    while true {
                        let n = rng.next() % 4 == 0 ? 1 : Int(rng.next() % 65)
                        if pos + n > total {
                            want.append(nil)
                            outcome.append(try? r.readBits(n, b))
                            break
                        }
                        var v: UInt64 = 0
                        for i in 0..<n { v = v << 1 | Self.bit(bytes, pos + i) }
                        want.append(v)
                        if n == 1 {
                            outcome.append((try? r.readBit(b)).map { $0 ? 1 : 0 })
                        } else {
                            outcome.append(try? r.readBits(n, b))
                        }
                        pos += n
                        if r.bitPosition != pos { outcome.append(UInt64(r.bitPosition)); want.append(UInt64(pos)); break }
                    }
                }
                #expect(outcome == want, "length \(length)")
            }
        }
    }

    @Test func wholeChunkDecodeMatchesTheIteratorOnEveryPrefix() throws {
        var rng = SplitMix64(seed: 11)
        for kind in 0..<3 {
            var v = 100.0
            var a = XORChunkAppender()
            var t: Int64 = 1_700_000_000_000
            for k in 0..<120 {
                t += 15_000 + Int64(rng.next() % 3) * (kind == 2 ? 100_000 : 1)
                switch kind {
                case 0: v += Double(rng.next() % 20)
                case 1: v = Double(Int(rng.next() % 1000)) / 10
                default: v = k % 7 == 0 ? Double(bitPattern: rng.next()) : v
                }
                a.append(timestamp: t, value: v)
            }
            let bytes = a.bytes
            for cut in 0...bytes.count {
                let prefix = Array(bytes[0..<cut])
                var ts: [Int64] = [-1]
                var vs: [Double] = [-1]
                var threw = false
                do { try XORChunk.decode(prefix, minTime: .min, maxTime: .max, timestamps: &ts, values: &vs) } catch { threw = true }
                var it = XORChunkIterator(prefix)
                var wantT: [Int64] = [-1]
                var wantV: [UInt64] = [(-1.0).bitPattern]
                while it.next() { wantT.append(it.timestamp); wantV.append(it.value.bitPattern) }
                #expect(ts == wantT, "kind \(kind) cut \(cut)")
                #expect(vs.map(\.bitPattern) == wantV, "kind \(kind) cut \(cut)")
                #expect(threw == (it.error != nil), "kind \(kind) cut \(cut)")
            }
        }
    }

    @Test func closedRangeDecodeKeepsEarlierColumnContents() throws {
        var a = XORChunkAppender()
        for k in 0..<200 { a.append(timestamp: Int64(k) * 1000, value: Double(k)) }
        var ts: [Int64] = [7]
        var vs: [Double] = [7]
        try XORChunk.decode(a.bytes, minTime: 10_000, maxTime: 20_000, timestamps: &ts, values: &vs)
        #expect(ts == [7] + (10...20).map { Int64($0) * 1000 })
        #expect(vs == [7] + (10...20).map { Double($0) })
    }
}
