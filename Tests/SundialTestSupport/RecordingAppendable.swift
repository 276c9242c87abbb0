import Synchronization
public import SundialCore

/// An ``Appendable`` that records every committed float sample and native histogram, for tests of
/// the layers that append (remote write) without a real head. Per series, a sample (float or
/// histogram) older than the newest committed or staged one is refused as out of order, and one at
/// the same time with a different value as a duplicate, like the head. Thread-safe.
public final class RecordingAppendable: Appendable, Sendable {
    /// One committed sample: a float or a histogram (integer or float).
    public struct Record: Sendable, Equatable {
        public var labels: Labels
        public var timestamp: Timestamp
        /// The float value (nil for a histogram).
        public var value: Double?
        public var histogram: Histogram?
        public var floatHistogram: FloatHistogram?

        public init(labels: Labels, timestamp: Timestamp, value: Double? = nil, histogram: Histogram? = nil,
                    floatHistogram: FloatHistogram? = nil) {
            self.labels = labels
            self.timestamp = timestamp
            self.value = value
            self.histogram = histogram
            self.floatHistogram = floatHistogram
        }
    }

    private let state = Mutex<[Record]>([])

    public init() {}

    /// Everything committed so far, in commit order.
    public var records: [Record] { state.withLock { $0 } }

    /// The committed histogram records (integer or float), in commit order.
    public var histogramRecords: [Record] { records.filter { $0.value == nil } }

    public func appender() -> any Appender { RecordingAppender(self) }

    fileprivate func newest(_ labels: Labels) -> Record? {
        state.withLock { $0.last { $0.labels == labels } }
    }

    fileprivate func commit(_ staged: [Record]) {
        state.withLock { $0.append(contentsOf: staged) }
    }
}

final class RecordingAppender: Appender {
    let storage: RecordingAppendable
    var staged: [RecordingAppendable.Record] = []

    init(_ storage: RecordingAppendable) { self.storage = storage }

    func check(_ r: RecordingAppendable.Record) throws(AppendError) {
        if r.labels.isEmpty { throw AppendError(.invalidLabels, labels: r.labels, timestamp: r.timestamp, detail: "empty label set") }
        guard let last = staged.last(where: { $0.labels == r.labels }) ?? storage.newest(r.labels) else { return }
        if r.timestamp < last.timestamp { throw AppendError(.outOfOrder, labels: r.labels, timestamp: r.timestamp) }
        if r.timestamp == last.timestamp {
            let same = r.histogram == last.histogram && r.floatHistogram == last.floatHistogram
                && r.value?.bitPattern == last.value?.bitPattern
            if !same { throw AppendError(.duplicateTimestamp, labels: r.labels, timestamp: r.timestamp) }
        }
    }

    func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
        let r = RecordingAppendable.Record(labels: labels, timestamp: timestamp, value: value)
        try check(r)
        staged.append(r)
        return ref
    }

    func appendHistogram(ref: SeriesRef, labels: Labels, timestamp: Timestamp,
                         histogram: Histogram?, floatHistogram: FloatHistogram?) throws(AppendError) -> SeriesRef {
        guard (histogram == nil) != (floatHistogram == nil) else {
            throw AppendError(.invalidHistogram, labels: labels, timestamp: timestamp, detail: "exactly one of histogram and floatHistogram must be set")
        }
        let r = RecordingAppendable.Record(labels: labels, timestamp: timestamp, value: nil, histogram: histogram,
                                           floatHistogram: floatHistogram)
        try check(r)
        staged.append(r)
        return ref
    }

    func appendMetadata(_ metadata: MetricMetadata) {}

    func commit() throws {
        storage.commit(staged)
        staged = []
    }

    func rollback() { staged = [] }
}
