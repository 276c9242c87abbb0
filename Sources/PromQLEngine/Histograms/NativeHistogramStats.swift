#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SundialCore

/// Estimates over one native histogram: quantile, fraction, variance (Prometheus 3
/// `promql/quantile.go` `HistogramQuantile`/`HistogramFraction`, `functions.go` `histogramVariance`;
/// docs/querying/functions.md). Exponential buckets interpolate on a log scale, custom buckets
/// and the zero bucket linearly.
enum NativeHistogramStats {
    /// The `q` quantile (q < 0 → -Inf, q > 1 → +Inf, empty histogram or NaN q → NaN).
    static func quantile(_ q: Double, _ h: FloatHistogram) -> Double {
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        if h.count == 0 || q.isNaN { return .nan }
        let all = h.allBuckets()
        let forward = h.sum.isNaN || q < 0.5
        var rank = forward ? q * h.count : (1 - q) * h.count
        var count = 0.0
        var bucket = HistogramBucket(lower: 0, upper: 0, count: 0, index: 0, lowerInclusive: false, upperInclusive: true)
        var found = false
        if forward {
            for b in all where b.count != 0 {
                bucket = b
                found = true
                count += b.count
                if count >= rank { break }
            }
        } else {
            for b in all.reversed() where b.count != 0 {
                bucket = b
                found = true
                count += b.count
                if count >= rank { break }
            }
        }
        if !found { return .nan }
        let hasNeg = !h.negativeBuckets.isEmpty, hasPos = !h.positiveBuckets.isEmpty
        if !h.usesCustomBuckets && bucket.lower < 0 && bucket.upper > 0 {
            if !hasNeg && hasPos {
                bucket.lower = 0
            } else if !hasPos && hasNeg {
                bucket.upper = 0
            }
        } else if h.usesCustomBuckets {
            if bucket.lower == -.infinity {
                if bucket.upper <= 0 { return bucket.upper }
                bucket.lower = 0
            } else if bucket.upper == .infinity {
                return bucket.lower
            }
        }
        if count > h.count { count = h.count }
        // Not reached: the missing observations are NaN (they raise the count, not the buckets).
        if count < rank { return h.sum.isNaN ? .nan : bucket.upper }
        if forward {
            rank -= count - bucket.count
        } else {
            rank = count - rank
        }
        let fraction = rank / bucket.count
        if h.usesCustomBuckets || (bucket.lower <= 0 && bucket.upper >= 0) {
            return bucket.lower + (bucket.upper - bucket.lower) * fraction
        }
        let logLower = log2(Swift.abs(bucket.lower))
        let logUpper = log2(Swift.abs(bucket.upper))
        if bucket.lower > 0 {
            return exp2(logLower + (logUpper - logLower) * fraction)
        }
        return -exp2(logUpper + (logLower - logUpper) * (1 - fraction))
    }

    /// The estimated fraction of observations in `[lower, upper]` (NaN for an empty histogram or
    /// NaN bounds, 0 when `lower >= upper`).
    static func fraction(_ lower: Double, _ upper: Double, _ h: FloatHistogram) -> Double {
        if h.count == 0 || lower.isNaN || upper.isNaN { return .nan }
        if lower >= upper { return 0 }
        var rank = 0.0, lowerRank = 0.0, upperRank = 0.0
        var lowerSet = false, upperSet = false
        let hasNeg = !h.negativeBuckets.isEmpty, hasPos = !h.positiveBuckets.isEmpty
        for b0 in h.allBuckets() {
            var b = b0
            var zeroBucket = false
            if h.usesCustomBuckets {
                // The first custom bucket has no finite lower bound: like quantiles, assume 0 when
                // its upper bound is positive.
                if b.lower == -.infinity && b.upper > 0 { b.lower = 0 }
            } else if b.lower <= 0 && b.upper >= 0 {
                zeroBucket = true
                if !hasNeg && hasPos {
                    b.lower = 0
                } else if !hasPos && hasNeg {
                    b.upper = 0
                }
            }
            /// Rank at `v` inside the bucket. An infinitely wide bucket cannot be interpolated: a
            /// bound inside it sits at its infinite end, so the bucket counts only for a range that
            /// reaches that end.
            func linear(_ v: Double, isLower: Bool) -> Double {
                if b.upper == .infinity { return rank }
                if b.lower == -.infinity { return rank + b.count }
                return rank + b.count * (v - b.lower) / (b.upper - b.lower)
            }
            func exponential(_ v: Double) -> Double {
                let logLower = log2(Swift.abs(b.lower)), logUpper = log2(Swift.abs(b.upper)), logV = log2(Swift.abs(v))
                let f = v > 0 ? (logV - logLower) / (logUpper - logLower) : 1 - (logV - logUpper) / (logLower - logUpper)
                return rank + b.count * f
            }
            if !lowerSet && b.lower >= lower {
                lowerRank = rank
                lowerSet = true
            }
            if !upperSet && b.lower >= upper {
                upperRank = rank
                upperSet = true
            }
            if lowerSet && upperSet { break }
            if !lowerSet && b.lower < lower && b.upper > lower {
                lowerRank = h.usesCustomBuckets || zeroBucket ? linear(lower, isLower: true) : exponential(lower)
                lowerSet = true
            }
            if !upperSet && b.lower < upper && b.upper > upper {
                upperRank = h.usesCustomBuckets || zeroBucket ? linear(upper, isLower: false) : exponential(upper)
                upperSet = true
            }
            if lowerSet && upperSet { break }
            rank += b.count
        }
        // Bounds above every bucket: the rank of all bucketed observations (NaN observations
        // are in no bucket and so in no fraction).
        if !lowerSet { lowerRank = rank }
        if !upperSet { upperRank = rank }
        if lowerRank > h.count { lowerRank = h.count }
        if upperRank > h.count { upperRank = h.count }
        return (upperRank - lowerRank) / h.count
    }

    /// The estimated variance of the observations: each bucket's observations at its
    /// (geometric, for exponential buckets; arithmetic for custom buckets; 0 in the zero bucket) mean.
    static func variance(_ h: FloatHistogram) -> Double {
        let mean = h.sum / h.count
        var v = 0.0, c = 0.0
        for b in h.allBuckets() where b.count != 0 {
            let val: Double
            if h.usesCustomBuckets {
                val = (b.upper + b.lower) / 2
            } else if b.lower <= 0 && b.upper >= 0 {
                val = 0
            } else {
                let g = (b.upper * b.lower).squareRoot()
                val = b.upper < 0 ? -g : g
            }
            let d = val - mean
            RangeKernels.kahanAdd(b.count * d * d, &v, &c)
        }
        return (v + c) / h.count
    }
}
