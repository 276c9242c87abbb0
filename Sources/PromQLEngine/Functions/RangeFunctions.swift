#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SundialCore

/// The functions taking a range vector, evaluated per series per step over the window
/// `timestamps[lo..<hi]` / `values[lo..<hi]` (stale markers already removed).
/// Algorithms follow Prometheus `promql/functions.go` (v2.42.0 unless noted).
enum RangeFunction: Sendable {
    case rate, increase, delta, irate, idelta, deriv, predictLinear, holtWinters, resets, changes
    case avgOverTime, sumOverTime, countOverTime, minOverTime, maxOverTime, lastOverTime, firstOverTime
    case quantileOverTime, stddevOverTime, stdvarOverTime, presentOverTime, absentOverTime, madOverTime
    case tsOfLastOverTime, tsOfFirstOverTime, tsOfMaxOverTime, tsOfMinOverTime

    /// Per-step inputs besides the window.
    struct Context {
        /// Window bounds, ms: `[rangeStart, rangeEnd]` (v3: left-open).
        var rangeStart: Timestamp
        var rangeEnd: Timestamp
        /// The window length in seconds.
        var rangeSeconds: Double
        /// The step's evaluation time, ms (intercept time of `predict_linear`).
        var evalTime: Timestamp
        /// First and second scalar parameter at this step (q, duration, sf, tf).
        var p0: Double
        var p1: Double
        /// v3 ordering of the counter zero-point clamp in `extrapolatedRate`.
        var v3: Bool
    }

    /// True for the functions that can skip their counter-reset scan with precomputed reset counts.
    var usesResets: Bool { self == .rate || self == .increase }

    /// The result for one window, or nil for no output sample. `resets` are running counter-reset
    /// counts (``WindowWorkspace``) or empty.
    func apply(_ t: [Timestamp], _ v: [Double], _ lo: Int, _ hi: Int, _ c: Context, resets: [Int32] = []) -> Double? {
        let n = hi - lo
        if n <= 0 { return nil }
        switch self {
        case .rate: return RangeKernels.extrapolatedRate(t, v, lo, hi, c, isCounter: true, isRate: true, resets: resets)
        case .increase:
            return RangeKernels.extrapolatedRate(t, v, lo, hi, c, isCounter: true, isRate: false, resets: resets)
        case .delta: return RangeKernels.extrapolatedRate(t, v, lo, hi, c, isCounter: false, isRate: false)
        case .irate: return RangeKernels.instantValue(t, v, lo, hi, isRate: true)
        case .idelta: return RangeKernels.instantValue(t, v, lo, hi, isRate: false)
        case .deriv:
            guard n >= 2 else { return nil }
            return RangeKernels.linearRegression(t, v, lo, hi, interceptTime: t[lo]).slope
        case .predictLinear:
            guard n >= 2 else { return nil }
            let (slope, intercept) = RangeKernels.linearRegression(t, v, lo, hi, interceptTime: c.evalTime)
            return slope * c.p0 + intercept
        case .holtWinters: return RangeKernels.holtWinters(v, lo, hi, sf: c.p0, tf: c.p1)
        case .resets:
            var r = 0.0
            var prev = v[lo]
            for k in (lo + 1)..<max(lo + 1, hi) {
                let cur = v[k]
                if cur < prev { r += 1 }
                prev = cur
            }
            return r
        case .changes:
            var r = 0.0
            var prev = v[lo]
            for k in (lo + 1)..<max(lo + 1, hi) {
                let cur = v[k]
                if cur != prev && !(cur.isNaN && prev.isNaN) { r += 1 }
                prev = cur
            }
            return r
        case .avgOverTime: return RangeKernels.avg(v, lo, hi, v3: c.v3)
        case .sumOverTime:
            var s = 0.0, comp = 0.0
            for k in lo..<hi { RangeKernels.kahanAdd(v[k], &s, &comp) }
            return s.isInfinite ? s : s + comp
        case .countOverTime: return Double(n)
        case .minOverTime:
            var m = v[lo]
            for k in lo..<hi where v[k] < m || m.isNaN { m = v[k] }
            return m
        case .maxOverTime:
            var m = v[lo]
            for k in lo..<hi where v[k] > m || m.isNaN { m = v[k] }
            return m
        case .lastOverTime: return v[hi - 1]
        case .firstOverTime: return v[lo]
        case .tsOfLastOverTime: return Double(t[hi - 1]) / 1000
        case .tsOfFirstOverTime: return Double(t[lo]) / 1000
        case .tsOfMaxOverTime:
            var m = v[lo], mt = t[lo]
            for k in lo..<hi where v[k] >= m || m.isNaN { m = v[k]; mt = t[k] }
            return Double(mt) / 1000
        case .tsOfMinOverTime:
            var m = v[lo], mt = t[lo]
            for k in lo..<hi where v[k] <= m || m.isNaN { m = v[k]; mt = t[k] }
            return Double(mt) / 1000
        case .quantileOverTime:
            var xs = Array(v[lo..<hi])
            return Quantile.quantile(c.p0, &xs)
        case .stddevOverTime: return RangeKernels.variance(v, lo, hi).squareRoot()
        case .stdvarOverTime: return RangeKernels.variance(v, lo, hi)
        case .madOverTime:
            for k in lo..<hi where v[k].isNaN { return .nan }
            var xs = Array(v[lo..<hi])
            let median = Quantile.quantile(0.5, &xs)
            var dev = xs.map { Swift.abs($0 - median) }
            return Quantile.quantile(0.5, &dev)
        case .presentOverTime, .absentOverTime: return 1
        }
    }
}

/// Numeric kernels shared by range functions and aggregations.
enum RangeKernels {
    /// Kahan–Neumaier compensated addition (Prometheus `kahanSumInc`).
    @inline(__always)
    static func kahanAdd(_ inc: Double, _ sum: inout Double, _ c: inout Double) {
        let t = sum + inc
        if t.isInfinite {
            // An infinite sum carries no meaningful compensation (Prometheus 3 resets it; 2.42's
            // callers return an infinite sum before using the compensation).
            c = 0
        } else if Swift.abs(sum) >= Swift.abs(inc) {
            c += (sum - t) + inc
        } else {
            c += (inc - t) + sum
        }
        sum = t
    }

    /// `rate`, `increase`, `delta`: the increase over the window extrapolated to its bounds
    /// (Prometheus `extrapolatedRate`: extrapolate by at most half the average sample interval
    /// unless the gap to the bound is below 1.1 × that interval; never below the counter's zero point).
    static func extrapolatedRate(_ t: [Timestamp], _ v: [Double], _ lo: Int, _ hi: Int,
                                 _ c: RangeFunction.Context, isCounter: Bool, isRate: Bool,
                                 resets: [Int32] = []) -> Double? {
        let n = hi - lo
        guard n >= 2 else { return nil }
        let first = v[lo], last = v[hi - 1]
        var result = last - first
        // No reset inside the window (precomputed counts): the correction loop would add nothing,
        // except for a negative first value, which adds 0 (`lastValue` starts at 0).
        let noResets = resets.count > lo && resets.count >= hi && resets[hi - 1] == resets[lo]
        if isCounter && !noResets {
            var lastValue = 0.0
            for k in lo..<hi {
                let x = v[k]
                if x < lastValue { result += lastValue }
                lastValue = x
            }
        }
        var durationToStart = Double(t[lo] - c.rangeStart) / 1000
        var durationToEnd = Double(c.rangeEnd - t[hi - 1]) / 1000
        let sampledInterval = Double(t[hi - 1] - t[lo]) / 1000
        let averageDurationBetweenSamples = sampledInterval / Double(n - 1)
        let threshold = averageDurationBetweenSamples * 1.1
        var extrapolateToInterval = sampledInterval
        if !c.v3 {
            // 2.42: clamp to the zero point first, then compare with the threshold.
            if isCounter && result > 0 && first >= 0 {
                let durationToZero = sampledInterval * (first / result)
                if durationToZero < durationToStart { durationToStart = durationToZero }
            }
            extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2
            extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2
        } else {
            // v3: limit both gaps by the threshold first, then apply the zero-point clamp.
            if durationToStart >= threshold { durationToStart = averageDurationBetweenSamples / 2 }
            if isCounter && result > 0 && first >= 0 {
                let durationToZero = sampledInterval * (first / result)
                if durationToZero < durationToStart { durationToStart = durationToZero }
            }
            if durationToEnd >= threshold { durationToEnd = averageDurationBetweenSamples / 2 }
            extrapolateToInterval += durationToStart + durationToEnd
        }
        // One factor, divided by the range before it scales the increase, exactly as Prometheus
        // rounds it (`factor /= ms.Range.Seconds(); resultValue *= factor`): another order differs
        // in the last bit, enough to move histogram_quantile across a bucket boundary.
        var factor = extrapolateToInterval / sampledInterval
        if isRate { factor /= c.rangeSeconds }
        return result * factor
    }

    /// `irate`/`idelta` from the last two samples (Prometheus `instantValue`).
    static func instantValue(_ t: [Timestamp], _ v: [Double], _ lo: Int, _ hi: Int, isRate: Bool) -> Double? {
        guard hi - lo >= 2 else { return nil }
        let last = v[hi - 1], prev = v[hi - 2]
        var result = (isRate && last < prev) ? last : last - prev
        let sampled = t[hi - 1] - t[hi - 2]
        if sampled == 0 { return nil }
        if isRate { result /= Double(sampled) / 1000 }
        return result
    }

    /// Least-squares fit of value over time (seconds relative to `interceptTime`), with Kahan sums
    /// (Prometheus `linearRegression`). A constant series has slope 0 (NaN for ±Inf).
    static func linearRegression(_ t: [Timestamp], _ v: [Double], _ lo: Int, _ hi: Int,
                                 interceptTime: Timestamp) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = v[lo]
        var constY = true
        for k in lo..<hi {
            let y = v[k]
            if constY && k > lo && y != initY { constY = false }
            n += 1
            let x = Double(t[k] - interceptTime) / 1e3
            kahanAdd(x, &sumX, &cX)
            kahanAdd(y, &sumY, &cY)
            kahanAdd(x * y, &sumXY, &cXY)
            kahanAdd(x * x, &sumX2, &cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        let intercept = sumY / n - slope * sumX / n
        return (slope, intercept)
    }

    /// Double exponential smoothing (Prometheus `funcHoltWinters`); needs two samples.
    static func holtWinters(_ v: [Double], _ lo: Int, _ hi: Int, sf: Double, tf: Double) -> Double? {
        let l = hi - lo
        guard l >= 2 else { return nil }
        var s0 = 0.0
        var s1 = v[lo]
        var b = v[lo + 1] - v[lo]
        for i in 1..<l {
            let x = sf * v[lo + i]
            if i - 1 != 0 { b = tf * (s1 - s0) + (1 - tf) * b }
            let y = (1 - sf) * (s1 + b)
            s0 = s1
            s1 = x + y
        }
        return s1
    }

    /// `avg_over_time`: incremental mean that survives infinities (Prometheus `funcAvgOverTime`).
    static func avg(_ v: [Double], _ lo: Int, _ hi: Int, v3: Bool) -> Double {
        if v3 {
            // Prometheus 3: direct mean with a Kahan sum while the sum stays finite, then an
            // incremental mean from the first overflow on.
            var sum = v[lo], c = 0.0, mean = 0.0, count = 1.0
            var incremental = false
            for k in (lo + 1)..<max(lo + 1, hi) {
                let x = v[k]
                count += 1
                if !incremental {
                    var s = sum, cc = c
                    kahanAdd(x, &s, &cc)
                    if !s.isInfinite {
                        sum = s
                        c = cc
                        continue
                    }
                    incremental = true
                    mean = sum / (count - 1)
                    c /= count - 1
                }
                let q = (count - 1) / count
                var m = q * mean, cc = q * c
                kahanAdd(x / count, &m, &cc)
                mean = m
                c = cc
            }
            return incremental ? mean + c : sum / count + c / count
        }
        var mean = 0.0, count = 0.0, c = 0.0
        for k in lo..<hi {
            let x = v[k]
            count += 1
            if mean.isInfinite {
                if x.isInfinite && (mean > 0) == (x > 0) { continue }
                if !x.isInfinite && !x.isNaN { continue }
            }
            kahanAdd(x / count - mean / count, &mean, &c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    /// Population variance with Welford's algorithm and Kahan sums (Prometheus `funcStdvarOverTime`).
    static func variance(_ v: [Double], _ lo: Int, _ hi: Int) -> Double {
        var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
        for k in lo..<hi {
            let x = v[k]
            count += 1
            let delta = x - (mean + cMean)
            kahanAdd(delta / count, &mean, &cMean)
            kahanAdd(delta * (x - (mean + cMean)), &aux, &cAux)
        }
        return (aux + cAux) / count
    }
}

/// Quantiles over plain values (Prometheus `quantile`, used by `quantile_over_time` and the
/// `quantile` aggregation).
enum Quantile {
    /// The φ-quantile by linear interpolation between closest ranks; −Inf below 0, +Inf above 1,
    /// NaN for no values. Sorts `values` in place (NaN first, as Prometheus's comparator does).
    static func quantile(_ q: Double, _ values: inout [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        values.sort { a, b in a.isNaN ? !b.isNaN : a < b }
        let n = Double(values.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, rank.rounded(.down))
        let upper = Swift.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
    }
}
