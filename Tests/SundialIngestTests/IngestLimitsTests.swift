import Synchronization
import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Cardinality and ingestion limits on the remote-write path: what is refused, with which reason
/// and message, and that everything within the limits in the same request is still written.
@Suite struct IngestLimitsTests {
    static let now: Timestamp = 1_700_000_000_000

    /// A settable clock shared with the ingester's closures.
    final class Clock: Sendable {
        let ms = Atomic<Int64>(IngestLimitsTests.now)
        let nanos = Atomic<Int64>(1_000_000_000)
        func advance(ms d: Int64) {
            ms.add(d, ordering: .relaxed)
            nanos.add(d * 1_000_000, ordering: .relaxed)
        }
    }

    func ingester(_ storage: MemoryStorage, _ limits: IngestLimits, clock: Clock = Clock()) -> RemoteWriteIngester {
        var options = RemoteWriteOptions()
        options.limits = limits
        return RemoteWriteIngester(storage: storage, options: options,
                                   now: { clock.ms.load(ordering: .relaxed) },
                                   monotonicNanos: { clock.nanos.load(ordering: .relaxed) })
    }

    static func request(_ series: [[(String, String)]], t: Timestamp = 1000, samples: Int = 1) -> [UInt8] {
        RemoteWriteRequest(series: series.map { ls in
            .init(labels: ls.map { Label($0.0, $0.1) },
                  samples: (0..<samples).map { .init(value: Double($0), timestamp: t + Int64($0)) })
        }).compressed(.v1)
    }

    static func metric(_ name: String, _ i: Int) -> [(String, String)] { [("__name__", name), ("i", "\(i)")] }

    @Test func shapeLimitsRefuseOnlyTheOffendingSeries() throws {
        var l = IngestLimits()
        l.maxLabelNamesPerSeries = 3
        l.maxLabelNameLength = 8
        l.maxLabelValueLength = 5
        let storage = MemoryStorage()
        let ing = ingester(storage, l)
        let r = try ing.write(Self.request([
            [("__name__", "ok"), ("a", "1")],
            [("__name__", "m"), ("a", "1"), ("b", "2"), ("c", "3")],
            [("__name__", "m"), ("long_name", "1")],
            [("__name__", "m"), ("a", "123456")],
            [("__name__", "ok"), ("a", "12345")],
        ], samples: 2), version: .v1)
        #expect(r.samplesWritten == 4)
        #expect(r.rejected == [.labelNamesPerSeriesLimit: 2, .labelNameLengthLimit: 2, .labelValueLengthLimit: 2])
        #expect(storage.seriesCount == 2)
        let all = r.examples.joined(separator: "\n")
        #expect(all.contains("series 1 {__name__=\"m\", a=\"1\", b=\"2\", c=\"3\"}: has 4 labels, more than the limit of 3 (limits.max_label_names_per_series)"), "\(all)")
        #expect(all.contains("series 2 {__name__=\"m\", long_name=\"1\"}: label name \"long_name\" (9 bytes) is longer than 8 bytes (limits.max_label_name_length)"), "\(all)")
        #expect(all.contains("series 3 {__name__=\"m\", a=\"123456\"}: value of label \"a\" (6 bytes) is longer than 5 bytes (limits.max_label_value_length)"), "\(all)")
        #expect(r.errorMessage.contains("2 too many labels"))
    }

    @Test func maxSeriesAdmitsExactlyTheLimitAndKeepsActiveSeriesWriting() throws {
        var l = IngestLimits()
        l.maxSeries = 3
        let storage = MemoryStorage()
        let ing = ingester(storage, l)
        var r = try ing.write(Self.request((0..<10).map { Self.metric("m", $0) }), version: .v1)
        #expect(r.samplesWritten == 3)
        #expect(r.rejected == [.seriesLimit: 7])
        #expect(storage.seriesCount == 3)
        #expect(ing.activeSeriesCount == 3)
        #expect(r.examples.first == "series 3 {__name__=\"m\", i=\"3\"}: max series limit of 3 reached (limits.max_series); new series refused")
        // The admitted series keep accepting samples; new ones are still refused.
        r = try ing.write(Self.request((0..<10).map { Self.metric("m", $0) }, t: 2000), version: .v1)
        #expect(r.samplesWritten == 3)
        #expect(r.rejected == [.seriesLimit: 7])
        r = try ing.write(Self.request([Self.metric("m", 1), Self.metric("m", 2)], t: 3000), version: .v1)
        #expect(r.isSuccess)
        #expect(storage.seriesCount == 3)
    }

    @Test(arguments: [(RemoteWriteVersion.v1, 0), (.v2, 0), (.v1, 1 << 18), (.v2, 1 << 18)])
    func seriesLimitWithAndWithoutTheSeriesCache(version: RemoteWriteVersion, cacheEntries: Int) throws {
        var options = RemoteWriteOptions()
        options.limits.maxSeries = 4
        options.seriesCacheEntries = cacheEntries
        let storage = MemoryStorage()
        let ing = RemoteWriteIngester(storage: storage, options: options, now: { IngestLimitsTests.now })
        for round in 0..<3 {
            let body = RemoteWriteRequest(series: (0..<8).map { i in
                .init(labels: [Label("__name__", "m"), Label("i", "\(i)")], samples: [.init(value: 1, timestamp: 1000 + Int64(round))])
            }).compressed(version)
            let r = try ing.write(body, version: version)
            #expect(r.samplesWritten == 4)
            #expect(r.rejected == [.seriesLimit: 4])
        }
        #expect(storage.seriesCount == 4)
        #expect(ing.activeSeriesCount == 4)
    }

    @Test func maxSeriesPerMetric() throws {
        var l = IngestLimits()
        l.maxSeriesPerMetric = 2
        let storage = MemoryStorage()
        let ing = ingester(storage, l)
        let r = try ing.write(Self.request((0..<3).map { Self.metric("a", $0) } + (0..<3).map { Self.metric("b", $0) }
                                           + [[("job", "x")]]), version: .v1)
        #expect(r.samplesWritten == 5)
        #expect(r.rejected == [.perMetricSeriesLimit: 2])
        #expect(r.examples.first == "series 2 {__name__=\"a\", i=\"2\"}: max series per metric limit of 2 reached for metric \"a\" (limits.max_series_per_metric); new series refused")
    }

    @Test func idleSeriesStopCounting() throws {
        var l = IngestLimits()
        l.maxSeries = 2
        l.seriesIdleTimeoutMs = 60_000
        let storage = MemoryStorage()
        let clock = Clock()
        let ing = ingester(storage, l, clock: clock)
        #expect(try ing.write(Self.request([Self.metric("m", 0), Self.metric("m", 1)]), version: .v1).isSuccess)
        #expect(try ing.write(Self.request([Self.metric("m", 2)], t: 2000), version: .v1).rejected == [.seriesLimit: 1])
        clock.advance(ms: 30_000)
        #expect(try ing.write(Self.request([Self.metric("m", 1)], t: 3000), version: .v1).isSuccess)
        clock.advance(ms: 45_000)  // series 0 idle 75 s, series 1 idle 45 s
        #expect(try ing.write(Self.request([Self.metric("m", 2)], t: 4000), version: .v1).isSuccess)
        #expect(ing.activeSeriesCount == 2)
        #expect(try ing.write(Self.request([Self.metric("m", 0)], t: 5000), version: .v1).rejected == [.seriesLimit: 1])
    }

    @Test func rateLimitRefusesWholeRequestsAndRefills() throws {
        var l = IngestLimits()
        l.ingestionRate = 10
        l.ingestionBurst = 20
        let storage = MemoryStorage()
        let clock = Clock()
        let ing = ingester(storage, l, clock: clock)
        var r = try ing.write(Self.request([Self.metric("m", 0)], samples: 15), version: .v1)
        #expect(r.isSuccess && !r.isRateLimited)
        // 5 tokens left; 10 needed: refused whole, retry after 1 s.
        r = try ing.write(Self.request([Self.metric("m", 1), Self.metric("m", 2)], t: 5000, samples: 5), version: .v1)
        #expect(r.isRateLimited)
        #expect(r.retryAfterSeconds == 1)
        #expect(r.samplesWritten == 0)
        #expect(r.rejected == [.rateLimited: 10])
        #expect(r.errorMessage.contains("ingestion rate limit of 10.0 samples/s with burst 20"), "\(r.errorMessage)")
        #expect(storage.seriesCount == 1)
        clock.advance(ms: 500)
        r = try ing.write(Self.request([Self.metric("m", 1), Self.metric("m", 2)], t: 5000, samples: 5), version: .v1)
        #expect(r.isSuccess)
        #expect(storage.seriesCount == 3)
        // Larger than the burst: never passes; Retry-After 0 means "do not retry as is".
        clock.advance(ms: 10_000)
        r = try ing.write(Self.request([Self.metric("m", 3)], t: 9000, samples: 21), version: .v1)
        #expect(r.retryAfterSeconds == 0)
        #expect(r.errorMessage.contains("larger than the ingestion burst of 20 samples"))
        // The bucket was not drained by the refusal.
        #expect(try ing.write(Self.request([Self.metric("m", 3)], t: 9000, samples: 20), version: .v1).isSuccess)
    }

    @Test func defaultBurstIsOneSecond() {
        var l = IngestLimits()
        l.ingestionRate = 2.5
        #expect(l.effectiveBurst == 3)
        l.ingestionRate = 0.1
        #expect(l.effectiveBurst == 1)
        l.ingestionBurst = 7
        #expect(l.effectiveBurst == 7)
    }

    @Test func noLimitsByDefault() throws {
        let storage = MemoryStorage()
        let ing = ingester(storage, IngestLimits())
        let r = try ing.write(Self.request((0..<100).map { Self.metric("m", $0) }, samples: 50), version: .v1)
        #expect(r.isSuccess)
        #expect(r.samplesWritten == 5000)
        #expect(ing.activeSeriesCount == 0)
    }

    @Test func validationAndTenantTable() {
        var l = IngestLimits()
        #expect(l.validationError() == nil)
        l.maxSeries = -1
        #expect(l.validationError()?.contains("max series") == true)
        l = IngestLimits()
        l.ingestionRate = .nan
        #expect(l.validationError()?.contains("ingestion rate") == true)
        var small = IngestLimits()
        small.maxSeries = 5
        var global = IngestLimits()
        global.maxSeries = 100
        let table = IngestLimitsTable(defaults: global, overrides: ["team-a": small])
        #expect(table[nil].maxSeries == 100)
        #expect(table["team-b"].maxSeries == 100)
        #expect(table["team-a"].maxSeries == 5)
    }

    @Test func concurrentWritersNeverExceedTheSeriesLimit() async throws {
        var l = IngestLimits()
        l.maxSeries = 50
        let storage = MemoryStorage()
        let ing = ingester(storage, l)
        await withTaskGroup(of: Void.self) { g in
            for w in 0..<4 {
                g.addTask {
                    for k in 0..<5 {
                        _ = try? ing.write(Self.request((0..<20).map { Self.metric("w\(w)", k * 20 + $0) }), version: .v1)
                    }
                }
            }
        }
        #expect(storage.seriesCount == 50)
        #expect(ing.activeSeriesCount == 50)
    }
}
