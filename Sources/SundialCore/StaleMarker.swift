/// Prometheus's staleness marker: a NaN with one exact bit pattern
/// (`model/value/value.go`, `StaleNaN = 0x7ff0000000000002`). It must be compared by
/// bits: an arithmetic NaN (`0x7ff8000000000001` in Go) is not a stale marker.
public enum StaleMarker {
    /// The exact IEEE-754 bits of a stale marker.
    public static let bits: UInt64 = 0x7ff0_0000_0000_0002
    /// The stale marker as a `Double`.
    public static let value = Double(bitPattern: bits)

    /// True only for the exact stale-marker bit pattern.
    @inlinable
    public static func isStale(_ v: Double) -> Bool { v.bitPattern == bits }
}
