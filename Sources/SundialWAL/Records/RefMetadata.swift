public import SundialCore

/// Metadata of one series in a metadata record (Prometheus `record.RefMetadata`).
public struct RefMetadata: Sendable, Hashable {
    /// The series the metadata belongs to.
    public var ref: SeriesRef
    /// The metric type.
    public var type: MetricMetadata.MetricType
    /// The unit (may be empty).
    public var unit: String
    /// The help text (may be empty).
    public var help: String

    /// Creates a value from its fields.
    public init(ref: SeriesRef, type: MetricMetadata.MetricType, unit: String, help: String) {
        self.ref = ref
        self.type = type
        self.unit = unit
        self.help = help
    }

    /// The metric type's byte in the WAL (Prometheus `record.MetricType`: unknown 0, counter 1,
    /// gauge 2, histogram 3, gaugehistogram 4, summary 5, info 6, stateset 7).
    public static func byte(for type: MetricMetadata.MetricType) -> UInt8 {
        switch type {
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

    /// The metric type for a WAL byte; unknown bytes map to `.unknown` (as Prometheus does).
    public static func type(for byte: UInt8) -> MetricMetadata.MetricType {
        switch byte {
        case 1: .counter
        case 2: .gauge
        case 3: .histogram
        case 4: .gaugehistogram
        case 5: .summary
        case 6: .info
        case 7: .stateset
        default: .unknown
        }
    }
}
