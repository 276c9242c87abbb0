import SundialCore

/// Prometheus 3's `anchored` and `smoothed` range selectors (experimental "extended range
/// selectors", behind ``Semantics/prometheus3``), as pinned down by the upstream script
/// `extended_vectors.test`:
///
/// - `anchored`: the window `(mint, maxt]` is anchored at its start by the newest sample in
///   `(mint - lookback, mint]`; `increase`/`rate`/`delta` are the plain difference between the last
///   and the anchoring (else first) sample, with counter-reset correction for `increase`/`rate` and
///   no extrapolation; `changes`/`resets` count from the anchor on. An empty window gives nothing.
/// - `smoothed`: the series is a polyline through its samples, flat before the first and after the
///   last; the value at each bound is interpolated between the samples around it (each within the
///   lookback delta). `delta` is `value(maxt) - value(mint)`; `increase`/`rate` add up every
///   segment's share inside the window, where a segment across a counter reset rises by the
///   post-reset value.
///
/// Windows are over samples without stale markers, in time order. Pure functions; thread-safe.
enum ExtendedRange {
    /// The result for one window of an `anchored` selector, or nil for no output sample.
    /// `t`/`v` hold the series' samples from `mint - lookback` to `maxt`.
    static func anchored(_ f: RangeFunction, _ t: [Timestamp], _ v: [Double], mint: Timestamp, maxt: Timestamp,
                         lookback: Int64, rangeSeconds: Double) -> Double? {
        // First sample inside the window and one past the last.
        var lo = 0
        while lo < t.count && t[lo] <= mint { lo += 1 }
        var hi = lo
        while hi < t.count && t[hi] <= maxt { hi += 1 }
        guard hi > lo else { return nil }
        let start = lo > 0 && t[lo - 1] > mint - lookback ? lo - 1 : lo
        switch f {
        case .increase, .rate:
            var r = v[hi - 1] - v[start]
            for k in (start + 1)..<max(start + 1, hi) where v[k] < v[k - 1] { r += v[k - 1] }
            return f == .rate ? r / rangeSeconds : r
        case .delta:
            return v[hi - 1] - v[start]
        case .changes, .resets:
            var r = 0.0
            for k in (start + 1)..<max(start + 1, hi) {
                let cur = v[k], prev = v[k - 1]
                if f == .resets {
                    if cur < prev { r += 1 }
                } else if cur != prev && !(cur.isNaN && prev.isNaN) {
                    r += 1
                }
            }
            return r
        default:
            return nil
        }
    }

    /// The result for one window of a `smoothed` selector, or nil for no output sample (no sample
    /// within the lookback delta of the window). `t`/`v` hold the series' samples from
    /// `mint - lookback` to `maxt + lookback`.
    static func smoothed(_ f: RangeFunction, _ t: [Timestamp], _ v: [Double], mint: Timestamp, maxt: Timestamp,
                         lookback: Int64, rangeSeconds: Double) -> Double? {
        guard let (first, last) = smoothedBounds(t, mint: mint, maxt: maxt, lookback: lookback) else { return nil }
        switch f {
        case .delta:
            return value(t, v, first, last, at: maxt) - value(t, v, first, last, at: mint)
        case .increase, .rate:
            var r = 0.0
            for k in (first + 1)..<max(first + 1, last + 1) {
                let a = t[k - 1], b = t[k]
                let lo = max(a, mint), hi = min(b, maxt)
                guard hi > lo, b > a else { continue }
                let rise = v[k] < v[k - 1] ? v[k] : v[k] - v[k - 1]
                r += rise * Double(hi - lo) / Double(b - a)
            }
            return f == .rate ? r / rangeSeconds : r
        default:
            return nil
        }
    }

    /// The samples that shape a `smoothed` window (floats and histograms alike): from the newest
    /// at or before `mint` (within the lookback) to the oldest after `maxt` (within the lookback),
    /// as indices into `t`; nil when all data lies before the window or all after it.
    static func smoothedBounds(_ t: [Timestamp], mint: Timestamp, maxt: Timestamp, lookback: Int64)
        -> (first: Int, last: Int)?
    {
        var first = 0
        while first < t.count && t[first] <= mint - lookback { first += 1 }
        while first + 1 < t.count && t[first + 1] <= mint { first += 1 }
        var last = first
        while last < t.count && t[last] <= maxt { last += 1 }
        if last < t.count && t[last] > maxt + lookback { last -= 1 }
        if last == t.count { last -= 1 }
        guard first < t.count, last >= first, t[last] > mint, t[first] <= maxt else { return nil }
        return (first, last)
    }

    /// A `smoothed` instant selector at `ref`: the value interpolated between the newest sample at
    /// or before `ref` and the next one (each within the lookback delta), the newest alone when
    /// none follows; nil without a sample at or before `ref`. `from` is the search start (samples
    /// before it are older than the lookback window); returns the next search start too.
    static func smoothedValue(_ t: [Timestamp], _ v: [Double], at ref: Timestamp, lookback: Int64, from: Int)
        -> (value: Double?, next: Int)
    {
        var j = from  // first sample after `ref`
        while j < t.count && t[j] <= ref { j += 1 }
        guard j > 0, t[j - 1] > ref - lookback else { return (nil, j) }
        if j < t.count && t[j] <= ref + lookback {
            return (interpolate(t[j - 1], v[j - 1], t[j], v[j], at: ref), j)
        }
        return (v[j - 1], j)
    }

    /// The polyline through samples `first...last` at time `x` (flat outside them).
    static func value(_ t: [Timestamp], _ v: [Double], _ first: Int, _ last: Int, at x: Timestamp) -> Double {
        if x <= t[first] { return v[first] }
        if x >= t[last] { return v[last] }
        var k = first + 1
        while t[k] < x { k += 1 }
        return interpolate(t[k - 1], v[k - 1], t[k], v[k], at: x)
    }

    /// Linear interpolation between `(ta, va)` and `(tb, vb)` at `x` (`ta <= x <= tb`).
    @inline(__always)
    static func interpolate(_ ta: Timestamp, _ va: Double, _ tb: Timestamp, _ vb: Double, at x: Timestamp) -> Double {
        if x == tb || tb == ta { return vb }
        if x == ta { return va }
        return va + (vb - va) * Double(x - ta) / Double(tb - ta)
    }
}
