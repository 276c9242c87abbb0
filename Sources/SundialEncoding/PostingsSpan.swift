/// A postings list located inside borrowed index bytes (a memory-mapped index) without decoding
/// it: the refs are `count` big-endian u32 starting at byte `start` (`tsdb/docs/format/index.md`,
/// "Postings": `len <4b> | #entries <4b> | ref_1 <4b> … | ref_n <4b> | CRC32 <4b>`). Because the
/// entries have a fixed width, a list can be searched in place (binary and galloping search), so
/// intersecting a short list with a long one reads only O(short · log long) entries of the long one.
///
/// A span is only meaningful with the bytes it was located in. Value type, `Sendable`.
public struct PostingsSpan: Sendable, Hashable {
    /// Byte offset of the first ref.
    public let start: Int
    /// Number of refs.
    public let count: Int

    /// Creates a span; normally obtained from ``PostingsFormat/locatePostings(_:at:verifyChecksum:)``.
    public init(start: Int, count: Int) {
        self.start = start
        self.count = count
    }
}

extension PostingsFormat {
    /// Locates the postings list whose section starts at `offset`: checks that the section lies
    /// inside `bytes` and that its entry count matches its length, and (when `verifyChecksum`) its
    /// CRC32C. The order of the refs is not checked here; ``decode(_:_:into:)`` checks it, and the
    /// searches below never read outside the span whatever the bytes hold (unsorted, corrupt refs
    /// give wrong answers, not traps — callers verify the CRC once per list to rule that out).
    public static func locatePostings(_ bytes: UnsafeRawBufferPointer, at offset: Int,
                                      verifyChecksum: Bool) throws(DecodeError) -> PostingsSpan {
        let body: Range<Int>
        if verifyChecksum {
            body = try IndexFormat.sectionBody(bytes, at: offset)
        } else {
            guard offset >= 0, offset <= bytes.count - 4 else { throw DecodeError(.truncated, offset: offset, "section length") }
            let len = Int(IndexFormat.readBE32(bytes, offset))
            guard len <= bytes.count - offset - 8 else {
                throw DecodeError(.truncated, offset: offset, "section of \(len) bytes runs past the end of the file")
            }
            body = (offset + 4)..<(offset + 4 + len)
        }
        guard body.count >= 4 else { throw DecodeError(.truncated, offset: offset, "postings without a count") }
        let n = Int(IndexFormat.readBE32(bytes, body.lowerBound))
        guard (body.count - 4) % 4 == 0, n == (body.count - 4) / 4 else {
            throw DecodeError(.invalid, offset: offset, "postings count \(n) does not match section size \(body.count)")
        }
        return PostingsSpan(start: body.lowerBound + 4, count: n)
    }

    /// Ref `i` of `span`. - Precondition: `0 <= i < span.count` and `span` located in `bytes`.
    @inline(__always)
    static func ref(_ bytes: UnsafeRawBufferPointer, _ span: PostingsSpan, _ i: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: span.start &+ 4 &* i, as: UInt32.self))
    }

    /// Appends the refs of `span` to `out`, checking that they strictly increase.
    public static func decode(_ bytes: UnsafeRawBufferPointer, _ span: PostingsSpan, into out: inout [UInt32]) throws(DecodeError) {
        out.reserveCapacity(out.count + span.count)
        var prev: UInt32 = 0
        for k in 0..<span.count {
            let v = ref(bytes, span, k)
            if k > 0 && v <= prev { throw DecodeError(.invalid, offset: span.start + 4 * k, "postings not strictly increasing") }
            out.append(v)
            prev = v
        }
    }

    /// First index `≥ from` in `span` whose ref is `≥ x` (`span.count` if none): galloping from
    /// `from`, then binary search. - Complexity: O(log d) for an answer d entries after `from`.
    @inline(__always)
    static func seek(_ bytes: UnsafeRawBufferPointer, _ span: PostingsSpan, _ x: UInt32, from: Int) -> Int {
        var lo = from
        if lo >= span.count || ref(bytes, span, lo) >= x { return lo }
        var step = 1
        var hi = lo + step
        while hi < span.count && ref(bytes, span, hi) < x {
            lo = hi
            step <<= 1
            hi = lo + step
        }
        if hi > span.count { hi = span.count }
        var a = lo + 1, b = hi  // ref(lo) < x; the answer lies in (lo, hi]
        while a < b {
            let m = (a + b) >> 1
            if ref(bytes, span, m) < x { a = m + 1 } else { b = m }
        }
        return a
    }

    /// Sets `marks[i]` for every `driver[i]` that `span` contains. `driver` is strictly increasing
    /// and `marks.count == driver.count`. Walks the shorter of the two and gallops through the
    /// longer, so a short driver against a long list costs O(driver · log(list / driver)) reads,
    /// and a short list against a long driver O(list · log(driver / list)).
    /// - Returns: how many marks this call set or found set.
    @discardableResult
    public static func markMembers(_ bytes: UnsafeRawBufferPointer, _ span: PostingsSpan, of driver: [UInt32],
                                   in marks: inout [Bool]) -> Int {
        precondition(marks.count == driver.count)
        var hits = 0
        if span.count == 0 || driver.isEmpty { return 0 }
        if driver.count <= span.count {
            var j = 0
            for i in driver.indices {
                j = seek(bytes, span, driver[i], from: j)
                if j == span.count { break }
                if ref(bytes, span, j) == driver[i] { marks[i] = true; hits += 1; j += 1 }
            }
        } else {
            var i = 0
            for k in 0..<span.count {
                let x = ref(bytes, span, k)
                i = Postings32.seek(driver, x, from: i)
                if i == driver.count { break }
                if driver[i] == x { marks[i] = true; hits += 1; i += 1 }
            }
        }
        return hits
    }
}

/// Galloping search over a sorted `[UInt32]` (the in-memory side of ``PostingsFormat/markMembers(_:_:of:in:)``).
public enum Postings32 {
    /// First index `≥ from` whose element is `≥ x` (`list.count` if none).
    @inline(__always)
    public static func seek(_ list: [UInt32], _ x: UInt32, from: Int) -> Int {
        var lo = from
        if lo >= list.count || list[lo] >= x { return lo }
        var step = 1
        var hi = lo + step
        while hi < list.count && list[hi] < x {
            lo = hi
            step <<= 1
            hi = lo + step
        }
        if hi > list.count { hi = list.count }
        var a = lo + 1, b = hi
        while a < b {
            let m = (a + b) >> 1
            if list[m] < x { a = m + 1 } else { b = m }
        }
        return a
    }
}
