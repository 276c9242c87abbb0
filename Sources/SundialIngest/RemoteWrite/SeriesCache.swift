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
/// or key arena exceed their limits, it is cleared (and its generation advances so stale ref write-backs are
/// ignored).
final class SeriesCache: Sendable {
    struct State {
        var table = ByteSpanKeyTable()
        /// Labels and storage ref per slot, side by side (one cache line per hit, not two).
        var entries: [Entry] = []
        /// ``SeriesLimiter/key(_:)`` per slot (only when a series limit is set).
        var keys: [UInt64] = []
        var interner = ByteStringInterner()
        var generation: UInt64 = 0
    }

    /// What the cache remembers of one series.
    struct Entry {
        var labels: Labels
        var ref: SeriesRef
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
        if useCache {
            // Outside the lock: every key's hash (reads only the request's own bytes).
            res.firstPairs.removeAll(keepingCapacity: true)
            res.pairCounts.removeAll(keepingCapacity: true)
            res.hashes.removeAll(keepingCapacity: true)
            for i in 0..<n {
                let s = series[i]
                let firstPair = Int(s.labelStart) * 2, pairCount = Int(s.labelCount) * 2
                res.firstPairs.append(Int32(truncatingIfNeeded: firstPair))
                res.pairCounts.append(Int32(truncatingIfNeeded: pairCount))
                res.hashes.append(ByteSpanKeyTable.hash(body, spans: spans, firstPair: firstPair, pairCount: pairCount))
            }
        }
        return state.withLock { st in
            if st.table.count > opts.seriesCacheEntries
                || st.interner.count > opts.maxInternedStrings || st.interner.arenaBytes > opts.maxInternedBytes
                || st.table.arenaBytes > ByteSpanKeyTable.maxArenaBytes / 2
            {
                st.table.removeAll()
                st.entries.removeAll()
                st.keys.removeAll()
                st.interner.removeAll()
                st.generation &+= 1
            }
            if useCache {
                // All lookups first, in passes whose cache misses overlap (the series of a
                // request are typically each seen once per scrape round: cold in the CPU caches).
                st.table.findAll(body, spans: spans, firstPairs: res.firstPairs, pairCounts: res.pairCounts,
                                 hashes: res.hashes, into: &res.slots, scratch: &res.scratch)
                // The refs of the hits (independent loads), and a read of each hit's label
                // storage so the retain below finds it in the cache.
                var touched = 0
                for i in 0..<n {
                    let slot = Int(res.slots[i])
                    if slot >= 0 {
                        res.refs[i] = st.entries[slot].ref
                        touched &+= st.entries[slot].labels.labels.count
                    }
                }
                res.touched = touched
            }
            for i in 0..<n {
                let slot = Int(res.slots[i])
                if slot >= 0 {
                    res.labels[i] = st.entries[slot].labels
                    if wantKeys { res.keys[i] = st.keys[slot] }
                    continue
                }
                var h: UInt64 = 0, firstPair = 0, pairCount = 0
                if useCache {
                    h = res.hashes[i]
                    firstPair = Int(res.firstPairs[i])
                    pairCount = Int(res.pairCounts[i])
                    // A series repeated within the request was inserted by its first occurrence.
                    if let found = st.table.find(body, spans: spans, firstPair: firstPair, pairCount: pairCount, hash: h) {
                        res.labels[i] = st.entries[found].labels
                        res.refs[i] = st.entries[found].ref
                        res.slots[i] = Int32(truncatingIfNeeded: found)
                        if wantKeys { res.keys[i] = st.keys[found] }
                        continue
                    }
                }
                switch view.buildLabels(series: i, interner: &st.interner, options: opts) {
                case .success(let labels):
                    res.labels[i] = labels
                    let key = wantKeys ? SeriesLimiter.key(labels) : 0
                    res.keys[i] = key
                    if useCache,
                        let slot = st.table.insert(body, spans: spans, firstPair: firstPair, pairCount: pairCount, hash: h)
                    {
                        st.entries.append(Entry(labels: labels, ref: .none))
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
                if slot >= 0 && slot < st.entries.count && st.entries[slot].ref != res.refs[i] {
                    st.entries[slot].ref = res.refs[i]
                }
            }
        }
    }

    /// Number of cached series (tests, stats).
    var count: Int { state.withLock { $0.entries.count } }
}
