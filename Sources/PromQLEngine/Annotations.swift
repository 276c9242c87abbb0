public import PromQLSyntax
import SundialCore

/// One PromQL annotation: a warning or an informational note attached to a successful query
/// result (Prometheus 3 `util/annotations`). Prometheus 2.42 has none; the engine only produces
/// them with ``Semantics/prometheus3``.
///
/// `text` is the message as Prometheus's test scripts compare it (`expect warn msg: …`), without a
/// position; ``rendered(in:)`` appends the `(line:col)` of ``position`` as the HTTP API shows it.
public struct Annotation: Sendable, Hashable, CustomStringConvertible {
    /// Prometheus's two annotation levels (`PromQLWarning`, `PromQLInfo`).
    public enum Level: Sendable, Hashable {
        /// The result may be wrong or surprising (`warnings` in the API).
        case warning
        /// The result is right but the query may not do what was meant (`infos` in the API).
        case info
    }

    /// Warning or info.
    public var level: Level
    /// The full message, starting with `PromQL warning: ` or `PromQL info: `.
    public var text: String
    /// The query node the annotation is about (byte offsets into the query text), if known.
    public var position: SourceRange?

    /// An annotation of `level` with the message body `body` (the level prefix is added).
    public init(_ level: Level, _ body: String, position: SourceRange?) {
        self.level = level
        self.text = (level == .warning ? "PromQL warning: " : "PromQL info: ") + body
        self.position = position
    }

    /// The message with its position in `query` as `text (line:col)` (Prometheus `annoErr.Error`
    /// with the query set; line and column 1-based, the column counted in bytes). With an empty
    /// query or no position, just ``text``.
    public func rendered(in query: String) -> String {
        guard !query.isEmpty, let p = position else { return text }
        let bytes = Array(query.utf8)
        guard p.start >= 0, p.start <= bytes.count else { return text + " (invalid position)" }
        var line = 1
        var lastBreak = -1
        for i in 0..<p.start where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lastBreak = i
        }
        return text + " (\(line):\(p.start - lastBreak))"
    }

    public var description: String { text }
}

/// The annotations of one query: deduplicated by message text (the last position seen wins, as
/// in Prometheus's map keyed by `Error()`), kept in first-seen order. Not thread-safe; a value.
public struct Annotations: Sendable {
    /// Every annotation, in first-seen order.
    public private(set) var all: [Annotation] = []
    private var index: [String: Int] = [:]

    /// No annotations.
    public init() {}

    /// Adds `a`, replacing the position of an earlier annotation with the same text.
    public mutating func add(_ a: Annotation) {
        if let i = index[a.text] {
            all[i].position = a.position
        } else {
            index[a.text] = all.count
            all.append(a)
        }
    }

    /// Adds every annotation of `other`.
    public mutating func merge(_ other: Annotations) {
        for a in other.all { add(a) }
    }

    /// True when there are none.
    public var isEmpty: Bool { all.isEmpty }

    /// Warnings then infos as API strings for `query` (Prometheus `AsStrings(query, maxWarnings,
    /// maxInfos)`): at most `maxWarnings`/`maxInfos` of each (0 = all), followed by
    /// `N more warning annotations omitted` / `N more info annotations omitted` when cut.
    public func strings(query: String, maxWarnings: Int = 0, maxInfos: Int = 0) -> (warnings: [String], infos: [String]) {
        var warnings: [String] = [], infos: [String] = []
        var warnSkipped = 0, infoSkipped = 0
        for a in all {
            switch a.level {
            case .warning:
                if maxWarnings == 0 || warnings.count < maxWarnings { warnings.append(a.rendered(in: query)) } else { warnSkipped += 1 }
            case .info:
                if maxInfos == 0 || infos.count < maxInfos { infos.append(a.rendered(in: query)) } else { infoSkipped += 1 }
            }
        }
        if warnSkipped > 0 { warnings.append("\(warnSkipped) more warning annotations omitted") }
        if infoSkipped > 0 { infos.append("\(infoSkipped) more info annotations omitted") }
        return (warnings, infos)
    }
}

// MARK: - The annotations Prometheus 3 defines (util/annotations/annotations.go, same texts)

extension Annotation {
    /// ` for metric name "x"` unless the name is empty (Go `maybeAddMetricName`).
    static func forMetricName(_ name: String?) -> String {
        guard let name, !name.isEmpty else { return "" }
        return " for metric name " + GoQuote.quote(name)
    }

    /// A quantile parameter outside [0, 1] or NaN (`quantile`, `quantile_over_time`, `histogram_quantile`).
    public static func invalidQuantile(_ q: Double, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "quantile value should be between 0 and 1, got \(GoFormat.g(q))", position: pos)
    }

    /// A `limit_ratio` parameter outside [-1, 1], capped to `to`.
    public static func invalidRatio(_ r: Double, cappedTo to: Double, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "ratio value should be between -1 and 1, got \(GoFormat.g(r)), capping to \(GoFormat.g(to))", position: pos)
    }

    /// A range too short to extrapolate a rate.
    public static func rangeTooShort(_ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "range too short; does not contain enough samples to extrapolate rate", position: pos)
    }

    /// A classic bucket whose `le` label is missing or not a float.
    public static func badBucketLabel(metricName: String?, label: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "bucket label \"le\" is missing or has a malformed value of \(GoQuote.quote(label))"
                   + forMetricName(metricName), position: pos)
    }

    /// Floats and histograms mixed where a function cannot handle both.
    public static func mixedFloatsHistograms(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "encountered a mix of histograms and floats for metric name \(GoQuote.quote(metricName))", position: pos)
    }

    /// Floats and histograms mixed in an aggregation.
    public static func mixedFloatsHistogramsAggregation(_ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "encountered a mix of histograms and floats for aggregation", position: pos)
    }

    /// Classic and native histograms of one metric in one vector.
    public static func mixedClassicNativeHistograms(metricName: String?, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "vector contains a mix of classic and native histograms" + forMetricName(metricName), position: pos)
    }

    /// A counter function applied to a gauge histogram.
    public static func nativeHistogramNotCounter(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "this native histogram metric is not a counter: \(GoQuote.quote(metricName))", position: pos)
    }

    /// A gauge function applied to a counter histogram.
    public static func nativeHistogramNotGauge(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "this native histogram metric is not a gauge: \(GoQuote.quote(metricName))", position: pos)
    }

    /// Exponential and custom-bucket histograms mixed.
    public static func mixedExponentialCustomHistograms(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "vector contains a mix of histograms with exponential and custom buckets schemas for metric name \(GoQuote.quote(metricName))",
                   position: pos)
    }

    /// Custom-bucket histograms whose bounds cannot be reconciled.
    public static func incompatibleCustomBucketsHistograms(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "vector contains histograms with incompatible custom buckets for metric name \(GoQuote.quote(metricName))",
                   position: pos)
    }

    /// Two histograms of incompatible layouts in a binary operation (`op` as written, e.g. `+`).
    public static func incompatibleBucketLayoutInBinOp(_ op: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "incompatible bucket layout encountered for binary operator \(op)", position: pos)
    }

    /// `sort`, `sort_desc`, `sort_by_label`, `sort_by_label_desc` in a range query.
    public static func sortInRangeQuery(_ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "sort is ineffective for range queries since results are always ordered by labels", position: pos)
    }

    /// Histograms with conflicting counter-reset hints combined (`operation`: `aggregation`, `addition`, `subtraction`).
    public static func histogramCounterResetCollision(_ operation: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "conflicting counter resets during histogram \(operation)", position: pos)
    }

    /// A sample whose start timestamp is not after the previous sample of its series.
    public static func startTimestampOverlap(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.warning, "sample has start time that overlaps with previous sample timestamp for metric \(GoQuote.quote(metricName))",
                   position: pos)
    }

    /// `rate`/`increase` over floats of a metric whose name does not end in a counter suffix.
    public static func possibleNonCounter(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \(GoQuote.quote(metricName))",
                   position: pos)
    }

    /// `rate`/`increase` over a metric whose `__type__` label is neither `counter` nor `histogram`.
    public static func possibleNonCounterLabel(metricName: String, typeLabel: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "metric might not be a counter, __type__ label is not set to \"counter\" or \"histogram\", got \(GoQuote.quote(typeLabel)): \(GoQuote.quote(metricName))",
                   position: pos)
    }

    /// `histogram_quantile` had to force classic bucket counts to be monotonic.
    public static func histogramQuantileForcedMonotonicity(metricName: String?, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)"
                   + forMetricName(metricName), position: pos)
    }

    /// A binary operator between sample types it cannot combine (`float`/`histogram`), giving no result.
    public static func incompatibleTypesInBinOp(_ lhsType: String, _ op: String, _ rhsType: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "incompatible sample types encountered for binary operator \(GoQuote.quote(op)): \(lhsType) \(op) \(rhsType)",
                   position: pos)
    }

    /// A histogram ignored by an aggregation that only handles floats (`aggregation` e.g. `stddev`).
    public static func histogramIgnoredInAggregation(_ aggregation: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "ignored histogram in \(aggregation) aggregation", position: pos)
    }

    /// Histograms ignored in a range holding both floats and histograms.
    public static func histogramIgnoredInMixedRange(metricName: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "ignored histograms in a range containing both floats and histograms for metric name \(GoQuote.quote(metricName))",
                   position: pos)
    }

    /// `histogram_quantile` over a native histogram whose NaN observations make the result NaN.
    public static func nativeHistogramQuantileNaNResult(metricName: String?, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "input to histogram_quantile has NaN observations, result is NaN" + forMetricName(metricName), position: pos)
    }

    /// `histogram_quantile` over a native histogram whose NaN observations skew the result higher.
    public static func nativeHistogramQuantileNaNSkew(metricName: String?, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "input to histogram_quantile has NaN observations, result is skewed higher" + forMetricName(metricName), position: pos)
    }

    /// `histogram_fraction` over a native histogram with NaN observations.
    public static func nativeHistogramFractionNaNs(metricName: String?, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "input to histogram_fraction has NaN observations, which are excluded from all fractions" + forMetricName(metricName),
                   position: pos)
    }

    /// Custom-bucket histograms with different bounds reconciled (`operation`: `aggregation`, `addition`, `subtraction`).
    public static func mismatchedCustomBuckets(_ operation: String, _ pos: SourceRange?) -> Annotation {
        Annotation(.info, "mismatched custom buckets were reconciled during \(operation)", position: pos)
    }
}

extension GoFormat {
    /// Go's `%g` for a float64 (`strconv.FormatFloat(v, 'g', -1, 64)`): the shortest round-trip
    /// digits, in exponent form `d.ddde±XX` when the decimal exponent is < -4 or ≥ 6 (so `1e+06`),
    /// else plain (`0.0001`, `123456`); `NaN`, `+Inf`, `-Inf`.
    static func g(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        // Swift's description holds the shortest round-trip digits; split it into digits and exponent.
        var s = "\(Swift.abs(v))"
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = String(s[..<e])
        }
        var intPart = s, frac = ""
        if let dot = s.firstIndex(of: ".") {
            intPart = String(s[..<dot])
            frac = String(s[s.index(after: dot)...])
        }
        var digits = Array(intPart + frac)
        var point = intPart.count + exponent  // digits before the decimal point
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let exp = point - 1
        var out = v < 0 ? "-" : ""
        if exp < -4 || exp >= 6 {
            out.append(digits[0])
            if digits.count > 1 { out += "." + String(digits[1...]) }
            out += exp < 0 ? "e-" : "e+"
            let e = Swift.abs(exp)
            out += e < 10 ? "0\(e)" : "\(e)"
        } else if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            out += String(digits) + String(repeating: "0", count: point - digits.count)
        } else {
            out += String(digits[..<point]) + "." + String(digits[point...])
        }
        return out
    }
}
