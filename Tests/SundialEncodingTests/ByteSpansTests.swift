import Testing
import SundialEncoding

@Suite struct ByteSpansTests {
    /// `(start, count)` pairs of the given substrings of `buf`, which is their concatenation.
    static func spans(_ parts: [String]) -> ([UInt8], [Int32]) {
        var buf: [UInt8] = []
        var spans: [Int32] = []
        for p in parts {
            spans.append(Int32(buf.count))
            spans.append(Int32(p.utf8.count))
            buf.append(contentsOf: p.utf8)
        }
        return (buf, spans)
    }

    static func key(_ h: (low: UInt64, high: UInt64)) -> [UInt64] { [h.low, h.high] }

    /// The hash depends on the byte strings alone: not on where they lie in the buffer, but on
    /// their boundaries and their number.
    @Test func hashFollowsBytesAndBoundaries() {
        let (b1, s1) = Self.spans(["__name__", "up", "job", "a"])
        let h1 = Self.key(ByteSpans.hash128(b1, spans: s1, firstPair: 0, pairCount: 4))
        let (b2, s2) = Self.spans(["x", "__name__", "up", "job", "a"])
        #expect(Self.key(ByteSpans.hash128(b2, spans: s2, firstPair: 1, pairCount: 4)) == h1)
        let (b3, s3) = Self.spans(["__name__u", "p", "job", "a"])
        #expect(Self.key(ByteSpans.hash128(b3, spans: s3, firstPair: 0, pairCount: 4)) != h1)
        #expect(Self.key(ByteSpans.hash128(b1, spans: s1, firstPair: 0, pairCount: 2)) != h1)
    }

    /// 5,000 keys that differ in one short value (and empty values) give 5,000 distinct hashes,
    /// and neither lane alone collides.
    @Test func manyKeysDistinct() {
        var all = Set<[UInt64]>(), lows = Set<UInt64>(), highs = Set<UInt64>()
        for i in 0..<5000 {
            let (b, s) = Self.spans(["__name__", "m", "i", String(i), "empty", ""])
            let h = ByteSpans.hash128(b, spans: s, firstPair: 0, pairCount: 6)
            all.insert([h.low, h.high])
            lows.insert(h.low)
            highs.insert(h.high)
        }
        #expect(all.count == 5000 && lows.count == 5000 && highs.count == 5000)
    }

    /// Spans ending in the buffer's last 7 bytes (the byte-wise tail path) hash like the same
    /// bytes followed by more data (the masked 8-byte load path).
    @Test func tailPathsAgree() {
        let (b1, s1) = Self.spans(["job", "abcdefghijk"])
        let (b2, s2) = Self.spans(["job", "abcdefghijk", "padding-bytes"])
        #expect(Self.key(ByteSpans.hash128(b1, spans: s1, firstPair: 0, pairCount: 2))
            == Self.key(ByteSpans.hash128(b2, spans: s2, firstPair: 0, pairCount: 2)))
    }
}
