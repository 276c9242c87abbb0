public import SundialCore

/// One sample of an instant vector: a series' labels, the evaluation time and the value.
///
/// The value is a float, or a native histogram when `histogram` is set (then `value` is unused and 0).
public struct VectorSample: Sendable, Equatable {
    /// The series' labels after evaluation (e.g. without `__name__` after `rate`).
    public var labels: Labels
    /// Evaluation time, ms.
    public var timestamp: Timestamp
    /// The float value (unused when `histogram` is set).
    public var value: Double
    /// The native-histogram value, or nil for a float sample.
    public var histogram: FloatHistogram?

    /// A float sample.
    public init(labels: Labels, timestamp: Timestamp, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
        self.histogram = nil
    }

    /// A native-histogram sample.
    public init(labels: Labels, timestamp: Timestamp, histogram: FloatHistogram) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = 0
        self.histogram = histogram
    }

    /// NaN-tolerant, bit-insensitive equality (NaN equals NaN).
    public static func == (a: VectorSample, b: VectorSample) -> Bool {
        a.labels == b.labels && a.timestamp == b.timestamp && a.histogram == b.histogram
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// One series of a range-vector result: labels, float points and native-histogram points, each in
/// time order (Prometheus `promql.Series` with `Floats` and `Histograms`; no time appears in both).
public struct SeriesResult: Sendable, Equatable {
    /// The series' labels.
    public var labels: Labels
    /// Float point times, ms, ascending; `timestamps[i]` goes with `values[i]`.
    public var timestamps: [Timestamp]
    /// Float point values.
    public var values: [Double]
    /// Histogram point times, ms, ascending; `histogramTimestamps[i]` goes with `histograms[i]`.
    public var histogramTimestamps: [Timestamp]
    /// Histogram point values.
    public var histograms: [FloatHistogram]

    /// A series.
    public init(labels: Labels, timestamps: [Timestamp], values: [Double],
                histogramTimestamps: [Timestamp] = [], histograms: [FloatHistogram] = []) {
        self.labels = labels
        self.timestamps = timestamps
        self.values = values
        self.histogramTimestamps = histogramTimestamps
        self.histograms = histograms
    }

    /// NaN-tolerant equality.
    public static func == (a: SeriesResult, b: SeriesResult) -> Bool {
        a.labels == b.labels && a.timestamps == b.timestamps && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
            && a.histogramTimestamps == b.histogramTimestamps && a.histograms == b.histograms
    }
}

/// The value a query produces (Prometheus's `parser.Value`): scalar, string, instant vector or matrix.
public enum QueryValue: Sendable, Equatable {
    /// A scalar at a time (ms).
    case scalar(Timestamp, Double)
    /// A string at a time (ms).
    case string(Timestamp, String)
    /// An instant vector, in the engine's output order (sorted only where PromQL sorts, e.g. `sort()`).
    case vector([VectorSample])
    /// A range vector: every range query result, and instant queries of a range selector. Sorted by labels.
    case matrix([SeriesResult])

    /// `scalar`, `string`, `vector` or `matrix`, the API's `resultType`.
    public var resultType: String {
        switch self {
        case .scalar: "scalar"
        case .string: "string"
        case .vector: "vector"
        case .matrix: "matrix"
        }
    }

    public static func == (a: QueryValue, b: QueryValue) -> Bool {
        switch (a, b) {
        case (.scalar(let t1, let v1), .scalar(let t2, let v2)): t1 == t2 && (v1 == v2 || (v1.isNaN && v2.isNaN))
        case (.string(let t1, let s1), .string(let t2, let s2)): t1 == t2 && s1 == s2
        case (.vector(let x), .vector(let y)): x == y
        case (.matrix(let x), .matrix(let y)): x == y
        default: false
        }
    }
}

/// The outcome of a successful query.
public struct QueryResult: Sendable {
    /// The value.
    public var value: QueryValue
    /// Warnings (Prometheus's annotations of level warning), e.g. from storage.
    public var warnings: [String]
    /// Informational annotations (Prometheus 3 `infos`).
    public var infos: [String]
    /// Samples read from storage or produced by subqueries while evaluating (`totalQueryableSamples`).
    public var samplesProcessed: Int
    /// The PromQL annotations (v3 semantics only), structured; ``warnings`` and ``infos`` hold
    /// them as text too, with their `(line:col)` when the query was given as text.
    public var annotations: [Annotation] = []

    /// A result.
    public init(value: QueryValue, warnings: [String] = [], infos: [String] = [], samplesProcessed: Int = 0) {
        self.value = value
        self.warnings = warnings
        self.infos = infos
        self.samplesProcessed = samplesProcessed
    }

    /// A result carrying `annotations`, appended as text (without positions) to `warnings` and `infos`.
    public init(value: QueryValue, warnings: [String] = [], annotations: Annotations, samplesProcessed: Int) {
        self.init(value: value, warnings: warnings, samplesProcessed: samplesProcessed)
        self.annotations = annotations.all
        for a in annotations.all {
            switch a.level {
            case .warning: self.warnings.append(a.text)
            case .info: self.infos.append(a.text)
            }
        }
    }

    /// Rewrites the annotation texts in ``warnings`` and ``infos`` with their position in `query`
    /// (`text (line:col)`, as Prometheus's API prints them).
    public mutating func positionAnnotations(in query: String) {
        for a in annotations {
            let rendered = a.rendered(in: query)
            switch a.level {
            case .warning: if let i = warnings.firstIndex(of: a.text) { warnings[i] = rendered }
            case .info: if let i = infos.firstIndex(of: a.text) { infos[i] = rendered }
            }
        }
    }
}
