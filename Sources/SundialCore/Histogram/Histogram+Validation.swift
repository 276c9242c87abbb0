/// Validation and exact comparison of native histograms.
///
/// The rules follow Prometheus 2.42 `tsdb/head_append.go` (`ValidateHistogram`,
/// `checkHistogramSpans`, `checkHistogramBuckets`), extended with the schema and custom-bucket
/// checks of newer Prometheus (`model/histogram` `Validate`):
/// - the schema is -4...8, or ``customBucketsSchema`` (-53);
/// - the spans of each side cover exactly as many buckets as the side has counts, and every span
///   after the first has a non-negative offset;
/// - no absolute bucket count is negative (for integer histograms: the running sum of the deltas);
/// - integer histograms: `count` is at least the sum of all bucket counts (2.42 counts the positive
///   and negative buckets, not the zero bucket; we keep that, so everything 2.42 accepts is accepted);
/// - custom buckets: no negative side, zero bucket empty, bounds strictly increasing and finite,
///   and every positive bucket index below `customValues.count + 1`.
public struct HistogramValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, e.g. "positive side: spans need 3 buckets, have 2 buckets".
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Histogram {
    /// Throws ``HistogramValidationError`` when the histogram is malformed (rules above).
    public func validate() throws(HistogramValidationError) {
        try HistogramValidation.checkSchema(schema, customValues: customValues,
                                            negativeSpans: negativeSpans, negativeBucketCount: negativeBuckets.count,
                                            zeroCountIsZero: zeroCount == 0, zeroThreshold: zeroThreshold,
                                            positiveSpans: positiveSpans, positiveBucketCount: positiveBuckets.count)
        try HistogramValidation.checkSpans(negativeSpans, buckets: negativeBuckets.count, side: "negative")
        try HistogramValidation.checkSpans(positiveSpans, buckets: positiveBuckets.count, side: "positive")
        let n = try HistogramValidation.sumDeltas(negativeBuckets, side: "negative")
        let p = try HistogramValidation.sumDeltas(positiveBuckets, side: "positive")
        let (total, overflow) = n.addingReportingOverflow(p)
        if overflow || total > count {
            throw HistogramValidationError("histogram's observation count should be at least the number of observations found in the buckets: \(overflow ? "more than 2^64" : String(total)) observations found in buckets, but the Count field is \(count)")
        }
    }

    /// True when both histograms are identical field by field, comparing floats by their bits
    /// (so a NaN sum equals the same NaN), as Prometheus `Histogram.Equals` does for duplicates.
    public func isIdentical(to o: Histogram) -> Bool {
        schema == o.schema && zeroThreshold.bitPattern == o.zeroThreshold.bitPattern
            && zeroCount == o.zeroCount && count == o.count && sum.bitPattern == o.sum.bitPattern
            && positiveSpans == o.positiveSpans && negativeSpans == o.negativeSpans
            && positiveBuckets == o.positiveBuckets && negativeBuckets == o.negativeBuckets
            && HistogramValidation.bitsEqual(customValues, o.customValues)
    }
}

extension FloatHistogram {
    /// Throws ``HistogramValidationError`` when the histogram is malformed (rules above; no
    /// count check, as float rounding makes one meaningless — Prometheus skips it too).
    public func validate() throws(HistogramValidationError) {
        try HistogramValidation.checkSchema(schema, customValues: customValues,
                                            negativeSpans: negativeSpans, negativeBucketCount: negativeBuckets.count,
                                            zeroCountIsZero: zeroCount == 0, zeroThreshold: zeroThreshold,
                                            positiveSpans: positiveSpans, positiveBucketCount: positiveBuckets.count)
        try HistogramValidation.checkSpans(negativeSpans, buckets: negativeBuckets.count, side: "negative")
        try HistogramValidation.checkSpans(positiveSpans, buckets: positiveBuckets.count, side: "positive")
        for (side, buckets) in [("negative", negativeBuckets), ("positive", positiveBuckets)] {
            for (i, c) in buckets.enumerated() where c < 0 {
                throw HistogramValidationError("\(side) side: bucket number \(i + 1) has observation count of \(c)")
            }
        }
        if zeroCount < 0 { throw HistogramValidationError("zero bucket has observation count of \(zeroCount)") }
        if count < 0 { throw HistogramValidationError("observation count is \(count)") }
    }

    /// True when both histograms are identical field by field, floats compared by their bits.
    public func isIdentical(to o: FloatHistogram) -> Bool {
        schema == o.schema && zeroThreshold.bitPattern == o.zeroThreshold.bitPattern
            && zeroCount.bitPattern == o.zeroCount.bitPattern && count.bitPattern == o.count.bitPattern
            && sum.bitPattern == o.sum.bitPattern
            && positiveSpans == o.positiveSpans && negativeSpans == o.negativeSpans
            && HistogramValidation.bitsEqual(positiveBuckets, o.positiveBuckets)
            && HistogramValidation.bitsEqual(negativeBuckets, o.negativeBuckets)
            && HistogramValidation.bitsEqual(customValues, o.customValues)
    }
}

/// Shared checks of ``Histogram/validate()`` and ``FloatHistogram/validate()``.
enum HistogramValidation {
    static func bitsEqual(_ a: [Double], _ b: [Double]) -> Bool {
        guard a.count == b.count else { return false }
        for i in a.indices where a[i].bitPattern != b[i].bitPattern { return false }
        return true
    }

    static func checkSchema(_ schema: Int32, customValues: [Double], negativeSpans: [HistogramSpan],
                            negativeBucketCount: Int, zeroCountIsZero: Bool, zeroThreshold: Double,
                            positiveSpans: [HistogramSpan], positiveBucketCount: Int) throws(HistogramValidationError) {
        if schema == customBucketsSchema {
            if !negativeSpans.isEmpty || negativeBucketCount != 0 {
                throw HistogramValidationError("custom buckets: must not have negative buckets")
            }
            if !zeroCountIsZero { throw HistogramValidationError("custom buckets: must have zero count of 0") }
            if zeroThreshold != 0 { throw HistogramValidationError("custom buckets: must have zero threshold of 0") }
            var prev = -Double.infinity
            for (i, v) in customValues.enumerated() {
                if !(v > prev) || !v.isFinite {
                    throw HistogramValidationError("custom buckets: bound number \(i + 1) (\(v)) is not finite and greater than the previous bound")
                }
                prev = v
            }
            // Every bucket index must name a bound or the +Inf bucket.
            var index: Int64 = 0
            for (i, s) in positiveSpans.enumerated() {
                index += Int64(s.offset)
                if i == 0 && s.offset < 0 {
                    throw HistogramValidationError("custom buckets: span number 1 with negative offset \(s.offset)")
                }
                index += Int64(s.length)
            }
            if index > Int64(customValues.count) + 1 {
                throw HistogramValidationError("custom buckets: buckets up to index \(index - 1), but only \(customValues.count + 1) buckets")
            }
        } else {
            if schema < -4 || schema > 8 { throw HistogramValidationError("invalid histogram schema \(schema)") }
            if !customValues.isEmpty {
                throw HistogramValidationError("histogram with exponential schema must not have custom bounds")
            }
        }
    }

    static func checkSpans(_ spans: [HistogramSpan], buckets: Int, side: String) throws(HistogramValidationError) {
        var need = 0
        for (i, s) in spans.enumerated() {
            if i > 0 && s.offset < 0 {
                throw HistogramValidationError("\(side) side: histogram has a span whose offset is negative: span number \(i + 1) with offset \(s.offset)")
            }
            need += Int(s.length)
        }
        if need != buckets {
            throw HistogramValidationError("\(side) side: histogram spans specify different number of buckets than provided: spans need \(need) buckets, have \(buckets) buckets")
        }
    }

    /// The sum of the absolute counts of delta-encoded buckets; throws on a negative count.
    static func sumDeltas(_ deltas: [Int64], side: String) throws(HistogramValidationError) -> UInt64 {
        var last: Int64 = 0
        var total: UInt64 = 0
        for (i, d) in deltas.enumerated() {
            let (c, o) = last.addingReportingOverflow(d)
            if o || c < 0 {
                throw HistogramValidationError("\(side) side: histogram has a bucket whose observation count is negative: bucket number \(i + 1) has observation count of \(o ? "out of range" : String(c))")
            }
            last = c
            let (t, o2) = total.addingReportingOverflow(UInt64(c))
            if o2 { throw HistogramValidationError("\(side) side: bucket counts overflow") }
            total = t
        }
        return total
    }
}
