import SundialCore

/// `histogram_quantile` over classic (`le`-labelled) bucket series (Prometheus `funcHistogramQuantile`
/// and `bucketQuantile` in `promql/quantile.go`, v2.42.0).
enum HistogramQuantile {
    struct Bucket {
        var upperBound: Double
        var count: Double
    }

    /// Groups the input by its labels without `le` and `__name__`, and computes the φ-quantile of
    /// each group at each step. Series without a parseable `le` are ignored.
    /// With `delayedName` (v3 delayed name removal) the output keeps `__name__`, marked for removal.
    static func evaluate(q: [Double], input: [StepSeries], steps: Int, delayedName: Bool = false, v3: Bool = false)
        throws(EvaluationError) -> [StepSeries]
    {
        var notes = Notes()
        return try evaluate(q: q, input: input, steps: steps, delayedName: delayedName, v3: v3, notes: &notes)
    }

    /// What the evaluation saw that Prometheus 3 annotates: series with a missing or malformed
    /// `le` (metric name, `le` text) and groups whose counts had to be forced monotonic.
    struct Notes {
        /// (metric name or nil, the `le` value, "" when missing), first-seen order.
        var badBuckets: [(name: String?, le: String)] = []
        /// Metric names (nil when none) of the groups forced monotonic.
        var forcedMonotonic: [String?] = []
    }

    /// ``evaluate(q:input:steps:delayedName:v3:)`` recording what to annotate in `notes`.
    static func evaluate(q: [Double], input: [StepSeries], steps: Int, delayedName: Bool, v3: Bool, notes: inout Notes)
        throws(EvaluationError) -> [StepSeries]
    {
        var forced = false
        var forcedNames: [String?] = []
        let out = try evaluate(input: input, steps: steps, delayedName: delayedName, v3: v3, notes: &notes,
                               groupDone: { name in
                                   if forced { forcedNames.append(name) }
                                   forced = false
                               }) { i, b in
            bucketQuantile(q[i], &b, forcedMonotonic: &forced, v3: v3)
        }
        notes.forcedMonotonic += forcedNames
        return out
    }

    /// v3 `histogram_fraction(lower, upper, v)` over classic buckets: the estimated share of
    /// observations in `[lower, upper]`, grouped like `histogram_quantile`.
    static func fraction(lower: [Double], upper: [Double], input: [StepSeries], steps: Int, delayedName: Bool = false,
                         v3: Bool = false) throws(EvaluationError) -> [StepSeries]
    {
        var notes = Notes()
        return try fraction(lower: lower, upper: upper, input: input, steps: steps, delayedName: delayedName, v3: v3, notes: &notes)
    }

    /// ``fraction(lower:upper:input:steps:delayedName:v3:)`` recording malformed `le` labels in `notes`.
    static func fraction(lower: [Double], upper: [Double], input: [StepSeries], steps: Int, delayedName: Bool,
                         v3: Bool, notes: inout Notes) throws(EvaluationError) -> [StepSeries]
    {
        try evaluate(input: input, steps: steps, delayedName: delayedName, v3: v3, notes: &notes, groupDone: { _ in }) { i, b in
            bucketFraction(lower[i], upper[i], &b)
        }
    }

    static func evaluate(input: [StepSeries], steps: Int, delayedName: Bool, v3: Bool = false, notes: inout Notes,
                         groupDone: (String?) -> Void, _ f: (Int, inout [Bucket]) -> Double) throws(EvaluationError) -> [StepSeries]
    {
        var groupIndex: [Labels: Int] = [:]
        var groups: [(labels: Labels, members: [(Double, Int)])] = []
        for (si, s) in input.enumerated() {
            guard let leText = s.labels.get("le"), let le = parseGoFloat(leText) else {
                // Prometheus warns per sample it skips; a series with no sample at any step is never seen.
                if s.present.contains(true) { notes.badBuckets.append((s.labels.metricName, s.labels.get("le") ?? "")) }
                continue
            }
            // Grouped by all labels but `le` (so two metric names stay apart); the output drops the name too.
            let key = s.labels.removing(["le"])
            if let g = groupIndex[key] {
                groups[g].members.append((le, si))
            } else {
                groupIndex[key] = groups.count
                groups.append((delayedName ? key : key.droppingName(v3: v3), [(le, si)]))
            }
        }
        var out: [StepSeries] = []
        var buckets: [Bucket] = []
        for g in groups {
            var s = StepSeries(labels: g.labels, steps: steps)
            s.dropName = delayedName
            var any = false
            for i in 0..<steps {
                buckets.removeAll(keepingCapacity: true)
                for (le, si) in g.members where input[si].present[i] {
                    buckets.append(Bucket(upperBound: le, count: input[si].values[i]))
                }
                if buckets.isEmpty { continue }
                s.present[i] = true
                s.values[i] = f(i, &buckets)
                any = true
            }
            groupDone(g.labels.metricName)
            if any { out.append(s) }
        }
        // Two groups whose labels only differed by name collide (Prometheus issue 9910).
        var seen = Set<Labels>()
        for s in out where !seen.insert(s.labels).inserted {
            throw EvaluationError(.execution, "vector cannot contain metrics with the same labelset")
        }
        return out
    }

    /// Prepares classic buckets as Prometheus does before using them: sorted by upper bound, the
    /// highest bound must be +Inf (else false), buckets with equal bounds merged (`coalesceBuckets`),
    /// counts forced monotonic (`ensureMonotonic`).
    static func normalize(_ b: inout [Bucket]) -> Bool {
        var forced = false
        return normalize(&b, forcedMonotonic: &forced, v3: false)
    }

    /// ``normalize(_:)`` telling whether a count had to be raised to keep the counts monotonic: in
    /// v3 a decrease within a relative 1e-12 is float noise, not a forced fix (Prometheus 3
    /// `ensureMonotonicAndIgnoreSmallDeltas` with `smallDeltaTolerance`).
    static func normalize(_ b: inout [Bucket], forcedMonotonic: inout Bool, v3: Bool) -> Bool {
        b.sort { $0.upperBound < $1.upperBound }
        guard let last = b.last, last.upperBound == .infinity else { return false }
        var w = 0
        for r in 1..<b.count {
            if b[r].upperBound == b[w].upperBound {
                b[w].count += b[r].count
            } else {
                w += 1
                b[w] = b[r]
            }
        }
        b.removeLast(b.count - (w + 1))
        var maxCount = -Double.infinity
        for k in b.indices {
            if b[k].count > maxCount {
                maxCount = b[k].count
            } else if b[k].count < maxCount {
                if !v3 || !almostEqual(maxCount, b[k].count, 1e-12) { forcedMonotonic = true }
                b[k].count = maxCount
            }
        }
        return true
    }

    /// The quantile of one histogram: +Inf bucket required, buckets with equal bounds merged,
    /// counts forced monotonic, linear interpolation inside the bucket, the lowest bucket starting
    /// at 0 unless its bound is ≤ 0.
    static func bucketQuantile(_ q: Double, _ b: inout [Bucket]) -> Double {
        var forced = false
        return bucketQuantile(q, &b, forcedMonotonic: &forced, v3: false)
    }

    /// ``bucketQuantile(_:_:)`` setting `forcedMonotonic` when the counts had to be fixed.
    static func bucketQuantile(_ q: Double, _ b: inout [Bucket], forcedMonotonic: inout Bool, v3: Bool) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        guard normalize(&b, forcedMonotonic: &forcedMonotonic, v3: v3) else { return .nan }
        if b.count < 2 { return .nan }
        let observations = b[b.count - 1].count
        if observations == 0 { return .nan }
        var rank = q * observations
        // First bucket (searching all but the last) whose count ≥ rank.
        var lo = 0, hi = b.count - 1
        while lo < hi {
            let m = (lo + hi) / 2
            if b[m].count >= rank { hi = m } else { lo = m + 1 }
        }
        let idx = lo
        if idx == b.count - 1 { return b[b.count - 2].upperBound }
        if idx == 0 && b[0].upperBound <= 0 { return b[0].upperBound }
        var bucketStart = 0.0
        let bucketEnd = b[idx].upperBound
        var count = b[idx].count
        if idx > 0 {
            bucketStart = b[idx - 1].upperBound
            count -= b[idx - 1].count
            rank -= b[idx - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }

    /// The share of observations between `lower` and `upper` (Prometheus 3 `BucketFraction`):
    /// linear interpolation inside finite buckets, none inside the infinite first/last bucket; the
    /// first bucket starts at 0 when its bound is positive.
    static func bucketFraction(_ lower: Double, _ upper: Double, _ b: inout [Bucket]) -> Double {
        guard normalize(&b) else { return .nan }
        let count = b[b.count - 1].count
        if count == 0 || lower.isNaN || upper.isNaN { return .nan }
        if lower >= upper { return 0 }
        /// Cumulative count at `x`; `isLower` decides which side an infinite bucket's share falls on.
        func rank(_ x: Double, isLower: Bool) -> Double {
            if x == -.infinity { return 0 }
            if x == .infinity { return count }
            var prev = 0.0
            for (i, bk) in b.enumerated() {
                let lb = i > 0 ? b[i - 1].upperBound : (bk.upperBound > 0 ? 0 : -.infinity)
                let ub = bk.upperBound
                if x <= lb { return prev }
                if x < ub {
                    // No interpolation inside an infinite bucket: it contributes nothing (a lower
                    // bound inside the first one skips it; anything inside the +Inf bucket stops before it).
                    if ub.isInfinite { return prev }
                    if lb.isInfinite { return isLower ? bk.count : prev }
                    return prev + (bk.count - prev) * (x - lb) / (ub - lb)
                }
                prev = bk.count
            }
            return count
        }
        let share = (Swift.min(count, rank(upper, isLower: false)) - Swift.min(count, rank(lower, isLower: true))) / count
        return Swift.max(0, share)
    }

    /// Go's `strconv.ParseFloat` for the forms `le` labels use: decimal, exponent, `+Inf`/`Inf`/`NaN`
    /// in any case, hexadecimal floats.
    static func parseGoFloat(_ s: String) -> Double? {
        let lower = s.lowercased()
        switch lower {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        if s.isEmpty || s.contains("_") { return nil }
        return Double(s)
    }
}

/// Go `util/almost.Equal`: equal, or within `epsilon` relative to the sum of magnitudes
/// (absolute near zero).
func almostEqual(_ a: Double, _ b: Double, _ epsilon: Double) -> Bool {
    if a == b { return true }
    let minNormal = Double.leastNormalMagnitude
    let absSum = Swift.abs(a) + Swift.abs(b)
    let diff = Swift.abs(a - b)
    if a == 0 || b == 0 || absSum < minNormal { return diff < epsilon * minNormal }
    return diff / Swift.min(absSum, Double.greatestFiniteMagnitude) < epsilon
}
