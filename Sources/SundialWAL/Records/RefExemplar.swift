public import SundialCore

/// One exemplar in an exemplars record: a sample with its own labels (e.g. a trace id),
/// attached to a series.
public struct RefExemplar: Sendable, Hashable {
    /// The series the exemplar belongs to.
    public var ref: SeriesRef
    /// Timestamp in milliseconds since the epoch.
    public var t: Timestamp
    /// The exemplar's value.
    public var v: Double
    /// The exemplar's labels.
    public var labels: Labels

    /// Creates a value from its fields.
    public init(ref: SeriesRef, t: Timestamp, v: Double, labels: Labels) {
        self.ref = ref
        self.t = t
        self.v = v
        self.labels = labels
    }

    /// Equality by bits of the value.
    public static func == (a: RefExemplar, b: RefExemplar) -> Bool {
        a.ref == b.ref && a.t == b.t && a.v.bitPattern == b.v.bitPattern && a.labels == b.labels
    }

    /// Hashes consistently with `==`.
    public func hash(into h: inout Hasher) {
        h.combine(ref)
        h.combine(t)
        h.combine(v.bitPattern)
        h.combine(labels)
    }
}
