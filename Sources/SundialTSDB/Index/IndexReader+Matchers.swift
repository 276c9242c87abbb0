import SundialCore
import SundialEncoding

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
        // Resolve every matcher to the postings offsets of its values; no list is read yet.
        var include: [[Int]] = []  // per matcher not accepting "": offsets of the values it accepts
        var exclude: [Int] = []    // offsets of values rejected by matchers accepting ""
        for m in matchers {
            guard let t = values[m.name] else {
                if m.matchesEmpty { continue }  // no series has the label: all pass this matcher
                return []
            }
            if m.matchesEmpty {
                for i in valueIndices(m, accepted: false) { exclude.append(t.offsets[i]) }
            } else {
                let idx = valueIndices(m, accepted: true)
                if idx.isEmpty { return [] }
                include.append(idx.map { t.offsets[$0] })
            }
        }
        let checks = postingsChecks, all = allPostingsOffset
        do {
            return try bytes.with { raw throws(DecodeError) in
                try IndexReader.resolve(raw, include: include, exclude: exclude, all: all, checks: checks)
            }
        } catch {
            throw BlockError.corrupt(path, error)
        }
    }

    /// The lazy evaluation behind ``postings(for:)`` (Prometheus `PostingsForMatchers` with
    /// `Intersect`/`Merge`/`Without` iterators over `bigEndianPostings`, done here as marking
    /// passes): the matcher whose values' lists are shortest in total is decoded (its lists merged)
    /// and becomes the candidate list; every other matcher keeps the candidates that one of its
    /// lists contains, and the excluding matchers drop the candidates one of theirs contains, each
    /// list searched in place in the mapping with galloping search. So only the shortest list set
    /// is ever materialised, and a long list costs O(candidates · log) reads, not a full decode.
    static func resolve(_ raw: UnsafeRawBufferPointer, include: [[Int]], exclude: [Int], all: Int?,
                        checks: PostingsChecks) throws(DecodeError) -> [UInt32] {
        var groups: [(spans: [PostingsSpan], total: Int)] = []
        groups.reserveCapacity(include.count)
        for offsets in include {
            var spans: [PostingsSpan] = []
            spans.reserveCapacity(offsets.count)
            var total = 0
            for o in offsets {
                let s = try checks.locate(raw, at: o)
                spans.append(s)
                total += s.count
            }
            groups.append((spans, total))
        }
        groups.sort { $0.total < $1.total }
        var candidates: [UInt32]
        if let first = groups.first {
            candidates = try union(raw, first.spans)
        } else {
            guard let all else { return [] }
            candidates = []
            try PostingsFormat.decode(raw, try checks.locate(raw, at: all), into: &candidates)
        }
        var marks: [Bool] = []
        for g in groups.dropFirst() {
            if candidates.isEmpty { return [] }
            marks.removeAll(keepingCapacity: true)
            marks.append(contentsOf: repeatElement(false, count: candidates.count))
            for s in g.spans { PostingsFormat.markMembers(raw, s, of: candidates, in: &marks) }
            candidates = keep(candidates, marks, marked: true)
        }
        if !exclude.isEmpty && !candidates.isEmpty {
            marks.removeAll(keepingCapacity: true)
            marks.append(contentsOf: repeatElement(false, count: candidates.count))
            for o in exclude { PostingsFormat.markMembers(raw, try checks.locate(raw, at: o), of: candidates, in: &marks) }
            candidates = keep(candidates, marks, marked: false)
        }
        return candidates
    }

    /// The sorted union of the lists (decoded, then merged pairwise).
    static func union(_ raw: UnsafeRawBufferPointer, _ spans: [PostingsSpan]) throws(DecodeError) -> [UInt32] {
        if spans.count == 1 {
            var out: [UInt32] = []
            try PostingsFormat.decode(raw, spans[0], into: &out)
            return out
        }
        var lists: [[UInt32]] = []
        lists.reserveCapacity(spans.count)
        for s in spans {
            var l: [UInt32] = []
            try PostingsFormat.decode(raw, s, into: &l)
            lists.append(l)
        }
        return Postings.merge(lists)
    }

    /// The elements of `list` whose mark equals `marked`.
    static func keep(_ list: [UInt32], _ marks: [Bool], marked: Bool) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(list.count)
        for i in list.indices where marks[i] == marked { out.append(list[i]) }
        return out
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
