public import SundialCore

/// A deleted interval of one series, as a tombstones record stores it.
public struct RefTombstone: Sendable, Hashable {
    /// The series the deletion applies to.
    public var ref: SeriesRef
    /// First deleted timestamp, milliseconds, inclusive.
    public var minTime: Timestamp
    /// Last deleted timestamp, milliseconds, inclusive.
    public var maxTime: Timestamp

    /// Creates a value from its fields.
    public init(ref: SeriesRef, minTime: Timestamp, maxTime: Timestamp) {
        self.ref = ref
        self.minTime = minTime
        self.maxTime = maxTime
    }
}
