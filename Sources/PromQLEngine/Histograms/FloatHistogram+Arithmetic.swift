public import SundialCore

/// Why two histograms cannot be combined (Prometheus `histogram.ErrHistogramsIncompatibleSchema`).
public struct HistogramCombineError: Error, Sendable, Equatable {
    public var message: String
}

/// What happened while combining two histograms, for annotations.
public struct HistogramCombineNotes: Sendable, Equatable {
    /// Custom-bucket histograms with different bounds were combined on their common bounds.
    public var reconciledCustomBounds = false
    /// One operand said "counter reset", the other "not a counter reset" (Prometheus
    /// `HistogramCounterResetCollisionWarning`).
    public var counterResetCollision = false
    /// No notes.
    public init() {}
}

/// FloatHistogram arithmetic with Prometheus 3's rules (`model/histogram/float_histogram.go`,
/// docs/native_histograms.md "Arithmetic"): schema reduction to the coarser schema, zero-bucket
/// widening, span merging, custom-bound reconciliation.
extension FloatHistogram {
    static let mixedSchemaError = HistogramCombineError(
        message: "cannot apply this operation on histograms with a mix of exponential and custom bucket schemas")

    /// The bucket index at `target` schema that exponential bucket `index` at `origin` schema falls into.
    @inline(__always)
    static func reducedIndex(_ index: Int32, from origin: Int32, to target: Int32) -> Int32 {
        ((index &- 1) >> (origin - target)) &+ 1
    }

    /// This histogram at a coarser exponential `target` schema (buckets merged).
    public func reduced(to target: Int32) -> FloatHistogram {
        guard !usesCustomBuckets, target < schema else { return self }
        var h = self
        for negative in [false, true] {
            var out: [(index: Int32, count: Double)] = []
            for e in bucketEntries(negative: negative) {
                let t = FloatHistogram.reducedIndex(e.index, from: schema, to: target)
                if let last = out.indices.last, out[last].index == t {
                    out[last].count += e.count
                } else {
                    out.append((t, e.count))
                }
            }
            h.setEntries(out, negative: negative)
        }
        h.schema = target
        return h
    }

    /// The zero count and threshold after widening the zero bucket to at least `larger`: buckets
    /// below the new threshold join it, and a populated bucket straddling it widens it to the
    /// bucket's bound (Prometheus `zeroCountForLargerThreshold`).
    func zeroCountForLargerThreshold(_ larger0: Double) -> (count: Double, threshold: Double) {
        var larger = larger0
        if larger == zeroThreshold { return (zeroCount, larger) }
        let pos = positiveBucketList()
        let neg = negativeBucketList()
        while true {
            var count = zeroCount
            var again = false
            for b in pos {
                if b.lower >= larger { break }
                count += b.count
                if b.upper > larger {
                    if b.count != 0 { larger = b.upper }
                    break
                }
            }
            for b in neg {
                if b.upper <= -larger { break }
                count += b.count
                if b.lower < -larger {
                    if b.count != 0 {
                        larger = -b.lower
                        again = true
                    }
                    break
                }
            }
            if !again { return (count, larger) }
        }
    }

    /// Clears the buckets now inside the zero bucket and compacts (Prometheus `trimBucketsInZeroBucket`).
    mutating func trimBucketsInZeroBucket() {
        var pos = bucketEntries(negative: false)
        for i in pos.indices {
            let (l, _) = positiveBounds(pos[i].index)
            if l >= zeroThreshold { break }
            pos[i].count = 0
        }
        var neg = bucketEntries(negative: true)
        for i in neg.indices {
            let (l, _) = positiveBounds(neg[i].index)
            if -l <= -zeroThreshold { break }
            neg[i].count = 0
        }
        setEntries(pos, negative: false, dropEmpty: true)
        setEntries(neg, negative: true, dropEmpty: true)
    }

    /// Widens this or `other`'s zero bucket until both have the same threshold; returns `other`'s
    /// zero count at the common threshold (Prometheus `reconcileZeroBuckets`).
    mutating func reconcileZeroBuckets(_ other: FloatHistogram) -> Double {
        var otherCount = other.zeroCount
        var otherThreshold = other.zeroThreshold
        var guardLoops = 0
        while otherThreshold != zeroThreshold && guardLoops < 64 {
            guardLoops += 1
            if zeroThreshold > otherThreshold {
                (otherCount, otherThreshold) = other.zeroCountForLargerThreshold(zeroThreshold)
            }
            if otherThreshold > zeroThreshold {
                (zeroCount, zeroThreshold) = zeroCountForLargerThreshold(otherThreshold)
                trimBucketsInZeroBucket()
            }
        }
        return otherCount
    }

    /// The custom bounds both lists have (Prometheus `intersectCustomBucketBounds`).
    static func commonBounds(_ a: [Double], _ b: [Double]) -> [Double] {
        var out: [Double] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i]); i += 1; j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    /// Custom buckets re-binned onto `bounds` (a subset of this histogram's bounds).
    func rebinned(to bounds: [Double]) -> [(index: Int32, count: Double)] {
        var out: [(index: Int32, count: Double)] = []
        for e in bucketEntries(negative: false) {
            let (_, upper) = positiveBounds(e.index)
            var t = bounds.count
            // First common bound >= the bucket's upper bound.
            var lo = 0, hi = bounds.count
            while lo < hi {
                let m = (lo + hi) / 2
                if bounds[m] < upper { lo = m + 1 } else { hi = m }
            }
            t = lo
            if let last = out.indices.last, out[last].index == Int32(t) {
                out[last].count += e.count
            } else {
                out.append((Int32(t), e.count))
            }
        }
        return out
    }

    /// Bucket-wise sum of two entry lists (ascending), `sign` applied to `b`.
    static func merge(_ a: [(index: Int32, count: Double)], _ b: [(index: Int32, count: Double)], sign: Double)
        -> [(index: Int32, count: Double)]
    {
        var out: [(index: Int32, count: Double)] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j >= b.count || (i < a.count && a[i].index < b[j].index) {
                out.append(a[i]); i += 1
            } else if i >= a.count || b[j].index < a[i].index {
                out.append((b[j].index, sign * b[j].count)); j += 1
            } else {
                out.append((a[i].index, a[i].count + sign * b[j].count)); i += 1; j += 1
            }
        }
        return out
    }

    /// `self + other` (or `self - other` with `sign` -1), Prometheus `FloatHistogram.Add`/`Sub`.
    /// - Throws: ``HistogramCombineError`` when one uses custom buckets and the other does not.
    public func combined(with other: FloatHistogram, sign: Double, notes: inout HistogramCombineNotes)
        throws(HistogramCombineError) -> FloatHistogram
    {
        if usesCustomBuckets != other.usesCustomBuckets { throw FloatHistogram.mixedSchemaError }
        var h = self
        // Counter reset hints: gauge wins; a reset/not-reset pair is a collision (result unknown).
        if h.counterResetHint != other.counterResetHint {
            if h.counterResetHint == .gauge || other.counterResetHint == .gauge {
                h.counterResetHint = .gauge
            } else {
                if (h.counterResetHint == .counterReset && other.counterResetHint == .notCounterReset)
                    || (h.counterResetHint == .notCounterReset && other.counterResetHint == .counterReset) {
                    notes.counterResetCollision = true
                }
                h.counterResetHint = .unknown
            }
        }
        h.count += sign * other.count
        h.sum += sign * other.sum
        if usesCustomBuckets {
            if customValues == other.customValues {
                h.setEntries(FloatHistogram.merge(bucketEntries(negative: false), other.bucketEntries(negative: false),
                                                  sign: sign), negative: false)
            } else {
                let common = FloatHistogram.commonBounds(customValues, other.customValues)
                notes.reconciledCustomBounds = true
                h.customValues = common
                h.setEntries(FloatHistogram.merge(rebinned(to: common), other.rebinned(to: common), sign: sign),
                             negative: false)
            }
            return h
        }
        let otherZero = h.reconcileZeroBuckets(other)
        h.zeroCount += sign * otherZero
        var o = other
        if o.zeroThreshold != h.zeroThreshold {
            // `other`'s buckets inside the widened zero bucket were counted into otherZero.
            o.zeroThreshold = h.zeroThreshold
            o.trimBucketsInZeroBucket()
        }
        let target = min(h.schema, o.schema)
        if h.schema > target { h = h.reduced(to: target) }
        if o.schema > target { o = o.reduced(to: target) }
        h.setEntries(FloatHistogram.merge(h.bucketEntries(negative: false), o.bucketEntries(negative: false), sign: sign),
                     negative: false)
        h.setEntries(FloatHistogram.merge(h.bucketEntries(negative: true), o.bucketEntries(negative: true), sign: sign),
                     negative: true)
        return h
    }

    /// True when the inputs of a sum (`sum`/`avg` aggregation, `sum_over_time`/`avg_over_time`)
    /// include both a `reset` and a `not_reset` hint, in any order and whatever else is among
    /// them: Prometheus 3 tracks `counterResetSeen`/`notCounterResetSeen` over the input hints
    /// (`groupedAggregation` in engine.go, `funcSumOverTime`/`funcAvgOverTime`) for its
    /// "conflicting counter resets" warning, rather than `Add`'s pairwise collision.
    public static func counterResetHintsCollide(_ hs: some Collection<FloatHistogram>) -> Bool {
        var reset = false, notReset = false
        for h in hs {
            switch h.counterResetHint {
            case .counterReset: reset = true
            case .notCounterReset: notReset = true
            default: break
            }
            if reset && notReset { return true }
        }
        return false
    }

    /// The sum of `hs` (non-empty) with Kahan-compensated additions of every field (Prometheus 3
    /// sums histograms with `KahanAdd`): the layout is that of adding them one by one (coarsest
    /// schema, widest zero bucket, common custom bounds); `scale` multiplies every input first
    /// (`1/n` for an average that cannot overflow).
    public static func kahanSum(_ hs: [FloatHistogram], scale: Double = 1, notes: inout HistogramCombineNotes)
        throws(HistogramCombineError) -> FloatHistogram
    {
        var layout = hs[0]
        for h in hs.dropFirst() { layout = try layout.combined(with: h, sign: 1, notes: &notes) }
        var count = (0.0, 0.0), sum = (0.0, 0.0), zero = (0.0, 0.0)
        var pos: [Int32: (Double, Double)] = [:], neg: [Int32: (Double, Double)] = [:]
        func add(_ x: Double, _ acc: inout (Double, Double)) { RangeKernels.kahanAdd(x, &acc.0, &acc.1) }
        for h0 in hs {
            var h = scale == 1 ? h0 : h0.scaled(by: scale)
            if h.usesCustomBuckets {
                if h.customValues != layout.customValues {
                    h.setEntries(h.rebinned(to: layout.customValues), negative: false)
                    h.customValues = layout.customValues
                }
            } else {
                if h.zeroThreshold < layout.zeroThreshold {
                    (h.zeroCount, _) = h.zeroCountForLargerThreshold(layout.zeroThreshold)
                    h.zeroThreshold = layout.zeroThreshold
                    h.trimBucketsInZeroBucket()
                }
                if h.schema > layout.schema { h = h.reduced(to: layout.schema) }
            }
            add(h.count, &count)
            add(h.sum, &sum)
            add(h.zeroCount, &zero)
            for e in h.bucketEntries(negative: false) { add(e.count, &pos[e.index, default: (0, 0)]) }
            for e in h.bucketEntries(negative: true) { add(e.count, &neg[e.index, default: (0, 0)]) }
        }
        func total(_ a: (Double, Double)) -> Double { a.0.isInfinite ? a.0 : a.0 + a.1 }
        var out = layout
        out.count = total(count)
        out.sum = total(sum)
        out.zeroCount = total(zero)
        out.setEntries(pos.keys.sorted().map { ($0, total(pos[$0]!)) }, negative: false)
        out.setEntries(neg.keys.sorted().map { ($0, total(neg[$0]!)) }, negative: true)
        return out
    }

    /// Every count, the sum and every bucket multiplied by `factor` (Prometheus `Mul`).
    public func scaled(by factor: Double) -> FloatHistogram {
        var h = self
        h.count *= factor
        h.sum *= factor
        h.zeroCount *= factor
        for i in h.positiveBuckets.indices { h.positiveBuckets[i] *= factor }
        for i in h.negativeBuckets.indices { h.negativeBuckets[i] *= factor }
        return h
    }

    /// Every count, the sum and every bucket divided by `divisor` (Prometheus `Div`).
    /// Division by zero removes every bucket (count, sum and zero bucket become ±Inf or NaN).
    public func divided(by divisor: Double) -> FloatHistogram {
        var h = self
        h.count /= divisor
        h.sum /= divisor
        h.zeroCount /= divisor
        if divisor == 0 {
            h.positiveSpans = []
            h.negativeSpans = []
            h.positiveBuckets = []
            h.negativeBuckets = []
            return h
        }
        for i in h.positiveBuckets.indices { h.positiveBuckets[i] /= divisor }
        for i in h.negativeBuckets.indices { h.negativeBuckets[i] /= divisor }
        return h
    }

    /// True when `self` (the newer histogram) follows a counter reset relative to `previous`
    /// (Prometheus `FloatHistogram.DetectReset`): by hint, a lower count, a change of bucket
    /// layout that cannot come from the same counter, or any bucket going down.
    public func detectReset(after previous: FloatHistogram) -> Bool {
        if counterResetHint == .counterReset { return true }
        if counterResetHint == .notCounterReset { return false }
        if count < previous.count { return true }
        if usesCustomBuckets != previous.usesCustomBuckets { return true }
        if usesCustomBuckets && customValues != previous.customValues {
            // Different custom bounds are compared on their common bounds (v3 reconciliation).
            let common = FloatHistogram.commonBounds(customValues, previous.customValues)
            let cur = rebinned(to: common)
            var j = 0
            for p in previous.rebinned(to: common) where p.count != 0 {
                while j < cur.count && cur[j].index < p.index { j += 1 }
                let c = j < cur.count && cur[j].index == p.index ? cur[j].count : 0
                if p.count > c { return true }
            }
            return false
        }
        if schema > previous.schema { return true }
        if zeroThreshold < previous.zeroThreshold { return true }
        var prev = previous
        let (prevZero, newThreshold) = prev.zeroCountForLargerThreshold(zeroThreshold)
        if newThreshold != zeroThreshold { return true }
        if zeroCount < prevZero { return true }
        if prev.zeroThreshold != zeroThreshold {
            prev.zeroThreshold = zeroThreshold
            prev.trimBucketsInZeroBucket()
        }
        if prev.schema > schema { prev = prev.reduced(to: schema) }
        for negative in [false, true] {
            let cur = bucketEntries(negative: negative)
            var j = 0
            for p in prev.bucketEntries(negative: negative) where p.count != 0 {
                while j < cur.count && cur[j].index < p.index { j += 1 }
                let c = j < cur.count && cur[j].index == p.index ? cur[j].count : 0
                if p.count > c { return true }
            }
        }
        return false
    }

    /// Equality as Prometheus's test runner compares histograms after `Compact(0)`: same schema,
    /// zero threshold and layout; counts, sum and buckets within relative `tolerance`; the counter
    /// reset hint only when `compareHint`.
    public func matches(_ other: FloatHistogram, compareHint: Bool,
                        almostEqual: (Double, Double) -> Bool) -> Bool {
        let a = compacted(), b = other.compacted()
        if a.schema != b.schema || !almostEqual(a.count, b.count) || !almostEqual(a.sum, b.sum) { return false }
        if a.usesCustomBuckets && a.customValues != b.customValues { return false }
        if a.zeroThreshold != b.zeroThreshold || !almostEqual(a.zeroCount, b.zeroCount) { return false }
        if a.positiveSpans != b.positiveSpans || a.negativeSpans != b.negativeSpans { return false }
        for (x, y) in zip(a.positiveBuckets, b.positiveBuckets) where !almostEqual(x, y) { return false }
        for (x, y) in zip(a.negativeBuckets, b.negativeBuckets) where !almostEqual(x, y) { return false }
        if compareHint && a.counterResetHint != b.counterResetHint { return false }
        return true
    }
}
