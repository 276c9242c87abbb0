import Synchronization
import SundialCore
import SundialEncoding

/// Remembers, across requests, the validated ``Labels`` and storage ``SeriesRef`` of each series
/// by the exact bytes of its labels in the request, so a series seen before costs one hash and one
/// byte comparison: no string is built, no label re-validated, and storage gets the ref hint.
///
/// Shared by all pooled decoders of one ``RemoteWriteIngester`` (one copy of each series' labels,
/// shared with storage, rather than one per decoder). Thread-safe: one `Mutex`, taken once per
/// request to resolve all its series and once to store the refs storage returned.
///
/// Bounded: when it exceeds ``RemoteWriteOptions/seriesCacheEntries`` entries or its interner
/// exceeds its limits, it is cleared (and its generation advances so stale ref write-backs are
/// ignored).
final class SeriesCache: Sendable {
    struct State {
        var table = ByteSpanKeyTable()
        var labels: [Labels] = []
        var refs: [SeriesRef] = []
        /// ``SeriesLimiter/key(_:)`` per slot (only when a series limit is set).
        var keys: [UInt64] = []
        var interner = ByteStringInterner()
        var generation: UInt64 = 0
    }

    let state = Mutex(State())
    let options: RemoteWriteOptions

    init(options: RemoteWriteOptions) { self.options = options }

    /// Resolves the labels of every series of the decoded request `view` into `res`: cached
    /// entries directly, others validated (and cached when valid). Returns the cache generation
    /// the slots belong to.
    func resolve(_ view: RemoteWriteParser, into res: inout Resolution) -> UInt64 {
        let n = view.request.series.count
        res.prepare(count: n)
        let useCache = options.seriesCacheEntries > 0
        let wantKeys = options.limits.limitsSeries
        let opts = options
        let body = view.body
        let spans = view.request.labelSpans
        let series = view.request.series
        return state.withLock { st in
            if st.table.count > opts.seriesCacheEntries
                || st.interner.count > opts.maxInternedStrings || st.interner.arenaBytes > opts.maxInternedBytes
            {
                st.table.removeAll()
                st.labels.removeAll()
                st.refs.removeAll()
                st.keys.removeAll()
                st.interner.removeAll()
                st.generation &+= 1
            }
            for i in 0..<n {
                let s = series[i]
                let firstPair = Int(s.labelStart) * 2, pairCount = Int(s.labelCount) * 2
                var h: UInt64 = 0
                if useCache {
                    h = ByteSpanKeyTable.hash(body, spans: spans, firstPair: firstPair, pairCount: pairCount)
                    if let slot = st.table.find(body, spans: spans, firstPair: firstPair, pairCount: pairCount, hash: h) {
                        res.labels[i] = st.labels[slot]
                        res.refs[i] = st.refs[slot]
                        res.slots[i] = Int32(truncatingIfNeeded: slot)
                        if wantKeys { res.keys[i] = st.keys[slot] }
                        continue
                    }
                }
                switch view.buildLabels(series: i, interner: &st.interner, options: opts) {
                case .success(let labels):
                    res.labels[i] = labels
                    let key = wantKeys ? SeriesLimiter.key(labels) : 0
                    res.keys[i] = key
                    if useCache {
                        let slot = st.table.insert(body, spans: spans, firstPair: firstPair, pairCount: pairCount, hash: h)
                        st.labels.append(labels)
                        st.refs.append(.none)
                        if wantKeys { st.keys.append(key) }
                        res.slots[i] = Int32(truncatingIfNeeded: slot)
                    }
                case .failure(let rejection):
                    res.labels[i] = nil
                    res.rejections[i] = rejection
                }
            }
            return st.generation
        }
    }

    /// Stores the refs storage returned for cached series (ignored if the cache was cleared since).
    func storeRefs(_ res: Resolution, generation: UInt64) {
        guard options.seriesCacheEntries > 0 else { return }
        state.withLock { st in
            guard st.generation == generation else { return }
            for i in res.slots.indices {
                let slot = Int(res.slots[i])
                if slot >= 0 && slot < st.refs.count && st.refs[slot] != res.refs[i] {
                    st.refs[slot] = res.refs[i]
                }
            }
        }
    }

    /// Number of cached series (tests, stats).
    var count: Int { state.withLock { $0.labels.count } }
}
