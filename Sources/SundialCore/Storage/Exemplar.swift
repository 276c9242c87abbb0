/// An exemplar: a sample with its own small label set (typically a trace id) attached to a series
/// (Prometheus `exemplar.Exemplar`). Timestamps are ms since the epoch.
public struct Exemplar: Sendable, Hashable {
    /// The exemplar's labels (e.g. `trace_id`), sorted; empty-valued labels are dropped by storage.
    public var labels: Labels
    /// The exemplar's value.
    public var value: Double
    /// Time in ms since the epoch.
    public var timestamp: Timestamp

    /// Creates an exemplar from its fields.
    public init(labels: Labels, value: Double, timestamp: Timestamp) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// Prometheus `Exemplar.Equals`: same labels, same timestamp and equal values (`==` on the
    /// floats, so NaN never equals NaN, as in Go).
    public static func == (a: Exemplar, b: Exemplar) -> Bool {
        a.labels == b.labels && a.timestamp == b.timestamp && a.value == b.value
    }

    /// Hashes consistently with `==` (the value is left out: `0.0 == -0.0`).
    public func hash(into h: inout Hasher) {
        h.combine(labels)
        h.combine(timestamp)
    }

    /// Prometheus `exemplar.ExemplarMaxLabelSetLength`: at most 128 UTF-8 runes over every label
    /// name and value of an exemplar (quotes, `=` and commas not counted).
    public static let maxLabelSetRunes = 128
}

/// What storage did with an exemplar it did not refuse.
public enum ExemplarAppendOutcome: Sendable, Hashable {
    /// Accepted: an appender stores it at commit (unless a concurrent batch stored a newer
    /// exemplar of the series first); a store called directly has stored it.
    case accepted
    /// The same as the series' newest stored exemplar: accepted and ignored (Prometheus
    /// `ErrDuplicateExemplar`, which its appenders do not report as an error).
    case duplicate
    /// This storage keeps no exemplars (not supported, or the limit is 0): dropped.
    case notStored
}

/// Why storage refused an exemplar (Prometheus's exemplar storage errors). The samples of the batch
/// are unaffected.
public struct ExemplarError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// Not newer than the series' newest stored exemplar (`out of order exemplar`).
        case outOfOrder = "out of order exemplar"
        /// More than ``Exemplar/maxLabelSetRunes`` runes of label names and values
        /// (`exemplar label set is too long`).
        case labelSetTooLong = "exemplar label set is too long"
        /// No series with these labels exists (`unknown HeadSeriesRef when trying to add exemplar`).
        case unknownSeries = "unknown series when trying to add exemplar"
    }
    /// The refusal's kind.
    public var reason: Reason
    /// The series the exemplar was for.
    public var labels: Labels
    /// The refused exemplar.
    public var exemplar: Exemplar

    /// Creates an error.
    public init(_ reason: Reason, labels: Labels, exemplar: Exemplar) {
        self.reason = reason
        self.labels = labels
        self.exemplar = exemplar
    }

    public var description: String {
        "\(reason.rawValue) for series \(labels): exemplar \(exemplar.labels) value \(exemplar.value) at timestamp \(exemplar.timestamp)"
    }
}

/// The exemplars of one series in a query result (Prometheus `exemplar.QueryResult`).
public struct ExemplarSeries: Sendable, Hashable {
    /// The series' labels.
    public var seriesLabels: Labels
    /// Its exemplars in the queried range, oldest first.
    public var exemplars: [Exemplar]

    /// Creates a result from its fields.
    public init(seriesLabels: Labels, exemplars: [Exemplar]) {
        self.seriesLabels = seriesLabels
        self.exemplars = exemplars
    }
}

/// Storage that answers exemplar queries (Prometheus `storage.ExemplarQuerier`). Thread-safe.
public protocol ExemplarQueryable: Sendable {
    /// The exemplars with `start <= t <= end` (ms, closed) of the series matching at least one
    /// of `matcherSets` (each set: every matcher matches; a missing label is ""), one entry per
    /// series with at least one exemplar in range, sorted by series labels.
    func selectExemplars(start: Timestamp, end: Timestamp, matcherSets: [[LabelMatcher]]) throws -> [ExemplarSeries]
}
