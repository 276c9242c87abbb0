public import SundialCore

/// One float sample in a samples record.
public struct RefSample: Sendable, Hashable {
    /// The series the sample belongs to.
    public var ref: SeriesRef
    /// Timestamp in milliseconds since the epoch.
    public var t: Timestamp
    /// The value. Stale markers and other NaNs keep their exact bits through the WAL, but note
    /// that `==` on NaN values is false: compare `v.bitPattern` in tests.
    public var v: Double

    /// Creates a value from its fields.
    public init(ref: SeriesRef, t: Timestamp, v: Double) {
        self.ref = ref
        self.t = t
        self.v = v
    }

    /// Equality by bits of the value (so NaN samples compare equal to themselves).
    public static func == (a: RefSample, b: RefSample) -> Bool {
        a.ref == b.ref && a.t == b.t && a.v.bitPattern == b.v.bitPattern
    }

    /// Hashes consistently with `==`.
    public func hash(into h: inout Hasher) {
        h.combine(ref)
        h.combine(t)
        h.combine(v.bitPattern)
    }
}
