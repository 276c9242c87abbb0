public import SundialCore
import SundialEncoding

/// The PromQL evaluation the query endpoints call. The composition root adapts the engine to it
/// (see `Engine+QueryEvaluator.swift`), so handlers stay thin and tests can substitute a fake.
/// Implementations must be thread-safe.
public protocol QueryEvaluator: Sendable {
    /// Evaluates `query` at `time` (ms). `timeout` overrides the engine's default when non-nil.
    /// - Throws: ``APIError`` with Prometheus's error type (bad_data for parse errors, execution,
    ///   timeout, canceled...).
    func instantQuery(_ query: String, time: Timestamp, timeout: Duration?) async throws(APIError) -> QueryData

    /// Evaluates `query` at every step of `[start, end]` (closed, ms; `step` > 0 ms).
    func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, timeout: Duration?) async throws(APIError) -> QueryData

    /// Pretty-prints `query` (for `/api/v1/format_query`).
    func format(_ query: String) throws(APIError) -> String

    /// The label matchers of a series selector (for `match[]`), as Prometheus's `ParseMetricSelector`.
    func parseSelector(_ selector: String) throws(APIError) -> [LabelMatcher]

    /// True when `query` parses and contains at least one vector selector (for `/api/v1/query_exemplars`).
    func hasSelectors(_ query: String) throws(APIError) -> Bool

    /// The matchers of every vector selector of `query` (Prometheus `parser.ExtractSelectors`, for
    /// `/api/v1/query_exemplars`); empty when it has none.
    func selectorMatchers(_ query: String) throws(APIError) -> [[LabelMatcher]]
}

extension QueryEvaluator {
    /// Default: ``PromQLFrontEnd/selectorMatchers(_:options:)`` with Prometheus 2.42 syntax.
    public func selectorMatchers(_ query: String) throws(APIError) -> [[LabelMatcher]] {
        try PromQLFrontEnd.selectorMatchers(query)
    }
}

/// One PromQL result, in the shape the JSON API renders.
public struct QueryData: Sendable {
    /// One series of an instant vector: a float `value`, or a native histogram when `histogram`
    /// is set (then `value` is unused).
    public struct InstantSample: Sendable {
        public var labels: Labels
        public var timestamp: Timestamp
        public var value: Double
        public var histogram: FloatHistogram?
        public init(labels: Labels, timestamp: Timestamp, value: Double, histogram: FloatHistogram? = nil) {
            self.labels = labels
            self.timestamp = timestamp
            self.value = value
            self.histogram = histogram
        }
    }
    /// One series of a range vector: `timestamps[i]` (ms) goes with `values[i]`, and
    /// `histogramTimestamps[i]` with `histograms[i]` (native-histogram points; no time in both).
    public struct RangeSeries: Sendable {
        public var labels: Labels
        public var timestamps: [Timestamp]
        public var values: [Double]
        public var histogramTimestamps: [Timestamp]
        public var histograms: [FloatHistogram]
        public init(labels: Labels, timestamps: [Timestamp], values: [Double],
                    histogramTimestamps: [Timestamp] = [], histograms: [FloatHistogram] = []) {
            self.labels = labels
            self.timestamps = timestamps
            self.values = values
            self.histogramTimestamps = histogramTimestamps
            self.histograms = histograms
        }
    }
    /// The value kinds of `resultType`.
    public enum Value: Sendable {
        case scalar(Timestamp, Double)
        case string(Timestamp, String)
        case vector([InstantSample])
        case matrix([RangeSeries])
    }
    public var value: Value
    /// Warnings to return in the envelope's `warnings`.
    public var warnings: [String]
    /// Info-level annotations to return in the envelope's `infos` (Prometheus 3).
    public var infos: [String]

    public init(_ value: Value, warnings: [String] = [], infos: [String] = []) {
        self.value = value
        self.warnings = warnings
        self.infos = infos
    }

    /// Writes `{"resultType":…,"result":…}` as Prometheus's `queryData` marshals it
    /// (`web/api/v1/json_codec.go`, identical in 2.42 and 3.x for these shapes): a vector sample has
    /// `"value":[t,"v"]` or, for a native histogram, `"histogram":[t,{…}]`; a matrix series has
    /// `"values"` only when it has float points and `"histograms"` only when it has histogram
    /// points (see ``JSONWriter/histogram(_:)``).
    public func writeJSON(to w: inout JSONWriter) {
        switch value {
        case .scalar(let t, let v):
            // A scalar result is marshalled by `promql.Scalar.MarshalJSON` (2.42 and 3.x):
            // `strconv.FormatFloat(v, 'f', -1, 64)`, never `'e'` (`0.000000000565`), unlike points.
            w.raw(#"{"resultType":"scalar","result":["#)
            w.timestamp(t)
            w.raw(#",""#)
            GoFloatFormat.appendF(v, to: &w.bytes)
            w.raw(#""]"#)
        case .string(let t, let s):
            w.raw(#"{"resultType":"string","result":["#)
            w.timestamp(t)
            w.byte(UInt8(ascii: ","))
            w.string(s)
            w.byte(UInt8(ascii: "]"))
        case .vector(let samples):
            w.raw(#"{"resultType":"vector","result":["#)
            for (i, s) in samples.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw(#"{"metric":"#)
                w.labels(s.labels)
                if let h = s.histogram {
                    w.raw(#","histogram":"#)
                    w.histogramPoint(s.timestamp, h)
                } else {
                    w.raw(#","value":"#)
                    w.point(s.timestamp, s.value)
                }
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        case .matrix(let series):
            w.raw(#"{"resultType":"matrix","result":["#)
            for (i, s) in series.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw(#"{"metric":"#)
                w.labels(s.labels)
                let nf = Swift.min(s.timestamps.count, s.values.count)
                if nf > 0 {
                    w.raw(#","values":["#)
                    for j in 0..<nf {
                        if j > 0 { w.byte(UInt8(ascii: ",")) }
                        w.point(s.timestamps[j], s.values[j])
                    }
                    w.byte(UInt8(ascii: "]"))
                }
                let nh = Swift.min(s.histogramTimestamps.count, s.histograms.count)
                if nh > 0 {
                    w.raw(#","histograms":["#)
                    for j in 0..<nh {
                        if j > 0 { w.byte(UInt8(ascii: ",")) }
                        w.histogramPoint(s.histogramTimestamps[j], s.histograms[j])
                    }
                    w.byte(UInt8(ascii: "]"))
                }
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "}"))
    }

    /// A rough size of the JSON in bytes, to reserve the writer's buffer once.
    public var estimatedJSONSize: Int {
        switch value {
        case .scalar, .string: 128
        case .vector(let v): 64 + v.count * 160 + v.reduce(0) { $0 + ($1.histogram.map(Self.estimatedSize) ?? 0) }
        case .matrix(let m):
            64 + m.reduce(0) { $0 + 120 + $1.timestamps.count * 28 + $1.histograms.reduce(0) { $0 + 16 + Self.estimatedSize($1) } }
        }
    }

    /// A rough size of one histogram's JSON, bytes.
    static func estimatedSize(_ h: FloatHistogram) -> Int {
        48 + (h.positiveBuckets.count + h.negativeBuckets.count + 1) * 56
    }
}
