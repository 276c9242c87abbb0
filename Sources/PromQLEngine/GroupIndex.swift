import SundialCore

/// Finds the aggregation group of a series (`by`/`without` grouping, as
/// ``Evaluator/groupingKey(_:_:without:)`` defines it) without building the group's key when the
/// group exists: the grouped labels are hashed in place and compared with the stored keys, so a
/// fold over many series allocates only once per group instead of once per series.
/// Not thread-safe (one per aggregation).
struct GroupIndex {
    let grouping: [String]
    let without: Bool
    /// Group keys in creation order (group `g` is `keys[g]`).
    private(set) var keys: [Labels] = []
    /// Groups by the hash of their grouped labels (a list only on a hash collision).
    private var byHash: [Int: [Int]] = [:]

    init(grouping: [String], without: Bool) {
        self.grouping = grouping
        self.without = without
    }

    /// Whether label `name` is part of the group key.
    @inline(__always)
    private func groups(_ name: String) -> Bool {
        without ? (name != Labels.metricName && !grouping.contains(name)) : grouping.contains(name)
    }

    /// The group of a series with labels `l` and whether this call created it.
    mutating func group(of l: Labels) -> (group: Int, created: Bool) {
        if !without && grouping.isEmpty {
            // One group for everything (`sum(x)`).
            if keys.isEmpty { keys.append(Labels()); return (0, true) }
            return (0, false)
        }
        var h = Hasher()
        for x in l where groups(x.name) {
            h.combine(x.name)
            h.combine(x.value)
        }
        let hash = h.finalize()
        if let candidates = byHash[hash] {
            for g in candidates where matches(l, keys[g]) { return (g, false) }
        }
        let g = keys.count
        keys.append(Evaluator.groupingKey(l, grouping, without: without))
        byHash[hash, default: []].append(g)
        return (g, true)
    }

    /// True when the grouped labels of `l` are exactly `key` (both sorted by name).
    private func matches(_ l: Labels, _ key: Labels) -> Bool {
        var k = 0
        for x in l where groups(x.name) {
            guard k < key.count, key[k].name == x.name, key[k].value == x.value else { return false }
            k += 1
        }
        return k == key.count
    }
}
