import SundialCore
import Synchronization

/// The head's inverted index: label name → label value → sorted series refs
/// (Prometheus `index.MemPostings`), plus the list of all refs.
///
/// Memory (issue #6): refs below 2^32 (every ref a head hands out, and every ref of a WAL it
/// wrote) are kept as `UInt32`, half the bytes of a list entry (~3.3 MB less at 100k series of
/// ~6 labels); a ref at or above 2^32 (only a crafted WAL names one) goes to a second index of
/// `UInt64` lists, consulted only while it holds any.
///
/// Thread-safe: one lock, taken when a series is created or removed and when a query resolves
/// matchers; never on the per-sample path. Lists are copy-on-write arrays, so a query copies
/// only references under the lock.
final class HeadPostings: Sendable {
    /// Lists of refs of one width.
    struct Lists<R: FixedWidthInteger & UnsignedInteger> {
        var byName: [String: [String: [R]]] = [:]
        var all: [R] = []

        mutating func add(_ r: R, _ labels: Labels) {
            all.appendSorted(r)
            for l in labels { byName[l.name, default: [:]][l.value, default: []].appendSorted(r) }
        }

        mutating func remove(_ series: [(R, Labels)]) {
            guard !series.isEmpty else { return }
            let dead = Set(series.map { $0.0 })
            all.removeAll { dead.contains($0) }
            for (ref, labels) in series {
                for l in labels {
                    guard var values = byName[l.name], var list = values[l.value] else { continue }
                    if let i = HeadPostings.search(ref, list) { list.remove(at: i) }
                    if list.isEmpty { values[l.value] = nil } else { values[l.value] = list }
                    if values.isEmpty { byName[l.name] = nil } else { byName[l.name] = values }
                }
            }
        }

        /// The lists the matchers select, as copy-on-write references (caller holds the lock);
        /// nil when no series can match. The value maps themselves are not kept past the lock:
        /// holding one would make the next series creation copy the whole map.
        func gather(_ matchers: [LabelMatcher]) -> Gathered<R>? {
            var g = Gathered<R>()
            for m in matchers {
                guard let values = byName[m.name] else {
                    if m.matchesEmpty { continue }
                    return nil
                }
                if m.matchesEmpty {
                    // Series having the label with a non-matching value are excluded.
                    if m.type == .notEqual {
                        if let l = values[m.value] { g.exclude.append(l) }
                    } else {
                        for (v, l) in values where !m.matches(v) { g.exclude.append(l) }
                    }
                } else {
                    var lists: [[R]] = []
                    switch m.type {
                    case .equal:
                        if let l = values[m.value] { lists.append(l) }
                    case .regexMatch where m.literalAlternatives != nil:
                        for v in m.literalAlternatives! { if let l = values[v] { lists.append(l) } }
                    default:
                        for (v, l) in values where m.matches(v) { lists.append(l) }
                    }
                    if lists.isEmpty { return nil }
                    g.include.append((lists, lists.reduce(0) { $0 + $1.count }))
                }
            }
            if g.include.isEmpty { g.all = all }
            return g
        }
    }

    /// What a query gathered under the lock (see ``Lists/gather(_:)``).
    struct Gathered<R: FixedWidthInteger & UnsignedInteger> {
        var include: [(lists: [[R]], total: Int)] = []
        var exclude: [[R]] = []
        var all: [R] = []
    }

    struct Index {
        /// Series with refs below 2^32.
        var narrow = Lists<UInt32>()
        /// Series with refs at or above 2^32 (empty in practice).
        var wide = Lists<UInt64>()

        /// Every ref, ascending.
        var allRefs: [UInt64] { narrow.all.map { UInt64($0) } + wide.all }
        /// Number of series indexed.
        var count: Int { narrow.all.count + wide.all.count }
    }

    let index = Mutex(Index())

    /// Adds `ref` under each of its labels. Refs usually arrive in increasing order (append);
    /// a ref created concurrently may arrive late and is inserted in place.
    func add(_ ref: SeriesRef, _ labels: Labels) {
        let r = ref.rawValue
        index.withLock { idx in
            if let narrow = UInt32(exactly: r) { idx.narrow.add(narrow, labels) } else { idx.wide.add(r, labels) }
        }
    }

    /// Removes the given refs (series dropped by garbage collection).
    func remove(_ series: [(SeriesRef, Labels)]) {
        guard !series.isEmpty else { return }
        var narrow: [(UInt32, Labels)] = []
        var wide: [(UInt64, Labels)] = []
        for (ref, labels) in series {
            if let r = UInt32(exactly: ref.rawValue) { narrow.append((r, labels)) } else { wide.append((ref.rawValue, labels)) }
        }
        index.withLock { idx in
            idx.narrow.remove(narrow)
            idx.wide.remove(wide)
        }
    }

    /// Binary search for `r` in a sorted list.
    static func search<R: FixedWidthInteger>(_ r: R, _ list: [R]) -> Int? {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] == r { return mid }
            if list[mid] < r { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Refs of the series matching every matcher, sorted ascending (Prometheus
    /// `PostingsForMatchers`): a matcher that matches the empty string also selects series
    /// without its label, so it subtracts the series whose value does not match; other matchers
    /// intersect the union of their matching values' lists.
    ///
    /// Lazy like the block index (``IndexReader/postings(for:)``): under the lock only the lists'
    /// references are gathered (copy-on-write, no element is copied); then, without the lock, the
    /// matcher whose lists are shortest in total is merged into the candidate list, and every
    /// other list is only searched (galloping) for the candidates, never merged or copied.
    func refs(matching matchers: [LabelMatcher]) -> [UInt64] {
        let (narrow, wide) = index.withLock { idx in
            (idx.narrow.gather(matchers), idx.wide.all.isEmpty ? nil : idx.wide.gather(matchers))
        }
        var out: [UInt64] = []
        if let narrow {
            let refs = HeadPostings.resolve(narrow)
            out.reserveCapacity(refs.count)
            for r in refs { out.append(UInt64(r)) }
        }
        // Wide refs are all above the narrow ones: appending keeps the order.
        if let wide { out.append(contentsOf: HeadPostings.resolve(wide)) }
        return out
    }

    /// The candidate algebra over gathered lists (no lock held).
    static func resolve<R: FixedWidthInteger & UnsignedInteger>(_ g: Gathered<R>) -> [R] {
        let include = g.include.sorted { $0.total < $1.total }
        var candidates = include.first.map { Postings.merge($0.lists) } ?? g.all
        var marks: [Bool] = []
        for (lists, _) in include.dropFirst() {
            if candidates.isEmpty { return [] }
            marks.removeAll(keepingCapacity: true)
            marks.append(contentsOf: repeatElement(false, count: candidates.count))
            for l in lists { markMembers(l, of: candidates, in: &marks) }
            candidates = keep(candidates, marks, marked: true)
        }
        if !g.exclude.isEmpty && !candidates.isEmpty {
            marks.removeAll(keepingCapacity: true)
            marks.append(contentsOf: repeatElement(false, count: candidates.count))
            for l in g.exclude { markMembers(l, of: candidates, in: &marks) }
            candidates = keep(candidates, marks, marked: false)
        }
        return candidates
    }

    /// Sorted values of label `name` (all series).
    func values(of name: String) -> [String] {
        let vs = index.withLock { idx -> [String] in
            let narrow = idx.narrow.byName[name].map { Array($0.keys) } ?? []
            guard let wide = idx.wide.byName[name] else { return narrow }
            return Array(Set(narrow).union(wide.keys))
        }
        return vs.sorted(by: byteOrderLess)
    }

    /// Sorted label names (all series).
    func names() -> [String] {
        index.withLock { idx in
            idx.wide.byName.isEmpty ? Array(idx.narrow.byName.keys) : Array(Set(idx.narrow.byName.keys).union(idx.wide.byName.keys))
        }.sorted(by: byteOrderLess)
    }

    /// Every ref, ascending.
    func allRefs() -> [UInt64] { index.withLock { $0.allRefs } }

    /// Number of series indexed.
    var seriesCount: Int { index.withLock { $0.count } }

    // MARK: - Sorted list algebra

    /// Sets `marks[i]` for every `candidates[i]` that `list` contains (both sorted), walking the
    /// shorter and galloping through the longer.
    static func markMembers<R: FixedWidthInteger>(_ list: [R], of candidates: [R], in marks: inout [Bool]) {
        if list.isEmpty || candidates.isEmpty { return }
        if candidates.count <= list.count {
            var j = 0
            for i in candidates.indices {
                j = Postings.seek(list, candidates[i], from: j)
                if j == list.count { return }
                if list[j] == candidates[i] { marks[i] = true; j += 1 }
            }
        } else {
            var i = 0
            for x in list {
                i = Postings.seek(candidates, x, from: i)
                if i == candidates.count { return }
                if candidates[i] == x { marks[i] = true; i += 1 }
            }
        }
    }

    /// The elements of `list` whose mark equals `marked`.
    static func keep<R>(_ list: [R], _ marks: [Bool], marked: Bool) -> [R] {
        var out: [R] = []
        out.reserveCapacity(list.count)
        for i in list.indices where marks[i] == marked { out.append(list[i]) }
        return out
    }
}

extension Array where Element: FixedWidthInteger {
    /// Appends `r` keeping the array sorted (fast path: `r` is the largest).
    mutating func appendSorted(_ r: Element) {
        if let last, last >= r {
            var lo = 0, hi = count
            while lo < hi {
                let mid = (lo + hi) / 2
                if self[mid] < r { lo = mid + 1 } else { hi = mid }
            }
            if lo < count && self[lo] == r { return }
            insert(r, at: lo)
        } else {
            append(r)
        }
    }
}
