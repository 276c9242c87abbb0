#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SundialCore

/// The v3 trim operators `h </ x` (keep the observations below `x`) and `h >/ x` (keep those
/// above `x`), as Prometheus 3's promql tests define them (native_histograms.test, "trim
/// operators"): a bucket cut by `x` keeps the share given by exponential interpolation for
/// exponential buckets, linear interpolation for the zero bucket and custom buckets; when anything
/// was removed, the sum is re-estimated from each kept bucket's midpoint (geometric for
/// exponential buckets, arithmetic otherwise). Infinite custom bounds cannot be interpolated:
/// the first bucket `(-Inf, u]` counts as `[0, u]` when `u > 0`, a cut inside `(-Inf, u ≤ 0]` or
/// `(l, +Inf]` keeps the whole bucket at the cut when the kept side is the infinite one and drops
/// it otherwise.
extension FloatHistogram {
    /// Keeps the observations above `x` (`keepAbove`) or below it.
    public func trimmed(at x: Double, keepAbove: Bool) -> FloatHistogram {
        if x.isNaN { return self }
        var h = self
        var changed = false
        var newSum = 0.0
        var newCount = 0.0

        /// Kept share and representative value of bucket `[l, u]` (finite bounds); `geometric` for
        /// exponential buckets.
        func cut(_ l: Double, _ u: Double, _ c: Double, geometric: Bool) -> (Double, Double) {
            if keepAbove ? l >= x : u <= x { return (c, mid(l, u, geometric)) }
            if keepAbove ? u <= x : l >= x { return (0, 0) }
            // l < x < u
            let f: Double
            if geometric {
                let ll = log2(Swift.abs(l)), lu = log2(Swift.abs(u)), lx = log2(Swift.abs(x))
                // Share of [l, x] on a log scale (mirrored for negative buckets).
                f = (lx - ll) / (lu - ll)
            } else {
                f = (x - l) / (u - l)
            }
            let below = keepAbove ? 1 - f : f
            return (c * below, keepAbove ? mid(x, u, geometric) : mid(l, x, geometric))
        }
        func mid(_ a: Double, _ b: Double, _ geometric: Bool) -> Double {
            if !geometric { return (a + b) / 2 }
            let g = (a * b).squareRoot()
            return a < 0 ? -g : g
        }
        func account(_ c: Double, _ original: Double, _ rep: Double) {
            if c != original { changed = true }
            newCount += c
            if c != 0 { newSum += c * rep }
        }

        if usesCustomBuckets {
            var entries = bucketEntries(negative: false)
            for k in entries.indices {
                let c = entries[k].count
                let (rawL, u) = positiveBounds(entries[k].index)
                let first = rawL == -.infinity
                let l = first && u > 0 ? 0 : rawL
                var kept = 0.0, rep = 0.0
                func full() {
                    kept = c
                    rep = l == -.infinity ? u : (u == .infinity ? l : (l + u) / 2)
                }
                if keepAbove {
                    if u <= x || (first && rawL < x && x < 0) {
                        kept = 0
                    } else if l >= x {
                        full()
                    } else if l == -.infinity || (u == .infinity && first) {
                        kept = 0
                    } else if u == .infinity {
                        kept = c
                        rep = x
                    } else {
                        (kept, rep) = cut(l, u, c, geometric: false)
                    }
                } else {
                    if u <= x {
                        full()
                    } else if l >= x {
                        kept = 0
                    } else if l == -.infinity {
                        kept = c
                        rep = x
                    } else if u == .infinity {
                        kept = 0
                    } else {
                        (kept, rep) = cut(l, u, c, geometric: false)
                    }
                }
                account(kept, c, rep)
                entries[k].count = kept
            }
            h.setEntries(entries, negative: false)
        } else {
            var pos = bucketEntries(negative: false)
            for k in pos.indices {
                let (l, u) = positiveBounds(pos[k].index)
                let (kept, rep) = cut(l, u, pos[k].count, geometric: true)
                account(kept, pos[k].count, rep)
                pos[k].count = kept
            }
            var neg = bucketEntries(negative: true)
            for k in neg.indices {
                let (l, u) = positiveBounds(neg[k].index)
                let (kept, rep) = cut(-u, -l, neg[k].count, geometric: true)
                account(kept, neg[k].count, rep)
                neg[k].count = kept
            }
            // The zero bucket, leaning to the side that has buckets.
            var zl = -zeroThreshold, zu = zeroThreshold
            if negativeBuckets.isEmpty && !positiveBuckets.isEmpty { zl = 0 }
            if positiveBuckets.isEmpty && !negativeBuckets.isEmpty { zu = 0 }
            var zc = zeroCount
            if zl == zu {
                // A zero-width zero bucket: all or nothing.
                if keepAbove ? zl < x : zu > x { zc = 0 }
                account(zc, zeroCount, 0)
            } else {
                let (kept, rep) = cut(zl, zu, zeroCount, geometric: false)
                account(kept, zeroCount, rep)
                zc = kept
            }
            h.zeroCount = zc
            h.setEntries(pos, negative: false)
            h.setEntries(neg, negative: true)
        }
        if changed {
            h.count = newCount
            h.sum = newSum
        }
        return h
    }
}
