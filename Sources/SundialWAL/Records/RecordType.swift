/// The type of a WAL record: the first byte of a reassembled record
/// (Prometheus `tsdb/record/record.go`, `Type`; docs/format/wal.md "Record encoding").
///
/// Sundial writes types 1–8 (what Prometheus 2.42 reads), and 9/10 (custom-bucket histograms,
/// newer Prometheus) only for schema -53 histograms. The generic decoder reports types 5 and 7–14
/// as ``WALRecord/unsupported(type:bytes:)``; histogram records (7–10) are decoded by
/// ``RecordDecoder/decodeHistogramSamples(_:into:)`` and ``RecordDecoder/decodeFloatHistogramSamples(_:into:)``.
public enum RecordType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Series definitions: ref and labels.
    case series = 1
    /// Float samples.
    case samples = 2
    /// Deletion intervals.
    case tombstones = 3
    /// Exemplars.
    case exemplars = 4
    /// Out-of-order write-behind-log mmap markers (Prometheus only; not decoded by Sundial).
    case mmapMarkers = 5
    /// Metric metadata (type, unit, help).
    case metadata = 6
    /// Native histogram samples (see `RecordCodec+Histogram.swift`).
    case histogramSamples = 7
    /// Native float histogram samples (see `RecordCodec+Histogram.swift`).
    case floatHistogramSamples = 8

    /// A human-readable rendering, for logs and test failures.
    public var description: String {
        switch self {
        case .series: "series"
        case .samples: "samples"
        case .tombstones: "tombstones"
        case .exemplars: "exemplars"
        case .mmapMarkers: "mmapmarkers"
        case .metadata: "metadata"
        case .histogramSamples: "histogram_samples"
        case .floatHistogramSamples: "float_histogram_samples"
        }
    }
}
