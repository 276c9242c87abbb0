public import SundialCore

/// A validated native-histogram sample, integer or float, ready for ``Appender/appendHistogram``.
public enum HistogramValue: Sendable, Hashable {
    /// An integer histogram (delta-encoded buckets), as scraped.
    case integer(Histogram)
    /// A float histogram (absolute buckets).
    case float(FloatHistogram)
}

extension WireHistogram {
    /// The histogram as a Core value after Core's ``Histogram/validate()`` /
    /// ``FloatHistogram/validate()`` (the rules storage applies too: Prometheus 2.42's
    /// `ValidateHistogram` plus the schema and custom-bucket checks of newer Prometheus), or why it
    /// is invalid. Checking here, before storage, lets the 400 message name the broken rule whatever
    /// the storage. Reset hints outside 0...3 (from newer senders) are read as unknown.
    func validated() -> Result<HistogramValue, HistogramInvalid> {
        let hint = CounterResetHint(rawValue: UInt8(truncatingIfNeeded: min(resetHint, 255))) ?? .unknown
        if isFloat {
            let h = FloatHistogram(
                counterResetHint: hint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCountFloat,
                count: countFloat, sum: sum, positiveSpans: positiveSpans, negativeSpans: negativeSpans,
                positiveBuckets: positiveCounts, negativeBuckets: negativeCounts, customValues: customValues)
            do throws(HistogramValidationError) { try h.validate() } catch { return .failure(HistogramInvalid(error.message)) }
            return .success(.float(h))
        }
        let h = Histogram(
            counterResetHint: hint, schema: schema, zeroThreshold: zeroThreshold, zeroCount: zeroCountInt,
            count: countInt, sum: sum, positiveSpans: positiveSpans, negativeSpans: negativeSpans,
            positiveBuckets: positiveDeltas, negativeBuckets: negativeDeltas, customValues: customValues)
        do throws(HistogramValidationError) { try h.validate() } catch { return .failure(HistogramInvalid(error.message)) }
        return .success(.integer(h))
    }
}

/// Why a native histogram was refused (the rule it breaks, in Prometheus's words where it has them).
struct HistogramInvalid: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
