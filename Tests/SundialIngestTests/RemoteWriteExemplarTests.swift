import Synchronization
import SundialCore
import SundialIngest
import SundialTestSupport
import Testing

/// Exemplars of remote write 1.0 and 2.0 handed to ``Appender/appendExemplar(ref:labels:exemplar:)``:
/// decoded labels, value and time, the series they belong to, and how storage outcomes are counted
/// (written: accepted and duplicates; dropped: refused, unknown series, series refused for its labels,
/// storage without exemplars).
@Suite struct RemoteWriteExemplarTests {
    /// Storage that accepts every sample and records exemplars. An exemplar whose `trace_id` is
    /// "dup" is a duplicate, "ooo" out of order; one for a series without samples is refused.
    final class ExemplarStorage: Appendable, Sendable {
        let committed = Mutex<[(Labels, Exemplar)]>([])
        let known = Mutex<Set<Labels>>([])
        func appender() -> any Appender { App(self) }

        final class App: Appender {
            let s: ExemplarStorage
            var samples: [Labels] = []
            var exemplars: [(Labels, Exemplar)] = []
            init(_ s: ExemplarStorage) { self.s = s }
            func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
                samples.append(labels)
                return .none
            }
            func appendMetadata(_ metadata: MetricMetadata) {}
            func appendExemplar(ref: SeriesRef, labels: Labels, exemplar: Exemplar) throws(ExemplarError) -> ExemplarAppendOutcome {
                guard samples.contains(labels) || s.known.withLock({ $0.contains(labels) }) else {
                    throw ExemplarError(.unknownSeries, labels: labels, exemplar: exemplar)
                }
                switch exemplar.labels.get("trace_id") {
                case "dup": return .duplicate
                case "ooo": throw ExemplarError(.outOfOrder, labels: labels, exemplar: exemplar)
                default:
                    exemplars.append((labels, exemplar))
                    return .accepted
                }
            }
            func commit() throws {
                s.known.withLock { $0.formUnion(samples) }
                s.committed.withLock { $0 += exemplars }
            }
            func rollback() {}
        }
    }

    static let series = [Label("__name__", "req_total"), Label("code", "200")]

    static func request() -> RemoteWriteRequest {
        RemoteWriteRequest(series: [
            .init(labels: series, samples: [.init(value: 1, timestamp: 1000)],
                  exemplars: [.init(labels: [Label("trace_id", "abc"), Label("span_id", "s1")], value: 0.5, timestamp: 999),
                              .init(labels: [Label("trace_id", "dup")], value: 1, timestamp: 1000),
                              .init(labels: [Label("trace_id", "ooo")], value: 1, timestamp: 1)]),
            .init(labels: [Label("__name__", "no_samples")], exemplars: [.init(labels: [Label("trace_id", "x")], value: 1, timestamp: 5)]),
            .init(labels: [Label("__name__", "bad"), Label("", "empty name")], samples: [.init(value: 1, timestamp: 1)],
                  exemplars: [.init(labels: [Label("trace_id", "y")], value: 1, timestamp: 1)]),
        ])
    }

    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func exemplarsReachStorageAndAreCounted(version: RemoteWriteVersion) throws {
        let storage = ExemplarStorage()
        let ing = RemoteWriteIngester(storage: storage, now: { 10_000 })
        let r = try ing.write(Self.request().compressed(version), version: version)
        #expect(r.samplesWritten == 1)
        #expect(r.exemplarsWritten == 2)  // accepted + duplicate
        #expect(r.exemplarsDropped == 3)  // out of order, unknown series, series with invalid labels
        #expect(!r.isSuccess)  // the invalid series' sample; exemplar refusals alone never fail a request
        let got = storage.committed.withLock { $0 }
        #expect(got.count == 1)
        #expect(got.first?.0 == Labels(Self.series))
        #expect(got.first?.1 == Exemplar(labels: Labels(["span_id": "s1", "trace_id": "abc"]), value: 0.5, timestamp: 999))
    }

    @Test func refusedExemplarsAloneDoNotFailTheRequest() throws {
        let storage = ExemplarStorage()
        let ing = RemoteWriteIngester(storage: storage, now: { 10_000 })
        let req = RemoteWriteRequest(series: [
            .init(labels: Self.series, samples: [.init(value: 1, timestamp: 1000)],
                  exemplars: [.init(labels: [Label("trace_id", "ooo")], value: 1, timestamp: 1)]),
            .init(labels: [Label("__name__", "other")], exemplars: [.init(labels: [], value: 1, timestamp: 1)]),
        ])
        let r = try ing.write(req.compressed(.v1), version: .v1)
        #expect(r.isSuccess)
        #expect(r.exemplarsWritten == 0)
        #expect(r.exemplarsDropped == 2)
    }

    @Test func storageWithoutExemplarsDropsThem() throws {
        let ing = RemoteWriteIngester(storage: MemoryStorage(), now: { 10_000 })
        let r = try ing.write(Self.request().compressed(.v2), version: .v2)
        #expect(r.exemplarsWritten == 0)
        #expect(r.exemplarsDropped == 5)
    }
}
