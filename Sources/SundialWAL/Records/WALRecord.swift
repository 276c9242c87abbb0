/// One decoded WAL record, as ``replay(directory:log:handler:)`` hands it over.
///
/// The arrays are the replayer's reused buffers: a handler that only reads them costs no
/// allocation; one that keeps an array makes the replayer allocate a fresh buffer for the next
/// record of that type (copy-on-write), which is also correct.
public enum WALRecord: Sendable {
    /// Series definitions.
    case series([RefSeries])
    /// Float samples.
    case samples([RefSample])
    /// Deleted intervals.
    case tombstones([RefTombstone])
    /// Exemplars.
    case exemplars([RefExemplar])
    /// Metric metadata.
    case metadata([RefMetadata])
    /// A record this enum has no case for (types 5, 7–14): its type byte and its bytes (including
    /// the type byte). Histogram records (7–10) decode with `RecordDecoder.decodeHistogramSamples`
    /// / `decodeFloatHistogramSamples`.
    case unsupported(type: UInt8, bytes: [UInt8])
}
