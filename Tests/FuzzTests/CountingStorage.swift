import SundialCore
import Synchronization

/// An `Appendable` that keeps nothing but counts committed samples and checks what the write
/// path hands to storage: label sets sorted by name, names unique and non-empty, no empty values
/// (Prometheus drops empty-valued labels before storage).
final class CountingStorage: Appendable, Sendable {
    private let state = Mutex((committed: 0, badLabels: [String]()))

    /// Samples committed so far.
    var committedSamples: Int { state.withLock { $0.committed } }
    /// Descriptions of malformed label sets that reached storage (empty if none).
    var badLabels: [String] { state.withLock { $0.badLabels } }

    func appender() -> any Appender { CountingAppender(storage: self) }

    fileprivate func commit(_ n: Int, _ bad: [String]) {
        state.withLock {
            $0.committed += n
            $0.badLabels.append(contentsOf: bad)
        }
    }
}

private final class CountingAppender: Appender {
    let storage: CountingStorage
    var staged = 0
    var bad: [String] = []
    var nextRef: UInt64 = 1

    init(storage: CountingStorage) { self.storage = storage }

    func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
        var previous: String? = nil
        for l in labels {
            if l.name.isEmpty || l.value.isEmpty || (previous.map { $0 >= l.name } ?? false) {
                bad.append("\(labels)")
                break
            }
            previous = l.name
        }
        staged += 1
        nextRef += 1
        return SeriesRef(nextRef)
    }

    func appendMetadata(_ metadata: MetricMetadata) {}

    func commit() throws {
        storage.commit(staged, bad)
        staged = 0
        bad = []
    }

    func rollback() {
        staged = 0
        bad = []
    }
}
