import Synchronization
import SundialCore
import SundialEncoding
@testable import SundialIngest
import Testing

/// Series-cache hits go to storage by ref alone (``Appender/append(ref:timestamp:value:)``),
/// without handing out their labels; when storage no longer knows a ref, the sample still goes
/// in by the series' labels. And the 128-bit key hash the cache trusts.
@Suite struct SeriesCacheByRefTests {
    /// Storage handing out one ref per label set; counts appends by labels and by ref, and can
    /// forget every ref (as a head does for series removed by garbage collection).
    final class RefStorage: Appendable, @unchecked Sendable {
        struct State {
            var refs: [Labels: UInt64] = [:]
            var byLabels: [Labels] = []
            var byRef = 0
            var samples: [(Labels, Timestamp)] = []
            var forgetRefs = false
        }
        let state = Mutex(State())
        func appender() -> any Appender { RefAppender(storage: self) }
    }

    final class RefAppender: Appender {
        let storage: RefStorage
        init(storage: RefStorage) { self.storage = storage }

        func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
            storage.state.withLock { st in
                st.byLabels.append(labels)
                st.samples.append((labels, timestamp))
                if let r = st.refs[labels] { return SeriesRef(r) }
                let r = UInt64(st.refs.count + 1)
                st.refs[labels] = r
                return SeriesRef(r)
            }
        }

        func append(ref: SeriesRef, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef? {
            storage.state.withLock { st in
                guard !st.forgetRefs, let labels = st.refs.first(where: { $0.value == ref.rawValue })?.key else { return nil }
                st.byRef += 1
                st.samples.append((labels, timestamp))
                return ref
            }
        }

        func appendMetadata(_ metadata: MetricMetadata) {}
        func commit() throws {}
        func rollback() {}
    }

    static func request(_ sets: [[(String, String)]], t: Timestamp) -> RemoteWriteRequest {
        RemoteWriteRequest(series: sets.map { labels in
            .init(labels: labels.map { Label($0.0, $0.1) }, samples: [.init(value: 1, timestamp: t)])
        })
    }

    static let sets: [[(String, String)]] = [
        [("__name__", "a"), ("job", "x")],
        [("__name__", "a"), ("instance", "host-with-a-rather-long-name:9100"), ("job", "y")],
        [("__name__", "b"), ("job", "x")],
    ]

    @Test func hitsAppendByRefAndFallBackToLabelsWhenStorageForgets() throws {
        let storage = RefStorage()
        let ing = RemoteWriteIngester(storage: storage, now: { 1_700_000_000_000 })
        // Round 0 creates the series by labels; round 1 only stores nothing new (refs written
        // back after round 0), so rounds 1 and 2 go by ref.
        for round in 0..<3 {
            let r = try ing.write(Self.request(Self.sets, t: Timestamp(round) * 1000).compressed(.v1), version: .v1)
            #expect(r.isSuccess)
            #expect(r.samplesWritten == 3)
        }
        storage.state.withLock { st in
            #expect(st.byLabels.count == 3)
            #expect(st.byRef == 6)
        }
        // Storage forgets every ref: the next round goes in by the cached labels, unchanged.
        storage.state.withLock { $0.forgetRefs = true }
        let r = try ing.write(Self.request(Self.sets, t: 3000).compressed(.v1), version: .v1)
        #expect(r.samplesWritten == 3)
        let expected = Set(Self.sets.map { Labels(sorted: $0.map { Label($0.0, $0.1) }) })
        storage.state.withLock { st in
            #expect(st.byLabels.count == 6)
            #expect(Set(st.byLabels.suffix(3)) == expected)
            // Every sample landed on the series its request labels name.
            for (labels, t) in st.samples { #expect(expected.contains(labels), "sample at \(t)") }
            #expect(st.samples.count == 12)
        }
    }

    /// Storage that refuses every by-ref append (as one without it does): after one such request
    /// the cache hands hits their labels for a while, so no sample pays a cache lock for them.
    @Test func storageWithoutByRefGetsLabelsHandedOut() throws {
        let storage = RefStorage()
        storage.state.withLock { $0.forgetRefs = true }
        let ing = RemoteWriteIngester(storage: storage, now: { 1_700_000_000_000 })
        let sets = (0..<10).map { [("__name__", "m"), ("i", String($0))] }
        for round in 0..<3 {
            let r = try ing.write(Self.request(sets, t: Timestamp(round) * 1000).compressed(.v1), version: .v1)
            #expect(r.samplesWritten == 10)
        }
        #expect(ing.labelsForHits.load(ordering: .relaxed) == RemoteWriteIngester.labelsForHitsRequests - 1)
        storage.state.withLock { st in
            #expect(st.byRef == 0)
            #expect(st.byLabels.count == 30)
        }
    }

    /// A sample refused for being too far in the future names its series, also for a cache hit
    /// whose labels were not handed out.
    @Test func refusalMessagesOfHitsNameTheSeries() throws {
        let storage = RefStorage()
        let now: Timestamp = 1_700_000_000_000
        let ing = RemoteWriteIngester(storage: storage, now: { now })
        _ = try ing.write(Self.request(Self.sets, t: now).compressed(.v1), version: .v1)
        let r = try ing.write(Self.request([Self.sets[1]], t: now + 3_600_000).compressed(.v1), version: .v1)
        #expect(r.samplesWritten == 0)
        #expect(r.errorMessage.contains("host-with-a-rather-long-name:9100"))
    }

    @Test func hash128NearKeysDiffer() {
        // name, value spans of: {a="bc"}, {ab="c"}, {a="b", c=""}, {a="b"} over one buffer.
        let body = Array("abcabcab".utf8)
        let spans: [Int32] = [0, 1, 1, 2,  0, 2, 2, 1,  0, 1, 1, 1, 2, 1, 3, 0,  0, 1, 1, 1]
        let keys = [(0, 2), (2, 2), (4, 4), (8, 2)]
        var seen = Set<[UInt64]>()
        for (first, count) in keys {
            let h = ByteSpans.hash128(body, spans: spans, firstPair: first, pairCount: count)
            seen.insert([h.low, h.high])
        }
        #expect(seen.count == keys.count)
    }
}
