import Synchronization
import SundialCore
import SundialEncoding

/// Remembers, across requests, the validated ``Labels`` and storage ``SeriesRef`` of each series,
/// found by a 128-bit hash of the exact bytes of its labels in the request, so a series seen before
/// costs one hash and two cache lines (its index slot and its entry): no string is built or
/// compared, no label re-validated, and its samples go to storage by ref alone
/// (``Appender/append(ref:timestamp:value:)``) without even retaining its labels.
///
/// Why equal 128-bit hashes may stand for equal label bytes (instead of comparing them, which
/// touched every label's storage: ~1/4 of the request path's cache misses at 100k series):
/// - Accidental collisions: a series is cached only after its request bytes were validated and
///   checked to map one to one onto its ``Labels`` (`verify` at insertion), so a hit is wrong only
///   if two different label byte strings give the same 128 bits. Modelling the hash as random,
///   among n cached series the chance that any two collide is about n²/2¹²⁹: 1.5·10⁻²⁷ for a
///   million series (and the cache is cleared past ``RemoteWriteOptions/seriesCacheEntries``).
///   Even taking only the independent high lane (a wyhash-style multiply-fold, 64 bits), it is
///   n²/2⁶⁵ ≈ 3·10⁻⁸ per million-series cache lifetime.
/// - Crafted collisions (the hash is not keyed): the cache belongs to one
///   ``RemoteWriteIngester``, i.e. one tenant; a writer who forged a collision could only send
///   samples to another series of its own tenant that already exists — which it can do
///   directly by sending that series' labels. It cannot create a series, skip validation for a
///   new label set, cross tenants or escape the series limits.
///
/// Memory: the cached ``Labels`` are the instances handed to storage (whose label interner keeps
/// them), so a series costs the cache only its ``Entry`` (32 bytes) and 11–21 bytes of
/// ``SeriesHashIndex`` — no copy of the key bytes. A series is cached only when its request
/// labels map one to one onto its ``Labels`` (sorted, no empty values, no label named like
/// ``RemoteWriteOptions/injectedLabel``), which is what verification can check exactly; others
/// are validated at every request, as without a cache.
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
        var index = SeriesHashIndex()
        /// Labels, storage ref and key hash per entry, side by side (one cache line per hit).
        var entries: [Entry] = []
        /// ``SeriesLimiter/key(_:)`` per entry (only when a series limit is set).
        var keys: [UInt64] = []
        var interner = ByteStringInterner()
        var generation: UInt64 = 0

        /// The entry whose 128-bit key hash is (`hash`, `high`), or nil (see the type's comment
        /// for why equal hashes stand for equal keys).
        @inline(__always)
        func lookup(_ hash: UInt64, _ high: UInt64) -> Int? {
            index.find(hash) { e in entries[e].hash == hash && entries[e].hashHigh == high }
        }
    }

    /// What the cache remembers of one series.
    struct Entry {
        var labels: Labels
        var ref: SeriesRef
        /// ``ByteSpans/hash128(_:spans:firstPair:pairCount:)`` of the request's label
        /// bytes: its low half (which places the entry in the index) and its high half.
        var hash: UInt64
        var hashHigh: UInt64
    }

    let state = Mutex(State())
    let options: RemoteWriteOptions

    init(options: RemoteWriteOptions) { self.options = options }

    /// Whether the request labels of a series (span pairs `firstPair ..< firstPair + pairCount`
    /// of `body`: name, value, name, value, ...) are exactly `labels` without the label at
    /// `injectedAt` (-1: none), in order. When true, validating them again would give `labels`.
    /// Iterates the labels in place (borrowed: no retain per string).
    @inline(__always)
    static func verify(_ labels: Labels, injectedAt: Int32, _ body: [UInt8], _ spans: [Int32],
                       firstPair: Int, pairCount: Int) -> Bool {
        let skip = Int(injectedAt)
        guard (labels.count - (skip >= 0 ? 1 : 0)) * 2 == pairCount else { return false }
        var p = firstPair * 2
        var li = 0
        for label in labels.labels {
            defer { li += 1 }
            if li == skip { continue }
            guard ByteSpans.span(body, start: Int(spans[p]), count: Int(spans[p + 1]), equals: label.name),
                ByteSpans.span(body, start: Int(spans[p + 2]), count: Int(spans[p + 3]), equals: label.value)
            else { return false }
            p += 4
        }
        return true
    }

    /// Resolves the labels of every series of the decoded request `view` into `res`: cached
    /// entries directly, others validated (and cached when valid). Returns the cache generation
    /// the slots belong to.
    /// - Parameter handOutLabels: give cache hits their labels even when storage could take their
    ///   samples by ref alone (for storage without ``Appender/append(ref:timestamp:value:)``).
    func resolve(_ view: RemoteWriteParser, into res: inout Resolution, handOutLabels: Bool = false) -> UInt64 {
        let n = view.request.series.count
        res.prepare(count: n)
        let useCache = options.seriesCacheEntries > 0
        let wantKeys = options.limits.limitsSeries
        let opts = options
        let injectedName = options.injectedLabel?.name
        let body = view.body
        let spans = view.request.labelSpans
        let series = view.request.series
        if useCache {
            // Outside the lock: every key's hash (reads only the request's own bytes).
            res.firstPairs.removeAll(keepingCapacity: true)
            res.pairCounts.removeAll(keepingCapacity: true)
            res.hashes.removeAll(keepingCapacity: true)
            res.hashesHigh.removeAll(keepingCapacity: true)
            for i in 0..<n {
                let s = series[i]
                let firstPair = Int(s.labelStart) * 2, pairCount = Int(s.labelCount) * 2
                res.firstPairs.append(Int32(truncatingIfNeeded: firstPair))
                res.pairCounts.append(Int32(truncatingIfNeeded: pairCount))
                let h = ByteSpans.hash128(body, spans: spans, firstPair: firstPair, pairCount: pairCount)
                res.hashes.append(h.low)
                res.hashesHigh.append(h.high)
            }
        }
        return state.withLock { st in
            if st.entries.count > opts.seriesCacheEntries
                || st.interner.count > opts.maxInternedStrings || st.interner.arenaBytes > opts.maxInternedBytes
            {
                st.index.removeAll()
                st.entries.removeAll()
                st.keys.removeAll()
                st.interner.removeAll()
                st.generation &+= 1
            }
            if useCache {
                // Loads issued in tight passes before any comparison, so their cache misses
                // overlap (the series of a request are typically each seen once per scrape
                // round: cold in the CPU caches): every home slot, then the entry a matching tag
                // points to (and its label storage only when the labels will be handed out).
                res.scratch.removeAll(keepingCapacity: true)
                for i in 0..<n { res.scratch.append(st.index.homeWord(res.hashes[i])) }
                var touched: UInt64 = 0
                for i in 0..<n {
                    let w = res.scratch[i]
                    if w != 0 && w >> 32 == res.hashes[i] >> 32 {
                        let e = Int(UInt32(truncatingIfNeeded: w)) - 1
                        touched &+= st.entries[e].hashHigh
                        if wantKeys { touched &+= UInt64(st.entries[e].labels.labels.count) }
                    }
                }
                res.touched = Int(truncatingIfNeeded: touched)
            }
            for i in 0..<n {
                var h: UInt64 = 0, firstPair = 0, pairCount = 0
                if useCache {
                    h = res.hashes[i]
                    firstPair = Int(res.firstPairs[i])
                    pairCount = Int(res.pairCounts[i])
                    // A series repeated within the request was inserted by its first occurrence.
                    if let found = st.lookup(h, res.hashesHigh[i]) {
                        let ref = st.entries[found].ref
                        // Labels only where something reads them: the series limits, 2.0
                        // metadata, histograms, or no ref yet. Floats go to storage by ref.
                        let s = series[i]
                        if handOutLabels || wantKeys || ref == .none || s.metadata.present || s.histogramCount > 0 {
                            res.labels[i] = st.entries[found].labels
                        }
                        res.refs[i] = ref
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
                    guard useCache else { continue }
                    var injectedAt: Int32 = -1
                    if let injectedName, let at = labels.labels.firstIndex(where: { $0.name == injectedName }) {
                        injectedAt = Int32(truncatingIfNeeded: at)
                    }
                    // Only labels that verification recognises exactly are cached.
                    guard Self.verify(labels, injectedAt: injectedAt, body, spans, firstPair: firstPair, pairCount: pairCount)
                    else { continue }
                    let e = st.entries.count
                    st.entries.append(Entry(labels: labels, ref: .none, hash: h, hashHigh: res.hashesHigh[i]))
                    if wantKeys { st.keys.append(key) }
                    let entries = st.entries
                    st.index.insert(h, entry: e) { entries[$0].hash }
                    res.slots[i] = Int32(truncatingIfNeeded: e)
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

    /// The labels of the entry at `slot` if the cache is still at `generation` (not cleared since
    /// ``resolve(_:into:)`` returned it), else nil.
    func labels(slot: Int, generation: UInt64) -> Labels? {
        state.withLock { st in
            guard st.generation == generation, slot >= 0, slot < st.entries.count else { return nil }
            return st.entries[slot].labels
        }
    }

    /// Number of cached series (tests, stats).
    var count: Int { state.withLock { $0.entries.count } }
}
