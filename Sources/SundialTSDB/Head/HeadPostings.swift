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
    func refs(matching matchers: [LabelMatcher]) -> [UInt64] {
        index.withLock { idx in
            var intersect: [[UInt64]] = []
            var subtract: [[UInt64]] = []
            for m in matchers {
                let values = idx.byName[m.name] ?? [:]
                if m.matchesEmpty {
                    // Series having the label with a non-matching value are excluded.
                    var lists: [[UInt64]] = []
                    if m.type == .notEqual {
                        if let l = values[m.value] { lists.append(l) }
                    } else {
                        for (v, l) in values where !m.matches(v) { lists.append(l) }
                    }
                    if !lists.isEmpty { subtract.append(HeadPostings.union(lists)) }
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
                    if lists.isEmpty { return [] }
                    intersect.append(HeadPostings.union(lists))
                }
            }
            var result: [UInt64]
            if intersect.isEmpty {
                result = idx.all
            } else {
                intersect.sort { $0.count < $1.count }
                result = intersect[0]
                for l in intersect.dropFirst() {
                    result = HeadPostings.intersection(result, l)
                    if result.isEmpty { return [] }
                }
            }
            for s in subtract { result = HeadPostings.difference(result, s) }
            return result
        }
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

    static func union(_ lists: [[UInt64]]) -> [UInt64] {
        if lists.count == 1 { return lists[0] }
        var out: [UInt64] = []
        out.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for l in lists { out.append(contentsOf: l) }
        out.sort()
        var w = 0
        for i in out.indices where i == 0 || out[i] != out[i - 1] {
            out[w] = out[i]
            w += 1
        }
        out.removeSubrange(w...)
        return out
    }

    static func intersection(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out: [UInt64] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i])
                i += 1
                j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    static func difference(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
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
