public import SundialCore
import Synchronization

// Cardinality statistics of the head (`/api/v1/status/tsdb`), computed from the postings index
// rather than from series labels, as Prometheus's `MemPostings.Stats` does: the series count of a
// label pair is the length of its postings list, so the whole-head answer costs O(label pairs),
// not O(series × labels).

extension Head {
    /// The statistics of the head series `request` selects (all by default). Whole-head figures
    /// come from the postings lists' lengths; with `match[]` or a time range the selected refs are
    /// resolved on the postings first, and each list is counted against them (a bitmap), or, when
    /// only a few series are selected, their labels are tallied directly.
    ///
    /// Thread-safe. Holds the postings lock while counting (series creation waits that long; see
    /// BENCHMARKS.md for the cost at 1M series), and each selected series' lock briefly when the
    /// request filters (for its time bounds and chunk count). With a time range, `minTime`/`maxTime`
    /// are the selected series' bounds clamped to it, and `chunkCount` counts all their chunks.
    public func cardinalityStats(_ request: StatsRequest) -> StorageStats {
        let headMin = minTime, headMax = maxTime
        // A time range covering the whole head filters nothing.
        var timeRange = request.timeRange
        if let r = timeRange, isEmpty || (r.lowerBound <= headMin && r.upperBound >= headMax) { timeRange = nil }
        if let r = timeRange, !isEmpty, r.upperBound < headMin || r.lowerBound > headMax {
            return ScanAccumulator(request: request).finish()  // nothing in range
        }
        if request.matcherSets.isEmpty && timeRange == nil {
            var s = postings.stats(request, selected: nil)
            s.chunkCount = stats.chunks
            s.minTime = isEmpty ? Int64.max : headMin
            s.maxTime = isEmpty ? Int64.min : headMax
            return s
        }
        // Resolve the selected refs (sorted, distinct).
        var refs: [UInt64]
        if request.matcherSets.isEmpty {
            refs = postings.allRefs()
        } else {
            refs = Postings.merge(request.matcherSets.map { postings.refs(matching: $0) })
        }
        // Time filter, chunk count and bounds from the selected series themselves.
        var chunks = 0
        var minT = Int64.max, maxT = Int64.min
        var kept: [UInt64] = []
        kept.reserveCapacity(refs.count)
        var scratch: [HeadChunk] = []
        for r in refs {
            guard let s = series(SeriesRef(r)) else { continue }
            let keep: Bool = s.state.withLock { st in
                if let tr = timeRange {
                    scratch.removeAll(keepingCapacity: true)
                    st.chunks(overlapping: tr.lowerBound, tr.upperBound, into: &scratch)
                    if scratch.isEmpty { return false }
                }
                chunks += st.chunkCount
                if let lo = st.minTime { minT = Swift.min(minT, lo) }
                if st.maxTime != .min { maxT = Swift.max(maxT, st.maxTime) }
                return true
            }
            if keep { kept.append(r) }
        }
        refs = kept
        var s: StorageStats
        let total = postings.seriesCount
        if refs.count * 16 < total {
            // Few series: tally their labels.
            var acc = ScanAccumulator(request: request)
            for r in refs { if let ms = series(SeriesRef(r)) { acc.add(ms.labels) } }
            s = acc.finish()
        } else {
            s = postings.stats(request, selected: refs)
        }
        s.chunkCount = chunks
        s.minTime = minT
        s.maxTime = maxT
        if let tr = timeRange, !refs.isEmpty {
            // Series bounds clamped to the range (the first sample inside may come a little later).
            s.minTime = Swift.max(minT, tr.lowerBound)
            s.maxTime = Swift.min(maxT, tr.upperBound)
        }
        return s
    }
}

extension HeadPostings {
    /// Statistics over the postings index under its lock. With `selected` (sorted refs) a list
    /// counts only its members of that set; without, its full length.
    /// - Complexity: O(label pairs) without `selected`; O(postings entries) with it.
    func stats(_ request: StatsRequest, selected: [UInt64]?) -> StorageStats {
        let hidden = Set(request.hiddenLabelNames)
        let limit = request.limit
        var metric = TopN(limit: limit), valueCount = TopN(limit: limit), bytes = TopN(limit: limit)
        var pairs = TopN(limit: limit), byName = TopN(limit: limit), focus = TopN(limit: limit)
        let focusLabel = request.focusLabel
        return index.withLock { idx in
            // Membership bitmap of the selected refs, indexed by ref.
            var bits: [UInt64] = []
            if let selected, let maxRef = selected.last {
                bits = [UInt64](repeating: 0, count: Int(maxRef / 64) + 1)
                for r in selected { bits[Int(r / 64)] |= 1 << (r % 64) }
            }
            func count<R: FixedWidthInteger & UnsignedInteger>(_ list: [R]) -> Int {
                guard selected != nil else { return list.count }
                var n = 0
                for r in list {
                    let w = Int(r / 64)
                    if w < bits.count && bits[w] & (1 << (UInt64(r) % 64)) != 0 { n += 1 }
                }
                return n
            }
            // Narrow (32-bit ref) lists, plus the wide ones of the same label pair if any exist.
            let wide = idx.wide.byName
            var names = Array(idx.narrow.byName.keys)
            if !wide.isEmpty { names = Array(Set(names).union(wide.keys)) }
            var numPairs = 0
            for name in names where !hidden.contains(name) {
                var distinct = 0, size = 0, series = 0
                let isMetric = name == Labels.metricName
                let isFocus = name == focusLabel
                let narrowValues = idx.narrow.byName[name] ?? [:]
                let wideValues = wide[name] ?? [:]
                func tally(_ v: String, _ n: Int) {
                    if n == 0 { return }
                    distinct += 1
                    size += v.utf8.count
                    series += n
                    pairs.offer(n) { name + "=" + v }
                    if isMetric { metric.offer(n) { v } }
                    if isFocus { focus.offer(n) { v } }
                }
                if wideValues.isEmpty {
                    for (v, list) in narrowValues { tally(v, count(list)) }
                } else {
                    for v in Set(narrowValues.keys).union(wideValues.keys) {
                        tally(v, count(narrowValues[v] ?? []) + count(wideValues[v] ?? []))
                    }
                }
                if distinct == 0 { continue }
                numPairs += distinct
                valueCount.offer(distinct) { name }
                bytes.offer(size) { name }
                byName.offer(series) { name }
            }
            return StorageStats(
                numSeries: selected?.count ?? idx.count, numLabelPairs: numPairs, chunkCount: 0,
                minTime: Int64.max, maxTime: Int64.min,
                seriesCountByMetricName: metric.entries, labelValueCountByLabelName: valueCount.entries,
                memoryInBytesByLabelName: bytes.entries, seriesCountByLabelValuePair: pairs.entries,
                seriesCountByLabelName: byName.entries,
                seriesCountByFocusLabelValue: focusLabel == nil ? nil : focus.entries)
        }
    }
}
