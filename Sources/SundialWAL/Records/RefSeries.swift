public import SundialCore

/// One series definition in a series record: the head's reference for it and its labels.
public struct RefSeries: Sendable, Hashable {
    /// The head series reference the samples records use.
    public var ref: SeriesRef
    /// The series' label set.
    public var labels: Labels

    /// Creates a value from its fields.
    public init(ref: SeriesRef, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }
}
