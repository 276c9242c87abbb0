public import SundialCore
import SundialEncoding

/// A remote-write request as plain values, for building bodies (tests, benchmarks, the HTTP
/// layer's tests) and inspecting decoded ones. Off the hot path: it allocates freely. The
/// receiver itself decodes with ``RemoteWriteDecoder`` into reused buffers.
///
/// Encodes both 1.0 (`prometheus.WriteRequest`) and 2.0 (`io.prometheus.write.v2.Request`);
/// doubles compare by bit pattern, so NaNs and stale markers round-trip exactly.
public struct RemoteWriteRequest: Sendable, Equatable {
    /// One float sample. `startTimestamp` is 2.0 only (0 = unset).
    public struct Sample: Sendable, Equatable {
        /// Sample value (any bits, NaN and stale markers included).
        public var value: Double
        /// Sample time, ms since the epoch.
        public var timestamp: Timestamp
        /// 2.0 `start_timestamp`, ms (0 = unset).
        public var startTimestamp: Timestamp
        public init(value: Double, timestamp: Timestamp, startTimestamp: Timestamp = 0) {
            self.value = value
            self.timestamp = timestamp
            self.startTimestamp = startTimestamp
        }
        public static func == (a: Sample, b: Sample) -> Bool {
            a.value.bitPattern == b.value.bitPattern && a.timestamp == b.timestamp && a.startTimestamp == b.startTimestamp
        }
    }

    /// One exemplar.
    public struct Exemplar: Sendable, Equatable {
        /// Exemplar labels (e.g. a trace id).
        public var labels: [Label]
        /// Exemplar value.
        public var value: Double
        /// Exemplar time, ms.
        public var timestamp: Timestamp
        public init(labels: [Label], value: Double, timestamp: Timestamp) {
            self.labels = labels
            self.value = value
            self.timestamp = timestamp
        }
        public static func == (a: Exemplar, b: Exemplar) -> Bool {
            a.labels == b.labels && a.value.bitPattern == b.value.bitPattern && a.timestamp == b.timestamp
        }
    }

    /// A native histogram sample: either the short form (integer, positive buckets only; the
    /// stored properties below) or any ``SundialCore/Histogram`` / ``FloatHistogram`` in ``value``
    /// (then the short-form properties are ignored when encoding).
    public struct Histogram: Sendable, Equatable {
        /// Histogram sample time, ms.
        public var timestamp: Timestamp
        /// Observation count (`count_int`).
        public var count: UInt64
        /// Sum of observations.
        public var sum: Double
        /// Bucket resolution schema (−4 ... 8).
        public var schema: Int32
        /// `(offset, length)` spans.
        public var positiveSpans: [(Int32, UInt32)]
        /// Bucket counts as deltas, one per bucket of the spans.
        public var positiveDeltas: [Int64]
        /// The full histogram, when built with ``init(timestamp:histogram:)`` or ``init(timestamp:floatHistogram:)``.
        public var value: HistogramValue?

        public init(timestamp: Timestamp, count: UInt64, sum: Double, schema: Int32,
                    positiveSpans: [(Int32, UInt32)] = [], positiveDeltas: [Int64] = [])
        {
            self.timestamp = timestamp
            self.count = count
            self.sum = sum
            self.schema = schema
            self.positiveSpans = positiveSpans
            self.positiveDeltas = positiveDeltas
            self.value = nil
        }

        /// An integer histogram with every field (negative buckets, zero bucket, reset hint, custom values).
        public init(timestamp: Timestamp, histogram h: SundialCore.Histogram) {
            self.init(timestamp: timestamp, count: h.count, sum: h.sum, schema: h.schema)
            value = .integer(h)
        }

        /// A float histogram (sent with `count_float`, `zero_count_float` and `*_counts`).
        public init(timestamp: Timestamp, floatHistogram h: FloatHistogram) {
            self.init(timestamp: timestamp, count: 0, sum: h.sum, schema: h.schema)
            value = .float(h)
        }

        public static func == (a: Histogram, b: Histogram) -> Bool {
            a.timestamp == b.timestamp && a.count == b.count && a.sum.bitPattern == b.sum.bitPattern && a.schema == b.schema
                && a.positiveSpans.elementsEqual(b.positiveSpans, by: { $0 == $1 }) && a.positiveDeltas == b.positiveDeltas
                && a.value == b.value
        }
    }

    /// 2.0 per-series metadata.
    public struct SeriesMetadata: Sendable, Equatable {
        /// Metric type.
        public var type: MetricMetadata.MetricType
        /// Help text.
        public var help: String
        /// Unit.
        public var unit: String
        public init(type: MetricMetadata.MetricType, help: String = "", unit: String = "") {
            self.type = type
            self.help = help
            self.unit = unit
        }
    }

    /// One TimeSeries. `labels` are written in the order given (senders must sort them).
    public struct Series: Sendable, Equatable {
        /// Series labels, in the order written.
        public var labels: [Label]
        /// Float samples.
        public var samples: [Sample]
        /// Exemplars.
        public var exemplars: [Exemplar]
        /// Native histogram samples.
        public var histograms: [Histogram]
        /// 2.0 only.
        public var metadata: SeriesMetadata?
        public init(labels: [Label], samples: [Sample] = [], exemplars: [Exemplar] = [], histograms: [Histogram] = [],
                    metadata: SeriesMetadata? = nil)
        {
            self.labels = labels
            self.samples = samples
            self.exemplars = exemplars
            self.histograms = histograms
            self.metadata = metadata
        }
    }

    /// The TimeSeries, in order.
    public var series: [Series]
    /// 1.0 `WriteRequest.metadata`.
    public var metadata: [MetricMetadata]

    public init(series: [Series] = [], metadata: [MetricMetadata] = []) {
        self.series = series
        self.metadata = metadata
    }

    // MARK: - Encoding

    /// The protobuf body (uncompressed) for `version`.
    public func encoded(_ version: RemoteWriteVersion) -> [UInt8] {
        switch version {
        case .v1: encodeV1()
        case .v2: encodeV2()
        }
    }

    /// The snappy-compressed body for `version`, as a sender posts it.
    public func compressed(_ version: RemoteWriteVersion) -> [UInt8] {
        Snappy.compress(encoded(version))
    }

    static func typeNumber(_ t: MetricMetadata.MetricType) -> UInt64 {
        switch t {
        case .unknown: 0
        case .counter: 1
        case .gauge: 2
        case .histogram: 3
        case .gaugehistogram: 4
        case .summary: 5
        case .info: 6
        case .stateset: 7
        }
    }

    func encodeV1() -> [UInt8] {
        var out: [UInt8] = []
        for s in series {
            let ts = out.beginProtoLengthDelimited(1)
            for l in s.labels { Self.appendLabel(&out, 1, l) }
            for x in s.samples {
                let t = out.beginProtoLengthDelimited(2)
                out.appendProtoDoubleIfNonZero(1, x.value)
                out.appendProtoInt64IfNonZero(2, x.timestamp)
                out.endProtoLengthDelimited(t)
            }
            for e in s.exemplars {
                let t = out.beginProtoLengthDelimited(3)
                for l in e.labels { Self.appendLabel(&out, 1, l) }
                out.appendProtoDoubleIfNonZero(2, e.value)
                out.appendProtoInt64IfNonZero(3, e.timestamp)
                out.endProtoLengthDelimited(t)
            }
            for h in s.histograms { Self.appendHistogram(&out, 4, h) }
            out.endProtoLengthDelimited(ts)
        }
        for m in metadata {
            let t = out.beginProtoLengthDelimited(3)
            if Self.typeNumber(m.type) != 0 { out.appendProtoVarint(1, Self.typeNumber(m.type)) }
            if !m.metricFamily.isEmpty { out.appendProtoString(2, m.metricFamily) }
            if !m.help.isEmpty { out.appendProtoString(4, m.help) }
            if !m.unit.isEmpty { out.appendProtoString(5, m.unit) }
            out.endProtoLengthDelimited(t)
        }
        return out
    }

    func encodeV2() -> [UInt8] {
        var symbols: [String] = [""]
        var index: [String: UInt32] = ["": 0]
        func ref(_ s: String) -> UInt32 {
            if let r = index[s] { return r }
            let r = UInt32(symbols.count)
            symbols.append(s)
            index[s] = r
            return r
        }
        var body: [UInt8] = []
        for s in series {
            let ts = body.beginProtoLengthDelimited(5)
            if !s.labels.isEmpty {
                let p = body.beginProtoLengthDelimited(1)
                for l in s.labels {
                    body.appendUVarint(UInt64(ref(l.name)))
                    body.appendUVarint(UInt64(ref(l.value)))
                }
                body.endProtoLengthDelimited(p)
            }
            for x in s.samples {
                let t = body.beginProtoLengthDelimited(2)
                body.appendProtoDoubleIfNonZero(1, x.value)
                body.appendProtoInt64IfNonZero(2, x.timestamp)
                body.appendProtoInt64IfNonZero(3, x.startTimestamp)
                body.endProtoLengthDelimited(t)
            }
            for h in s.histograms { Self.appendHistogram(&body, 3, h) }
            for e in s.exemplars {
                let t = body.beginProtoLengthDelimited(4)
                if !e.labels.isEmpty {
                    let p = body.beginProtoLengthDelimited(1)
                    for l in e.labels {
                        body.appendUVarint(UInt64(ref(l.name)))
                        body.appendUVarint(UInt64(ref(l.value)))
                    }
                    body.endProtoLengthDelimited(p)
                }
                body.appendProtoDoubleIfNonZero(2, e.value)
                body.appendProtoInt64IfNonZero(3, e.timestamp)
                body.endProtoLengthDelimited(t)
            }
            if let m = s.metadata {
                let t = body.beginProtoLengthDelimited(5)
                if Self.typeNumber(m.type) != 0 { body.appendProtoVarint(1, Self.typeNumber(m.type)) }
                let h = ref(m.help), u = ref(m.unit)
                if h != 0 { body.appendProtoVarint(3, UInt64(h)) }
                if u != 0 { body.appendProtoVarint(4, UInt64(u)) }
                body.endProtoLengthDelimited(t)
            }
            body.endProtoLengthDelimited(ts)
        }
        var out: [UInt8] = []
        for s in symbols { out.appendProtoString(4, s) }
        out.append(contentsOf: body)
        return out
    }

    static func appendLabel(_ out: inout [UInt8], _ field: UInt32, _ l: Label) {
        let t = out.beginProtoLengthDelimited(field)
        out.appendProtoString(1, l.name)
        out.appendProtoString(2, l.value)
        out.endProtoLengthDelimited(t)
    }

    static func appendHistogram(_ out: inout [UInt8], _ field: UInt32, _ h: Histogram) {
        let t = out.beginProtoLengthDelimited(field)
        switch h.value {
        case nil:
            out.appendProtoVarint(1, h.count)
            out.appendProtoDouble(3, h.sum)
            out.appendProtoSignedVarint(4, Int64(h.schema))
            appendSpans(&out, 11, h.positiveSpans.map { HistogramSpan(offset: $0.0, length: $0.1) })
            appendDeltas(&out, 12, h.positiveDeltas)
        case .integer(let x):
            out.appendProtoVarint(1, x.count)
            out.appendProtoDouble(3, x.sum)
            out.appendProtoSignedVarint(4, Int64(x.schema))
            out.appendProtoDoubleIfNonZero(5, x.zeroThreshold)
            if x.zeroCount != 0 { out.appendProtoVarint(6, x.zeroCount) }
            appendSpans(&out, 8, x.negativeSpans)
            appendDeltas(&out, 9, x.negativeBuckets)
            appendSpans(&out, 11, x.positiveSpans)
            appendDeltas(&out, 12, x.positiveBuckets)
            if x.counterResetHint != .unknown { out.appendProtoVarint(14, UInt64(x.counterResetHint.rawValue)) }
            appendDoubles(&out, 16, x.customValues)
        case .float(let x):
            out.appendProtoDouble(2, x.count)
            out.appendProtoDouble(3, x.sum)
            out.appendProtoSignedVarint(4, Int64(x.schema))
            out.appendProtoDoubleIfNonZero(5, x.zeroThreshold)
            out.appendProtoDouble(7, x.zeroCount)
            appendSpans(&out, 8, x.negativeSpans)
            appendDoubles(&out, 10, x.negativeBuckets)
            appendSpans(&out, 11, x.positiveSpans)
            appendDoubles(&out, 13, x.positiveBuckets)
            if x.counterResetHint != .unknown { out.appendProtoVarint(14, UInt64(x.counterResetHint.rawValue)) }
            appendDoubles(&out, 16, x.customValues)
        }
        out.appendProtoInt64IfNonZero(15, h.timestamp)
        out.endProtoLengthDelimited(t)
    }

    /// Repeated `BucketSpan { sint32 offset = 1; uint32 length = 2; }`.
    static func appendSpans(_ out: inout [UInt8], _ field: UInt32, _ spans: [HistogramSpan]) {
        for span in spans {
            let s = out.beginProtoLengthDelimited(field)
            if span.offset != 0 { out.appendProtoSignedVarint(1, Int64(span.offset)) }
            if span.length != 0 { out.appendProtoVarint(2, UInt64(span.length)) }
            out.endProtoLengthDelimited(s)
        }
    }

    /// Packed `sint64`.
    static func appendDeltas(_ out: inout [UInt8], _ field: UInt32, _ deltas: [Int64]) {
        guard !deltas.isEmpty else { return }
        let p = out.beginProtoLengthDelimited(field)
        for d in deltas { out.appendVarint(d) }
        out.endProtoLengthDelimited(p)
    }

    /// Packed `double`.
    static func appendDoubles(_ out: inout [UInt8], _ field: UInt32, _ values: [Double]) {
        guard !values.isEmpty else { return }
        let p = out.beginProtoLengthDelimited(field)
        for v in values { out.appendLE64(v.bitPattern) }
        out.endProtoLengthDelimited(p)
    }
}
