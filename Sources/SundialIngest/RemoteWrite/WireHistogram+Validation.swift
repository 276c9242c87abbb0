public import SundialCore

/// A validated native-histogram sample, integer or float, ready for ``Appender/appendHistogram``.
public enum HistogramValue: Sendable, Hashable {
    /// An integer histogram (delta-encoded buckets), as scraped.
    case integer(Histogram)
    /// A float histogram (absolute buckets).
    case float(FloatHistogram)
}

extension WireHistogram {
    /// The histogram as a Core value, or why it is invalid.
    ///
    /// The rules are Prometheus's `Histogram.Validate` / `FloatHistogram.Validate`
    /// (`model/histogram`), applied before storage sees the histogram so the 400 message names
    /// the broken rule:
    /// - the schema is -4...8, or -53 (custom buckets);
    /// - exponential schemas: the spans of each side describe exactly as many buckets as the side
    ///   has, spans after the first have non-negative offsets, and there are no custom values;
    /// - custom buckets: custom values strictly ascending and finite at the top (`+Inf` is
    ///   implicit), all span offsets non-negative, spans no longer than the custom values + 1, and no
    ///   zero bucket (threshold and count 0) and no negative buckets;
    /// - every bucket's absolute count (after summing deltas, for integer histograms) is >= 0;
    /// - integer histograms: `count` equals zero count + all bucket counts, or is at least that when
    ///   `sum` is NaN (NaN observations are in no bucket).
    /// Reset hints outside 0...3 (from newer senders) are read as unknown.
    func validated() -> Result<HistogramValue, HistogramInvalid> {
        let hint = CounterResetHint(rawValue: UInt8(truncatingIfNeeded: min(resetHint, 255))) ?? .unknown
        let custom = schema == customBucketsSchema
        guard custom || (-4...8).contains(schema) else {
            return .failure(HistogramInvalid("histogram has an invalid schema, which must be between -4 and 8 (or -53 for custom buckets), got \(schema)"))
        }
        let positiveCount = isFloat ? positiveCounts.count : positiveDeltas.count
        let negativeCount = isFloat ? negativeCounts.count : negativeDeltas.count
        if custom {
            if let e = Self.checkCustomBounds(customValues, positiveSpans, positiveCount) { return .failure(e.prefixed("custom buckets")) }
            if (isFloat ? zeroCountFloat != 0 : zeroCountInt != 0) {
                return .failure(HistogramInvalid("custom buckets: must have zero count of 0"))
            }
            if zeroThreshold != 0 { return .failure(HistogramInvalid("custom buckets: must have zero threshold of 0")) }
            if !negativeSpans.isEmpty { return .failure(HistogramInvalid("custom buckets: must not have negative spans")) }
            if negativeCount > 0 { return .failure(HistogramInvalid("custom buckets: must not have negative buckets")) }
        } else {
            if let e = Self.checkSpans(positiveSpans, positiveCount) { return .failure(e.prefixed("positive side")) }
            if let e = Self.checkSpans(negativeSpans, negativeCount) { return .failure(e.prefixed("negative side")) }
            if !customValues.isEmpty {
                return .failure(HistogramInvalid("histogram with exponential schema must not have custom bounds"))
            }
        }
        if isFloat {
            if let e = Self.checkCounts(negativeCounts) { return .failure(e.prefixed("negative side")) }
            if let e = Self.checkCounts(positiveCounts) { return .failure(e.prefixed("positive side")) }
            return .success(.float(FloatHistogram(
                counterResetHint: hint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCountFloat,
                count: countFloat, sum: sum, positiveSpans: positiveSpans, negativeSpans: negativeSpans,
                positiveBuckets: positiveCounts, negativeBuckets: negativeCounts, customValues: customValues)))
        }
        var nCount: UInt64 = 0, pCount: UInt64 = 0
        if let e = Self.checkDeltas(negativeDeltas, &nCount) { return .failure(e.prefixed("negative side")) }
        if let e = Self.checkDeltas(positiveDeltas, &pCount) { return .failure(e.prefixed("positive side")) }
        let (np, o1) = nCount.addingReportingOverflow(pCount)
        let (inBuckets, o2) = np.addingReportingOverflow(zeroCountInt)
        if o1 || o2 {
            return .failure(HistogramInvalid("the observations in the buckets overflow uint64"))
        }
        if sum.isNaN {
            if inBuckets > countInt {
                return .failure(HistogramInvalid("\(inBuckets) observations found in buckets, but the Count field is \(countInt): histogram's observation count should be at least the number of observations found in the buckets"))
            }
        } else if inBuckets != countInt {
            return .failure(HistogramInvalid("\(inBuckets) observations found in buckets, but the Count field is \(countInt): histogram's observation count should equal the number of observations found in the buckets (in absence of NaN)"))
        }
        return .success(.integer(Histogram(
            counterResetHint: hint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCountInt,
            count: countInt, sum: sum, positiveSpans: positiveSpans, negativeSpans: negativeSpans,
            positiveBuckets: positiveDeltas, negativeBuckets: negativeDeltas, customValues: customValues)))
    }

    /// Prometheus `checkHistogramSpans`.
    static func checkSpans(_ spans: [HistogramSpan], _ buckets: Int) -> HistogramInvalid? {
        var need = 0
        for (n, span) in spans.enumerated() {
            if n > 0 && span.offset < 0 {
                return HistogramInvalid("span number \(n + 1) with offset \(span.offset): histogram has a span whose offset is negative")
            }
            need += Int(span.length)
        }
        if need != buckets {
            return HistogramInvalid("spans need \(need) buckets, have \(buckets) buckets: histogram spans specify different number of buckets than provided")
        }
        return nil
    }

    /// Prometheus `checkHistogramCustomBounds`.
    static func checkCustomBounds(_ bounds: [Double], _ spans: [HistogramSpan], _ buckets: Int) -> HistogramInvalid? {
        var prev = -Double.infinity
        for b in bounds {
            // `!(b > prev)` also refuses NaN bounds.
            if !(b > prev) {
                return HistogramInvalid("previous bound is \(prev) and current is \(b): custom buckets must be in increasing order")
            }
            prev = b
        }
        if prev == .infinity {
            return HistogramInvalid("last +Inf bound must not be explicitly defined")
        }
        var need = 0, total = 0
        for (n, span) in spans.enumerated() {
            if span.offset < 0 {
                return HistogramInvalid("span number \(n + 1) with offset \(span.offset): histogram has a span whose offset is negative")
            }
            need += Int(span.length)
            total += Int(span.length) + Int(span.offset)
        }
        if need != buckets {
            return HistogramInvalid("spans need \(need) buckets, have \(buckets) buckets: histogram spans specify different number of buckets than provided")
        }
        if bounds.count + 1 < total {
            return HistogramInvalid("only \(bounds.count) custom bounds defined which is insufficient to cover total span length of \(total)")
        }
        return nil
    }

    /// Absolute counts >= 0 (Prometheus `checkHistogramBuckets` without deltas).
    static func checkCounts(_ counts: [Double]) -> HistogramInvalid? {
        for (i, c) in counts.enumerated() where c < 0 {
            return HistogramInvalid("bucket number \(i + 1) has observation count of \(c): histogram has a bucket whose observation count is negative")
        }
        return nil
    }

    /// Running sums of `deltas` >= 0, added to `total` (Prometheus `checkHistogramBuckets` with deltas).
    static func checkDeltas(_ deltas: [Int64], _ total: inout UInt64) -> HistogramInvalid? {
        var last: Int64 = 0
        for (i, d) in deltas.enumerated() {
            let (c, overflow) = last.addingReportingOverflow(d)
            if overflow {
                return HistogramInvalid("bucket number \(i + 1): delta \(d) overflows the bucket count")
            }
            if c < 0 {
                return HistogramInvalid("bucket number \(i + 1) has observation count of \(c): histogram has a bucket whose observation count is negative")
            }
            let (t, o) = total.addingReportingOverflow(UInt64(c))
            if o { return HistogramInvalid("the observations in the buckets overflow uint64") }
            total = t
            last = c
        }
        return nil
    }
}

/// Why a native histogram was refused (the rule it breaks, in Prometheus's words where it has them).
struct HistogramInvalid: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
    func prefixed(_ p: String) -> HistogramInvalid { HistogramInvalid("\(p): \(message)") }
}
