public import SundialCore

/// Why one sample (or histogram) of a remote-write request was not written. The rest of its
/// request is unaffected.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Older than the newest sample of its series (`out of order sample`).
    case outOfOrder = "out of order sample"
    /// Same timestamp as the newest sample, different value (`duplicate sample for timestamp`).
    case duplicateTimestamp = "duplicate sample for timestamp"
    /// Older than the head's appendable window (`out of bounds`, too old).
    case outOfBounds = "out of bounds"
    /// More than ``RemoteWriteOptions/maxFutureMs`` ahead of the receiver's clock.
    case tooFarInFuture = "too far in the future"
    /// The series' labels are invalid (empty or bad name, invalid UTF-8, duplicates, ...): every
    /// sample and histogram of the series is refused.
    case invalidLabels = "invalid labels"
    /// The native histogram breaks a rule of Prometheus's `Histogram.Validate` (spans and buckets
    /// disagree, negative bucket counts, count mismatch, bad schema or custom bounds), or storage
    /// refused it as invalid (or does not store native histograms).
    case invalidHistogram = "invalid histogram"
    /// The series has more labels than ``IngestLimits/maxLabelNamesPerSeries``.
    case labelNamesPerSeriesLimit = "too many labels"
    /// A label name is longer than ``IngestLimits/maxLabelNameLength``.
    case labelNameLengthLimit = "label name too long"
    /// A label value is longer than ``IngestLimits/maxLabelValueLength``.
    case labelValueLengthLimit = "label value too long"
    /// A new series beyond ``IngestLimits/maxSeries``.
    case seriesLimit = "max series limit"
    /// A new series beyond ``IngestLimits/maxSeriesPerMetric``.
    case perMetricSeriesLimit = "max series per metric limit"
    /// The whole request was over the ingestion rate limit (``IngestLimits/ingestionRate``);
    /// nothing of it was written (HTTP 429).
    case rateLimited = "ingestion rate limit exceeded"

    public static func < (a: RejectionReason, b: RejectionReason) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Maps a storage refusal to its reason.
    init(_ r: AppendError.Reason) {
        switch r {
        case .outOfOrder: self = .outOfOrder
        case .duplicateTimestamp: self = .duplicateTimestamp
        case .outOfBounds: self = .outOfBounds
        case .tooFarInFuture: self = .tooFarInFuture
        case .invalidLabels: self = .invalidLabels
        case .invalidHistogram: self = .invalidHistogram
        }
    }
}

/// What one remote-write request did: counts for the 2.0 response headers, and a summary of
/// refused samples for the 400 message. A value; `Sendable`.
public struct RemoteWriteResult: Sendable, Hashable {
    /// The protocol version of the request.
    public var version: RemoteWriteVersion
    /// TimeSeries messages in the request.
    public var seriesReceived = 0
    /// Float samples written (`X-Prometheus-Remote-Write-Samples-Written`).
    public var samplesWritten = 0
    /// Native histogram samples written (`X-Prometheus-Remote-Write-Histograms-Written`).
    public var histogramsWritten = 0
    /// Exemplars written (`X-Prometheus-Remote-Write-Exemplars-Written`): accepted by storage,
    /// duplicates of a series' newest exemplar included (storage ignores those without error).
    public var exemplarsWritten = 0
    /// Exemplars received and not stored: refused by storage (out of order, label set too long,
    /// unknown series), of a refused series, undecodable labels, or storage keeps no exemplars.
    public var exemplarsDropped = 0
    /// Metadata entries handed to storage (`appendMetadata`).
    public var metadataWritten = 0
    /// Refused float samples and histograms, by reason.
    public var rejected: [RejectionReason: Int] = [:]
    /// The first few refusals, described with series labels (or index), timestamp and reason.
    public var examples: [String] = []
    /// Set when the request was refused by the ingestion rate limit (nothing written): seconds
    /// after which a retry can pass, for `Retry-After`. 0 when the request has more samples than
    /// the burst and can never pass as a whole.
    public var retryAfterSeconds: Int?

    /// True when the request was refused whole by the rate limit (HTTP 429).
    public var isRateLimited: Bool { retryAfterSeconds != nil }

    public init(version: RemoteWriteVersion) { self.version = version }

    /// Total refused samples and histograms.
    public var rejectedCount: Int { rejected.values.reduce(0, +) }

    /// True when every sample and histogram was written (HTTP 204). Dropped exemplars do not count
    /// as failures, as in Prometheus.
    public var isSuccess: Bool { rejected.isEmpty }

    /// A human-readable summary for a 400 body, e.g. `2 of 10 samples rejected: 1 out of order
    /// sample, 1 too far in the future; first: ...`. Empty on success.
    public var errorMessage: String {
        guard !isSuccess else { return "" }
        let total = samplesWritten + histogramsWritten + rejectedCount
        var s = "\(rejectedCount) of \(total) samples rejected: "
        s += rejected.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
        if !examples.isEmpty { s += "; first: " + examples.joined(separator: "; ") }
        return s
    }

    mutating func reject(_ reason: RejectionReason, count: Int = 1, example: @autoclosure () -> String, maxExamples: Int) {
        guard count > 0 else { return }
        rejected[reason, default: 0] += count
        if examples.count < maxExamples { examples.append(example()) }
    }
}
