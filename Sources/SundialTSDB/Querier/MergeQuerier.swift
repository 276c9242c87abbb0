import SundialCore

/// A ``Querier`` over several queriers (blocks and the head), as Prometheus's merge querier:
/// series with the same labels from different parts become one series whose samples are merged
/// in time order, identical timestamps kept once (the first part listed wins). Results are always
/// label-sorted. `Sendable`; closing closes every part.
public struct MergeQuerier: Querier {
    public let parts: [any Querier]

    /// - Parameter parts: ordered by priority for duplicate timestamps (e.g. blocks oldest first, head last).
    public init(_ parts: [any Querier]) { self.parts = parts }

    public func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        if parts.count == 1 { return try parts[0].select(sorted: sorted, hints: hints, matchers: matchers) }
        var lists: [[any StorageSeries]] = []
        for p in parts {
            var l = try p.select(sorted: true, hints: hints, matchers: matchers)
            if !isSorted(l) { l.sort { $0.labels < $1.labels } }
            if !l.isEmpty { lists.append(l) }
        }
        if lists.count <= 1 { return lists.first ?? [] }
        // k-way merge by labels; k is small (blocks + head), so a linear minimum is fine.
        var idx = [Int](repeating: 0, count: lists.count)
        var out: [any StorageSeries] = []
        out.reserveCapacity(lists.map(\.count).max() ?? 0)
        while true {
            var best: Labels?
            for (k, l) in lists.enumerated() where idx[k] < l.count {
                let ls = l[idx[k]].labels
                if best == nil || ls < best! { best = ls }
            }
            guard let labels = best else { break }
            var same: [any StorageSeries] = []
            for k in lists.indices where idx[k] < lists[k].count && lists[k][idx[k]].labels == labels {
                same.append(lists[k][idx[k]])
                idx[k] += 1
            }
            out.append(same.count == 1 ? same[0] : MergedSeries(labels: labels, parts: same))
        }
        return out
    }

    func isSorted(_ l: [any StorageSeries]) -> Bool {
        for i in l.indices.dropFirst() where !(l[i - 1].labels < l[i].labels) { return false }
        return true
    }

    public func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
        var set = Set<String>()
        for p in parts { set.formUnion(try p.labelValues(name: name, matchers: matchers)) }
        return set.sorted(by: byteOrderLess)
    }

    public func labelNames(matchers: [LabelMatcher]) throws -> [String] {
        var set = Set<String>()
        for p in parts { set.formUnion(try p.labelNames(matchers: matchers)) }
        return set.sorted(by: byteOrderLess)
    }

    public func close() { for p in parts { p.close() } }
}

/// The same series from several parts (overlapping blocks, blocks and head): samples merged by
/// time, duplicate timestamps kept once (earlier part wins).
public struct MergedSeries: StorageSeries {
    public let labels: Labels
    let parts: [any StorageSeries]

    /// Forwards the hint to every part.
    public func prefetchSamples() {
        for p in parts { p.prefetchSamples() }
    }

    public func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
        var merged = SampleBuffer()
        var scratch = SampleBuffer()
        try parts[0].samples(minTime: minTime, maxTime: maxTime, into: &merged)
        for p in parts.dropFirst() {
            scratch.removeAll()
            try p.samples(minTime: minTime, maxTime: maxTime, into: &scratch)
            if scratch.isEmpty { continue }
            merged = MergedSeries.merge(merged, scratch)
        }
        buffer.timestamps.append(contentsOf: merged.timestamps)
        buffer.values.append(contentsOf: merged.values)
    }

    /// Time-ordered union; on equal timestamps `a`'s sample is kept.
    static func merge(_ a: SampleBuffer, _ b: SampleBuffer) -> SampleBuffer {
        if a.isEmpty { return b }
        var out = SampleBuffer()
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a.timestamps[i] < b.timestamps[j]) {
                out.append(a.timestamps[i], a.values[i]); i += 1
            } else if i == a.count || b.timestamps[j] < a.timestamps[i] {
                out.append(b.timestamps[j], b.values[j]); j += 1
            } else {
                out.append(a.timestamps[i], a.values[i]); i += 1; j += 1
            }
        }
        return out
    }
}
