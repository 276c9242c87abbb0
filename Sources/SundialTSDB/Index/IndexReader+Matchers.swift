import SundialCore

extension IndexReader {
    /// Sorted refs of the series matching every matcher, with Prometheus semantics
    /// (`tsdb/querier.go` `PostingsForMatchers`): a matcher that accepts `""` also selects series
    /// without the label, so it is applied by subtracting the series whose value it rejects;
    /// the others intersect the union of their matching values' postings. No matchers → all series.
    ///
    /// Fast paths: `=` and literal alternations (`a|b|c`) are lookups; a literal regex prefix
    /// narrows the scan to the contiguous run of values with that prefix; only other regexes scan
    /// every value of the label.
    public func postings(for matchers: [LabelMatcher]) throws -> [UInt32] {
        if matchers.isEmpty { return try allPostings() }
        var intersections: [[UInt32]] = []
        var subtractions: [[UInt32]] = []
        for m in matchers {
            if m.matchesEmpty {
                subtractions.append(try postingsUnion(m.name, valueIndices(m, accepted: false)))
            } else {
                let idx = valueIndices(m, accepted: true)
                if idx.isEmpty { return [] }
                intersections.append(try postingsUnion(m.name, idx))
            }
        }
        var result = intersections.isEmpty ? try allPostings() : Postings.intersect(intersections)
        for s in subtractions where !result.isEmpty { result = Postings.subtract(result, s) }
        return result
    }

    func postingsUnion(_ name: String, _ indices: [Int]) throws -> [UInt32] {
        guard let t = values[name], !indices.isEmpty else { return [] }
        if indices.count == 1 { return try postings(at: t.offsets[indices[0]]) }
        var lists: [[UInt32]] = []
        lists.reserveCapacity(indices.count)
        for i in indices { lists.append(try postings(at: t.offsets[i])) }
        return Postings.merge(lists)
    }

    /// Indices (into the sorted values of `m.name`) of values the matcher accepts (`accepted`) or
    /// rejects (`!accepted`), ascending.
    func valueIndices(_ m: LabelMatcher, accepted: Bool) -> [Int] {
        guard let t = values[m.name] else { return [] }
        switch (m.type, accepted) {
        case (.equal, true), (.notEqual, false):
            return IndexReader.find(t.values, m.value).map { [$0] } ?? []
        case (.equal, false), (.notEqual, true):
            let hit = IndexReader.find(t.values, m.value)
            return t.values.indices.filter { $0 != hit }
        case (.regexMatch, true), (.regexNoMatch, false):
            return regexIndices(m, t.values)
        case (.regexMatch, false), (.regexNoMatch, true):
            let hits = regexIndices(m, t.values)
            if hits.isEmpty { return Array(t.values.indices) }
            var out: [Int] = []
            out.reserveCapacity(t.values.count - hits.count)
            var j = 0
            for i in t.values.indices {
                if j < hits.count && hits[j] == i { j += 1; continue }
                out.append(i)
            }
            return out
        }
    }

    /// Ascending indices of values the matcher's regex (fully anchored) matches.
    func regexIndices(_ m: LabelMatcher, _ vals: [String]) -> [Int] {
        if let set = m.literalAlternatives {
            return set.compactMap { IndexReader.find(vals, $0) }.sorted()
        }
        let prefix = m.literalPrefix
        var out: [Int] = []
        if !prefix.isEmpty {
            var i = IndexReader.lowerBound(vals, prefix)
            while i < vals.count && vals[i].utf8.starts(with: prefix.utf8) {
                if m.regex?.fullMatch(vals[i]) ?? false { out.append(i) }
                i += 1
            }
            return out
        }
        for (i, v) in vals.enumerated() where m.regex?.fullMatch(v) ?? false { out.append(i) }
        return out
    }
}
