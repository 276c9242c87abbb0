/// Set operations on sorted series-reference lists (postings): block index postings (`UInt32`)
/// and head series refs (`UInt64`) alike. Inputs are strictly increasing; outputs are too.
/// Intersection gallops through the longer list, so a short list against the all-postings list
/// costs O(short · log long). Generic functions specialised per element type in release builds.
enum Postings {
    /// Elements present in both lists.
    static func intersect<T: FixedWidthInteger>(_ a: [T], _ b: [T]) -> [T] {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        var out: [T] = []
        out.reserveCapacity(short.count)
        var j = 0
        for x in short {
            j = seek(long, x, from: j)
            if j == long.count { break }
            if long[j] == x { out.append(x); j += 1 }
        }
        return out
    }

    /// Elements of every list (intersection of several), shortest first.
    static func intersect<T: FixedWidthInteger>(_ lists: [[T]]) -> [T] {
        guard var acc = lists.min(by: { $0.count < $1.count }) else { return [] }
        for l in lists.sorted(by: { $0.count < $1.count }).dropFirst() {
            if acc.isEmpty { break }
            acc = intersect(acc, l)
        }
        return acc
    }

    /// Union of several lists (k-way merge through pairwise merges of similar sizes).
    static func merge<T: FixedWidthInteger>(_ lists: [[T]]) -> [T] {
        var work = lists.filter { !$0.isEmpty }
        if work.isEmpty { return [] }
        while work.count > 1 {
            var next: [[T]] = []
            next.reserveCapacity((work.count + 1) / 2)
            var i = 0
            while i + 1 < work.count {
                next.append(merge2(work[i], work[i + 1]))
                i += 2
            }
            if i < work.count { next.append(work[i]) }
            work = next
        }
        return work[0]
    }

    static func merge2<T: FixedWidthInteger>(_ a: [T], _ b: [T]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let x = a[i], y = b[j]
            if x < y { out.append(x); i += 1 } else if y < x { out.append(y); j += 1 } else { out.append(x); i += 1; j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    /// Elements of `a` not in `b`.
    static func subtract<T: FixedWidthInteger>(_ a: [T], _ b: [T]) -> [T] {
        if b.isEmpty { return a }
        var out: [T] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            j = seek(b, x, from: j)
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }

    /// The first index ≥ `from` whose element is ≥ `x` (galloping, then binary search).
    @inline(__always)
    static func seek<T: FixedWidthInteger>(_ l: [T], _ x: T, from: Int) -> Int {
        var lo = from
        if lo >= l.count || l[lo] >= x { return lo }
        var step = 1
        var hi = lo + step
        while hi < l.count && l[hi] < x {
            lo = hi
            step <<= 1
            hi = lo + step
        }
        hi = min(hi, l.count)
        // l[lo] < x, answer in (lo, hi]
        var a = lo + 1, b = hi
        while a < b {
            let m = (a + b) >> 1
            if l[m] < x { a = m + 1 } else { b = m }
        }
        return a
    }
}
