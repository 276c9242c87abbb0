import SundialCore

/// Per series of the current request: its validated labels (nil when refused), the storage ref
/// hint, its series-cache slot (-1 when not cached), and why refused series were refused. Filled by
/// ``SeriesCache/resolve(_:into:)``; owned by a decoder and moved out while in use (no copy).
struct Resolution {
    /// Per series: its validated labels; nil for a refused series (see `rejections`) and for a
    /// series the cache resolved to a ref without handing out its labels (`slots[i] >= 0`,
    /// ``SeriesCache/resolve(_:into:)``), whose samples go to storage by ref alone.
    var labels: [Labels?] = []
    var refs: [SeriesRef] = []
    var slots: [Int32] = []
    var rejections: [Int: LabelRejection] = [:]
    /// Per series: ``SeriesLimiter/key(_:)`` of its labels, filled only when a series limit is set.
    var keys: [UInt64] = []
    /// Series-cache lookup scratch (reused): per series its first span pair, pair count and key hash.
    var firstPairs: [Int32] = []
    var pairCounts: [Int32] = []
    var hashes: [UInt64] = []
    /// Series-cache lookup scratch: the high 64 bits of each key's 128-bit hash
    /// (``ByteSpans/hash128(_:spans:firstPair:pairCount:)``; `hashes` holds the low half).
    var hashesHigh: [UInt64] = []
    /// Series-cache lookup scratch: each series' home slot word (``SeriesHashIndex/homeWord(_:)``).
    var scratch: [UInt64] = []
    /// Sink of the cache-warming reads (kept so they are not optimised away).
    var touched = 0

    /// Sizes the arrays for `count` series (capacity reused).
    mutating func prepare(count: Int) {
        labels.removeAll(keepingCapacity: true)
        refs.removeAll(keepingCapacity: true)
        slots.removeAll(keepingCapacity: true)
        if !rejections.isEmpty { rejections.removeAll(keepingCapacity: true) }
        labels.append(contentsOf: repeatElement(nil, count: count))
        refs.append(contentsOf: repeatElement(.none, count: count))
        slots.append(contentsOf: repeatElement(-1, count: count))
        keys.removeAll(keepingCapacity: true)
        keys.append(contentsOf: repeatElement(0, count: count))
    }
}

extension RemoteWriteDecoder {
    /// A read-only parser value over the current body and decoded request (retains both; no copy).
    var view: RemoteWriteParser {
        RemoteWriteParser(body: body, request: request, refScratch: [], seriesRangeScratch: [])
    }
}
