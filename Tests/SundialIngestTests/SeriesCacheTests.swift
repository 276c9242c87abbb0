import SundialCore
import SundialEncoding
@testable import SundialIngest
import SundialTestSupport
import Testing

/// The remote-write series cache (a hash index verified against the cached label strings):
/// which series it caches, and that a hit always gives the labels validation would give.
@Suite struct SeriesCacheTests {
    static let now: Timestamp = 1_700_000_000_000

    func ingester(_ storage: MemoryStorage = MemoryStorage(), options: RemoteWriteOptions = RemoteWriteOptions()) -> RemoteWriteIngester {
        RemoteWriteIngester(storage: storage, options: options, now: { SeriesCacheTests.now })
    }

    static func request(_ series: [[(String, String)]], t: Timestamp) -> RemoteWriteRequest {
        RemoteWriteRequest(series: series.map { labels in
            .init(labels: labels.map { Label($0.0, $0.1) }, samples: [.init(value: 1, timestamp: t)])
        })
    }

    func labelSets(_ storage: MemoryStorage) throws -> Set<Labels> {
        let q = try storage.querier(minTime: TimestampLimits.min, maxTime: TimestampLimits.max)
        return Set(try q.select(sorted: true, hints: nil, matchers: []).map(\.labels))
    }

    /// Sorted labels without empty values map one to one onto their `Labels`: cached. Unsorted
    /// labels and empty values are not (verification could not recognise them exactly), yet every request still writes the same series as validation gives.
    @Test func cachesOnlyLabelsItCanVerifyExactly() throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        let sets: [[(String, String)]] = [
            [("__name__", "a"), ("job", "x")],              // cached
            [("job", "y"), ("__name__", "a")],              // unsorted: sorted by validation, not cached
            [("__name__", "a"), ("empty", ""), ("job", "z")],  // empty value dropped, not cached
            [("__name__", "b"), ("job", "x")],              // cached
        ]
        for round in 0..<3 {
            let r = try ing.write(Self.request(sets, t: Timestamp(round) * 1000).compressed(.v1), version: .v1)
            #expect(r.isSuccess)
            #expect(r.samplesWritten == 4)
            #expect(ing.cachedSeriesCount == 2)
        }
        #expect(try labelSets(storage) == [
            Labels(["__name__": "a", "job": "x"]), Labels(["__name__": "a", "job": "y"]),
            Labels(["__name__": "a", "job": "z"]), Labels(["__name__": "b", "job": "x"]),
        ])
    }

    /// Series that differ only in label boundaries or by a prefix are distinct entries.
    @Test func nearKeysStayDistinct() throws {
        let storage = MemoryStorage()
        let ing = ingester(storage)
        let sets: [[(String, String)]] = [
            [("__name__", "m"), ("ab", "c")], [("__name__", "m"), ("a", "bc")],
            [("__name__", "m"), ("a", "b")], [("__name__", "m"), ("a", "b"), ("c", "d")],
            [("__name__", "m"), ("a", "b\u{e9}")], [("__name__", "mm"), ("a", "b")],
        ]
        for round in 0..<2 {
            let r = try ing.write(Self.request(sets, t: Timestamp(round) * 1000).compressed(.v1), version: .v1)
            #expect(r.samplesWritten == sets.count)
        }
        #expect(ing.cachedSeriesCount == sets.count)
        #expect(try labelSets(storage).count == sets.count)
    }

    /// Label tenancy: the injected label is part of the cached `Labels` but not of the request;
    /// a client label forging its name is replaced (and such series are not cached).
    @Test func injectedLabelIsSkippedByVerification() throws {
        var options = RemoteWriteOptions()
        options.injectedLabel = Label("tenant", "t1")
        let storage = MemoryStorage()
        let ing = ingester(storage, options: options)
        let sets: [[(String, String)]] = [
            [("__name__", "m"), ("job", "a")],
            [("__name__", "m"), ("job", "b"), ("tenant", "forged")],
            [("__name__", "m"), ("zone", "z")],
        ]
        for round in 0..<3 {
            let r = try ing.write(Self.request(sets, t: Timestamp(round) * 1000).compressed(.v1), version: .v1)
            #expect(r.samplesWritten == 3)
        }
        #expect(ing.cachedSeriesCount == 2)
        #expect(try labelSets(storage) == [
            Labels(["__name__": "m", "job": "a", "tenant": "t1"]), Labels(["__name__": "m", "job": "b", "tenant": "t1"]),
            Labels(["__name__": "m", "tenant": "t1", "zone": "z"]),
        ])
    }

    /// The index finds entries by verification, not by hash alone: equal hashes (collisions) and
    /// growth past the load factor keep every entry reachable.
    @Test func hashIndexResolvesCollisionsByVerification() {
        var index = SeriesHashIndex()
        var hashes: [UInt64] = []
        for e in 0..<5000 {
            // Every 4 entries share one hash: only the caller's check tells them apart.
            let h = UInt64(e / 4) &* 0x9E37_79B9_7F4A_7C15
            hashes.append(h)
            index.insert(h, entry: e) { hashes[$0] }
        }
        #expect(index.count == 5000)
        #expect(index.slots.count >= 5000 * 4 / 3)
        for e in 0..<5000 {
            #expect(index.find(hashes[e]) { $0 == e } == e)
        }
        #expect(index.find(0x1234_5678_9ABC_DEF0) { _ in true } == nil)
    }

    @Test func spanComparisonMatchesBytes() {
        let body = Array("__name__node_cpu_seconds_total/api/v1/query_range\u{e9}x".utf8)
        #expect(ByteSpans.span(body, start: 0, count: 8, equals: "__name__"))
        #expect(ByteSpans.span(body, start: 8, count: 22, equals: "node_cpu_seconds_total"))
        #expect(!ByteSpans.span(body, start: 8, count: 22, equals: "node_cpu_seconds_totaL"))
        #expect(ByteSpans.span(body, start: 30, count: 21, equals: "/api/v1/query_range\u{e9}"))
        #expect(!ByteSpans.span(body, start: 30, count: 20, equals: "/api/v1/query_range\u{e9}"))
        #expect(ByteSpans.span(body, start: 3, count: 0, equals: ""))
        for n in 1..<12 {
            #expect(ByteSpans.span(body, start: 8, count: n, equals: String(decoding: body[8..<8 + n], as: UTF8.self)))
            var other = Array(body[8..<8 + n])
            other[n - 1] ^= 1
            #expect(!ByteSpans.span(body, start: 8, count: n, equals: String(decoding: other, as: UTF8.self)))
        }
    }
}
