import Testing
import SundialEncoding

@Suite struct ByteStringInternerTests {
    @Test func internsOnceAndReturnsStableIds() {
        var t = ByteStringInterner()
        let buf = Array("jobjob__name__up".utf8)
        let a = t.intern(buf, 0..<3)
        let b = t.intern(buf, 3..<6)
        let c = t.intern(buf, 6..<14)
        #expect(a != nil && a == b)
        #expect(c != a)
        #expect(t.string(a!) == "job")
        #expect(t.string(c!) == "__name__")
        #expect(t.count == 2)
        let again = t.intern("job")
        #expect(again == a)
        #expect(t.byteCount(c!) == 8)
    }

    @Test func emptyAndInvalidUTF8() {
        var t = ByteStringInterner()
        let buf: [UInt8] = [0x61, 0xff, 0xfe]
        let e = t.intern(buf, 1..<1)
        #expect(e != nil && t.string(e!) == "")
        let bad = t.intern(buf, 1..<3)
        #expect(bad == nil)
        #expect(t.count == 1)
    }

    @Test func growsAndResets() {
        var t = ByteStringInterner()
        var ids: [Int32] = []
        for i in 0..<10_000 { ids.append(t.intern("value-\(i)")) }
        #expect(Set(ids).count == 10_000)
        for i in stride(from: 0, to: 10_000, by: 997) {
            let id = t.intern("value-\(i)")
            #expect(id == ids[i])
        }
        t.flags[Int(ids[5])] = 3
        #expect(t.flags[Int(ids[5])] == 3)
        let kept = t.resetIfOver(entries: 20_000, bytes: 1 << 20)
        #expect(!kept)
        let cleared = t.resetIfOver(entries: 100, bytes: 1 << 20)
        #expect(cleared)
        #expect(t.count == 0)
        let first = t.intern("value-1")
        #expect(first == 0)
    }

    @Test func hashSeparatesLengthsAndTails() {
        let strings = ["", "a", "aa", "abcdefgh", "abcdefghi", "abcdefgh\0", "\0abcdefgh"]
        var hashes = Set<UInt64>()
        for s in strings {
            var s = s
            hashes.insert(s.withUTF8 { ByteStringInterner.hash(UnsafeRawBufferPointer($0)) })
        }
        #expect(hashes.count == strings.count)
    }
}
