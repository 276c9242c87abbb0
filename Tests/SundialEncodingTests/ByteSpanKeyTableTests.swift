import Testing
import SundialEncoding

@Suite struct ByteSpanKeyTableTests {
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

    @Test func findInsertAndBoundaries() {
        var t = ByteSpanKeyTable()
        let (b1, s1) = Self.spans(["__name__", "up", "job", "a"])
        let h1 = ByteSpanKeyTable.hash(b1, spans: s1, firstPair: 0, pairCount: 4)
        #expect(t.find(b1, spans: s1, firstPair: 0, pairCount: 4, hash: h1) == nil)
        let slot = t.insert(b1, spans: s1, firstPair: 0, pairCount: 4, hash: h1)
        #expect(slot == 0)
        #expect(t.find(b1, spans: s1, firstPair: 0, pairCount: 4, hash: h1) == 0)
        // Same bytes at other offsets of another buffer: found.
        let (b2, s2) = Self.spans(["x", "__name__", "up", "job", "a"])
        let h2 = ByteSpanKeyTable.hash(b2, spans: s2, firstPair: 1, pairCount: 4)
        #expect(h2 == h1)
        #expect(t.find(b2, spans: s2, firstPair: 1, pairCount: 4, hash: h2) == 0)
        // Same concatenation, other boundaries: a different key.
        let (b3, s3) = Self.spans(["__name__u", "p", "job", "a"])
        let h3 = ByteSpanKeyTable.hash(b3, spans: s3, firstPair: 0, pairCount: 4)
        #expect(t.find(b3, spans: s3, firstPair: 0, pairCount: 4, hash: h3) == nil)
        // A prefix of the key is a different key, even with a colliding hash.
        #expect(t.find(b1, spans: s1, firstPair: 0, pairCount: 2, hash: h1) == nil)
    }

    @Test func manyKeys() {
        var t = ByteSpanKeyTable()
        for i in 0..<5000 {
            let (b, s) = Self.spans(["__name__", "m", "i", String(i), "empty", ""])
            let h = ByteSpanKeyTable.hash(b, spans: s, firstPair: 0, pairCount: 6)
            let slot = t.insert(b, spans: s, firstPair: 0, pairCount: 6, hash: h)
            #expect(slot == i)
        }
        for i in stride(from: 0, to: 5000, by: 123) {
            let (b, s) = Self.spans(["__name__", "m", "i", String(i), "empty", ""])
            let h = ByteSpanKeyTable.hash(b, spans: s, firstPair: 0, pairCount: 6)
            #expect(t.find(b, spans: s, firstPair: 0, pairCount: 6, hash: h) == i)
        }
        #expect(t.count == 5000)
        t.removeAll()
        #expect(t.count == 0)
    }

    /// The batched lookup answers exactly as one ``ByteSpanKeyTable/find`` per key: present and
    /// absent keys, keys sharing home slots (a tiny table before growth), a prefix of a key.
    @Test func findAllAgreesWithFind() {
        var t = ByteSpanKeyTable()
        var buf: [UInt8] = []
        var spans: [Int32] = []
        var firstPairs: [Int32] = [], pairCounts: [Int32] = [], hashes: [UInt64] = []
        for i in 0..<3000 {
            let parts = ["__name__", "m", "i", String(i), "job", i % 3 == 0 ? "" : "j\(i % 7)"]
            firstPairs.append(Int32(spans.count / 2))
            pairCounts.append(Int32(i % 5 == 0 ? 4 : parts.count))
            for p in parts {
                spans.append(Int32(buf.count))
                spans.append(Int32(p.utf8.count))
                buf.append(contentsOf: p.utf8)
            }
        }
        for k in firstPairs.indices {
            hashes.append(ByteSpanKeyTable.hash(buf, spans: spans, firstPair: Int(firstPairs[k]), pairCount: Int(pairCounts[k])))
        }
        // Insert every other key.
        for k in stride(from: 0, to: firstPairs.count, by: 2) {
            _ = t.insert(buf, spans: spans, firstPair: Int(firstPairs[k]), pairCount: Int(pairCounts[k]), hash: hashes[k])
        }
        var ids: [Int32] = [], scratch: [UInt64] = []
        t.findAll(buf, spans: spans, firstPairs: firstPairs, pairCounts: pairCounts, hashes: hashes, into: &ids, scratch: &scratch)
        #expect(ids.count == firstPairs.count)
        for k in firstPairs.indices {
            let one = t.find(buf, spans: spans, firstPair: Int(firstPairs[k]), pairCount: Int(pairCounts[k]), hash: hashes[k])
            #expect(ids[k] == (one.map { Int32($0) } ?? -1))
            #expect((k % 2 == 0) == (one == k / 2))
        }
        // An empty batch.
        t.findAll(buf, spans: spans, firstPairs: [], pairCounts: [], hashes: [], into: &ids, scratch: &scratch)
        #expect(ids.isEmpty)
    }

    /// A key's record stores its hash, index and length before the key bytes.
    @Test func arenaBytesCountRecords() {
        var t = ByteSpanKeyTable()
        let (b, s) = Self.spans(["__name__", "up"])
        let h = ByteSpanKeyTable.hash(b, spans: s, firstPair: 0, pairCount: 2)
        #expect(t.insert(b, spans: s, firstPair: 0, pairCount: 2, hash: h) == 0)
        #expect(t.arenaBytes == 16 + 1 + 8 + 1 + 2)
        t.removeAll()
        #expect(t.arenaBytes == 0 && t.count == 0)
    }
}
