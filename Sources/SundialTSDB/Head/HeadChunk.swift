/// A chunk of one head series: its XOR-encoded bytes (complete chunk data, sample-count header
/// included) and the closed time range `[minTime, maxTime]` (ms) of its samples.
///
/// Full chunks are immutable once cut; the bytes array is shared (copy-on-write) with queriers
/// that snapshot it.
public struct HeadChunk: Sendable {
    /// Timestamp of the first sample (ms).
    public var minTime: Int64
    /// Timestamp of the last sample (ms).
    public var maxTime: Int64
    /// The XOR chunk data (Prometheus encoding 1).
    public var bytes: [UInt8]

    public init(minTime: Int64, maxTime: Int64, bytes: [UInt8]) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.bytes = bytes
    }

    /// True when `[minTime, maxTime]` intersects the closed range `[mint, maxt]`.
    @inlinable
    public func overlaps(_ mint: Int64, _ maxt: Int64) -> Bool { minTime <= maxt && maxTime >= mint }
}
