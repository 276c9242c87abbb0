import SundialCore
import Synchronization

/// The head's inverted index: label name → label value → sorted series refs
/// (Prometheus `index.MemPostings`), plus the list of all refs.
///
/// Thread-safe: one lock, taken when a series is created or removed and when a query resolves
/// matchers; never on the per-sample path. Lists are copy-on-write arrays, so a query copies
/// only references under the lock.
final class HeadPostings: Sendable {
    struct Index {
        var byName: [String: [String: [UInt64]]] = [:]
        var all: [UInt64] = []
    }

    let index = Mutex(Index())

    /// Adds `ref` under each of its labels. Refs usually arrive in increasing order (append);
    /// a ref created concurrently may arrive late and is inserted in place.
    func add(_ ref: SeriesRef, _ labels: Labels) {
        let r = ref.rawValue
        index.withLock { idx in
            HeadPostings.insertSorted(r, into: &idx.all)
            for l in labels {
                idx.byName[l.name, default: [:]][l.value, default: []].appendSorted(r)
            }
        }
    }

    /// Removes the given refs (series dropped by garbage collection).
    func remove(_ series: [(SeriesRef, Labels)]) {
        guard !series.isEmpty else { return }
        index.withLock { idx in
            let dead = Set(series.map { $0.0.rawValue })
            idx.all.removeAll { dead.contains($0) }
            for (ref, labels) in series {
                for l in labels {
                    guard var values = idx.byName[l.name], var list = values[l.value] else { continue }
                    if let i = HeadPostings.search(ref.rawValue, list) { list.remove(at: i) }
                    if list.isEmpty { values[l.value] = nil } else { values[l.value] = list }
                    if values.isEmpty { idx.byName[l.name] = nil } else { idx.byName[l.name] = values }
                }
            }
        }
    }

    static func insertSorted(_ r: UInt64, into list: inout [UInt64]) { list.appendSorted(r) }

    /// Binary search for `r` in a sorted list.
    static func search(_ r: UInt64, _ list: [UInt64]) -> Int? {
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
        // Under the lock: the matching values' lists, as copy-on-write references (no element is
        // copied). The value maps themselves are not kept past the lock: holding one would make
        // the next series creation copy the whole map.
        var include: [(lists: [[UInt64]], total: Int)] = []
        var exclude: [[UInt64]] = []
        var all: [UInt64] = []
        let none = index.withLock { idx -> Bool in
            for m in matchers {
                guard let values = idx.byName[m.name] else {
                    if m.matchesEmpty { continue }
                    return true
                }
                if m.matchesEmpty {
                    // Series having the label with a non-matching value are excluded.
                    if m.type == .notEqual {
                        if let l = values[m.value] { exclude.append(l) }
                    } else {
                        for (v, l) in values where !m.matches(v) { exclude.append(l) }
                    }
                } else {
                    var lists: [[UInt64]] = []
                    switch m.type {
                    case .equal:
                        if let l = values[m.value] { lists.append(l) }
                    case .regexMatch where m.literalAlternatives != nil:
                        for v in m.literalAlternatives! { if let l = values[v] { lists.append(l) } }
                    default:
                        for (v, l) in values where m.matches(v) { lists.append(l) }
                    }
                    if lists.isEmpty { return true }
                    include.append((lists, lists.reduce(0) { $0 + $1.count }))
                }
            }
            if include.isEmpty { all = idx.all }
            return false
        }
        if none { return [] }
        include.sort { $0.total < $1.total }
        var candidates = include.first.map { Postings.merge($0.lists) } ?? all
        var marks: [Bool] = []
        for (lists, _) in include.dropFirst() {
            if candidates.isEmpty { return [] }
            marks.removeAll(keepingCapacity: true)
            marks.append(contentsOf: repeatElement(false, count: candidates.count))
            for l in lists { HeadPostings.markMembers(l, of: candidates, in: &marks) }
            candidates = HeadPostings.keep(candidates, marks, marked: true)
        }
        if !exclude.isEmpty && !candidates.isEmpty {
            marks.removeAll(keepingCapacity: true)
            marks.append(contentsOf: repeatElement(false, count: candidates.count))
            for l in exclude { HeadPostings.markMembers(l, of: candidates, in: &marks) }
            candidates = HeadPostings.keep(candidates, marks, marked: false)
        }
        return candidates
    }

    /// Sorted values of label `name` (all series).
    func values(of name: String) -> [String] {
        let vs = index.withLock { idx in idx.byName[name].map { Array($0.keys) } ?? [] }
        return vs.sorted(by: byteOrderLess)
    }

    /// Sorted label names (all series).
    func names() -> [String] {
        index.withLock { Array($0.byName.keys) }.sorted(by: byteOrderLess)
    }

    /// Number of series indexed.
    var seriesCount: Int { index.withLock { $0.all.count } }

    // MARK: - Sorted list algebra

    /// Sets `marks[i]` for every `candidates[i]` that `list` contains (both sorted), walking the
    /// shorter and galloping through the longer.
    static func markMembers(_ list: [UInt64], of candidates: [UInt64], in marks: inout [Bool]) {
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
    static func keep(_ list: [UInt64], _ marks: [Bool], marked: Bool) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(list.count)
        for i in list.indices where marks[i] == marked { out.append(list[i]) }
        return out
    }
}

extension Array where Element == UInt64 {
    /// Appends `r` keeping the array sorted (fast path: `r` is the largest).
    mutating func appendSorted(_ r: UInt64) {
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
