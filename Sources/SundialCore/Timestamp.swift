/// Milliseconds since the Unix epoch (UTC). Every timestamp in storage and in the
/// engine uses this unit; Swift `Duration` appears only in configuration and at API edges.
public typealias Timestamp = Int64

/// The smallest and largest timestamps a query may name (Prometheus uses the
/// same bounds for its "min/max time" API sentinels, scaled to milliseconds).
public enum TimestampLimits {
    /// Earliest representable instant; used as an open lower bound.
    public static let min: Timestamp = Int64.min / 2
    /// Latest representable instant; used as an open upper bound.
    public static let max: Timestamp = Int64.max / 2
}
