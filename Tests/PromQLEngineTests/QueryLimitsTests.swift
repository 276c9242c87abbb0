import Dispatch
@testable import PromQLEngine
import SundialCore
import SundialTestSupport
import Synchronization
import Testing

/// A storage wrapper counting sample reads, and optionally blocking `select` until released, to
/// prove when limits trip and how the concurrency gate queues.
final class ProbeStorage: Queryable, Sendable {
    let inner: MemoryStorage
    let sampleReads = Atomic<Int>(0)
    let selectEntered = Atomic<Int>(0)
    /// When set, `select` waits on it (once per call).
    let blockSelect: DispatchSemaphore?

    init(_ inner: MemoryStorage, blockSelect: DispatchSemaphore? = nil) {
        self.inner = inner
        self.blockSelect = blockSelect
    }

    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        ProbeQuerier(inner: try inner.querier(minTime: minTime, maxTime: maxTime), probe: self)
    }

    struct ProbeQuerier: Querier {
        let inner: any Querier
        let probe: ProbeStorage
        func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
            probe.selectEntered.add(1, ordering: .sequentiallyConsistent)
            probe.blockSelect?.wait()
            return try inner.select(sorted: sorted, hints: hints, matchers: matchers).map { ProbeSeries(inner: $0, probe: probe) }
        }
        func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
            try inner.labelValues(name: name, matchers: matchers)
        }
        func labelNames(matchers: [LabelMatcher]) throws -> [String] { try inner.labelNames(matchers: matchers) }
        func close() { inner.close() }
    }

    struct ProbeSeries: StorageSeries {
        let inner: any StorageSeries
        let probe: ProbeStorage
        var labels: Labels { inner.labels }
        func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
            probe.sampleReads.add(1, ordering: .sequentiallyConsistent)
            try inner.samples(minTime: minTime, maxTime: maxTime, into: &buffer)
        }
    }
}

/// ``QueryLimits`` and ``QueryLimiter`` as the engine honours them: each limit trips with an
/// `execution` (or `timeout`) error naming the limit, a query under the limits is unchanged, and
/// the series limit trips before any sample is read.
@Suite struct QueryLimitsTests {
    /// `m{i="0"}` … `m{i="9"}`, one sample every 15 s over 10 minutes, values = i.
    static func storage(series: Int = 10) throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for t in stride(from: Int64(0), through: 600_000, by: 15_000) {
            for i in 0..<series {
                _ = try app.append(ref: .none, labels: Labels(["__name__": "m", "i": "\(i)"]), timestamp: t, value: Double(i))
            }
        }
        try app.commit()
        return s
    }

    func expectError(_ kind: EvaluationError.Kind, _ contains: String,
                     _ body: () async throws(EvaluationError) -> QueryResult) async {
        do {
            _ = try await body()
            Issue.record("expected a \(kind) error containing \(contains)")
        } catch {
            #expect(error.kind == kind)
            #expect(error.message.contains(contains), "\(error.message)")
        }
    }

    @Test func seriesLimitTripsBeforeAnySampleIsRead() async throws {
        let probe = ProbeStorage(try Self.storage())
        let limiter = QueryLimiter(QueryLimits(maxSeries: 9))
        await expectError(.execution, "query processing would select too many series: more than 9 series (query.max-series)") {
            () throws(EvaluationError) in
            try await Engine().instantQuery("sum(rate(m[5m]))", at: 600_000, storage: probe, limiter: limiter)
        }
        #expect(probe.sampleReads.load(ordering: .sequentiallyConsistent) == 0)
        // Summed over the selectors of the query: 2 × 10 series > 15.
        await expectError(.execution, "more than 15 series") { () throws(EvaluationError) in
            try await Engine().instantQuery("m + m", at: 600_000, storage: probe, limiter: QueryLimiter(QueryLimits(maxSeries: 15)))
        }
    }

    @Test func queryUnderTheLimitsIsUnchanged() async throws {
        let s = try Self.storage()
        let tight = QueryLimiter(QueryLimits(timeout: .seconds(60), maxSamples: 10_000, maxSeries: 20, maxConcurrentQueries: 1,
                                             maxRangeMs: 600_000, maxSelectorRangeMs: 300_000, maxSteps: 41))
        let q = "sum by (i) (rate(m[5m])) + on(i) max_over_time(m[5m:1m])"
        let free = try await Engine().rangeQuery(q, start: 0, end: 600_000, step: 15_000, storage: s)
        let limited = try await Engine().rangeQuery(q, start: 0, end: 600_000, step: 15_000, storage: s, limiter: tight)
        #expect(free.value == limited.value)
        #expect(free.samplesProcessed == limited.samplesProcessed)
        let i1 = try await Engine().instantQuery(q, at: 600_000, storage: s)
        let i2 = try await Engine().instantQuery(q, at: 600_000, storage: s, limiter: tight)
        #expect(i1.value == i2.value)
        #expect(tight.gate?.available == 1)
    }

    @Test func maxSamplesCountsSelectorSamples() async throws {
        let s = try Self.storage()
        // An instant selector over 10 series holds 10 samples; a 41-step range query 410.
        _ = try await Engine().instantQuery("m", at: 600_000, storage: s, limiter: QueryLimiter(QueryLimits(maxSamples: 10)))
        await expectError(.tooManySamples, "query processing would load too many samples into memory in query execution") {
            () throws(EvaluationError) in
            try await Engine().instantQuery("m", at: 600_000, storage: s, limiter: QueryLimiter(QueryLimits(maxSamples: 9)))
        }
        _ = try await Engine().rangeQuery("m", start: 0, end: 600_000, step: 15_000, storage: s,
                                          limiter: QueryLimiter(QueryLimits(maxSamples: 410)))
        await expectError(.tooManySamples, "too many samples") { () throws(EvaluationError) in
            try await Engine().rangeQuery("m", start: 0, end: 600_000, step: 15_000, storage: s,
                                          limiter: QueryLimiter(QueryLimits(maxSamples: 409)))
        }
    }

    /// The smallest `maxSamples` under which `query` succeeds (instant at 600 s, or range 0–600 s
    /// every 15 s): the peak of samples held, as the engine accounts it.
    static func threshold(_ query: String, range: Bool, _ s: MemoryStorage) async -> Int {
        var lo = 1, hi = 1 << 20
        while lo < hi {
            let mid = (lo + hi) / 2
            let limiter = QueryLimiter(QueryLimits(maxSamples: mid))
            var ok = true
            do {
                if range {
                    _ = try await Engine().rangeQuery(query, start: 0, end: 600_000, step: 15_000, storage: s, limiter: limiter)
                } else {
                    _ = try await Engine().instantQuery(query, at: 600_000, storage: s, limiter: limiter)
                }
            } catch {
                ok = error.kind != .tooManySamples
            }
            if ok { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Prometheus 2.42's `peakSamples` (`stats=all`) for the same 10 series (`m{i}` every 15 s over
    /// 0–600 s, loaded with `promtool tsdb create-blocks-from openmetrics`), recorded 2026-11-21: a
    /// query passes `--query.max-samples=N` exactly when its peak is <= N. Selectors match; the
    /// engine's accounting of function, aggregation, binary-operator and subquery intermediates does
    /// not yet follow 2.42's step-by-step `rangeEval` bookkeeping (known issues, listed here so a fix
    /// shows up as a passing case).
    static let prometheusPeaks: [(query: String, instant: Int, range: Int?)] = [
        ("m", 10, 410), ("m[5m]", 210, nil),
        ("rate(m[5m])", 31, 421), ("sum(rate(m[5m]))", 31, 450), ("max_over_time(m[5m:1m])", 76, 526),
        ("m + on(i) m", 50, 1250), ("sum(m)", 21, 461), ("topk(3,m)", 25, 585), ("count_over_time(m[1m])", 15, 415),
    ]

    /// More of 2.42's `peakSamples` over the same data (`/api/v1/query{,_range}?stats=all` against
    /// `/usr/bin/prometheus` 2.42.0 serving a block made with `promtool tsdb create-blocks-from
    /// openmetrics`, recorded 2026-11-21): binary operators of every operand kind, set operators,
    /// aggregations with and without parameters, instant functions, subqueries, step-invariant
    /// expressions (evaluated once, then copied to every step).
    static let morePrometheusPeaks: [(query: String, instant: Int, range: Int?)] = [
        ("m * 2", 32, 872),
        ("2 * m", 32, 872),
        ("-m", 10, 410),
        ("abs(m)", 30, 830),
        ("m > 3", 28, 708),
        ("m > bool 3", 32, 872),
        ("m and m", 50, 1250),
        ("m or m", 50, 1250),
        ("m unless on(i) m{i=\"1\"}", 31, 831),
        ("sum by (i) (m)", 30, 830),
        ("avg(m)", 21, 461),
        ("count(m)", 21, 461),
        ("max(m) + min(m)", 22, 502),
        ("quantile(0.5, m)", 23, 503),
        ("count_values(\"v\", m)", 30, 830),
        ("bottomk(2, m)", 24, 544),
        ("stddev(m)", 21, 461),
        ("scalar(sum(m))", 21, 461),
        ("vector(1)", 3, 41),
        ("time()", 1, 41),
        ("1 + 2", 5, 41),
        ("absent(nope)", 1, 41),
        ("absent(m)", 20, 420),
        ("label_replace(m, \"x\", \"$1\", \"i\", \"(.*)\")", 30, 830),
        ("histogram_quantile(0.5, m)", 22, 462),
        ("sum(rate(m[5m:1m]))", 76, 486),
        ("rate(m[1m]) * 2", 32, 852),
        ("quantile_over_time(0.5, m[2m])", 20, 460),
        ("sum(sum_over_time(m[5m]))", 31, 461),
        ("max_over_time(rate(m[2m])[5m:30s])", 131, 601),
        ("timestamp(m)", 20, 420),
        ("clamp(m, 1, 5)", 34, 914),
        ("round(m, 2)", 32, 872),
        ("sort(m)", 30, 830),
        ("predict_linear(m[5m], 60)", 32, 462),
        ("sum(m) / count(m)", 22, 502),
        ("m offset 1m", 10, 370),
        ("last_over_time(m[1m])", 15, 415),
        ("m @ 300", 10, 410), ("sum(m @ 300)", 21, 41), ("rate(m[5m] @ 600)", 31, 410), ("m + m @ 300", 50, 1250),
        ("max_over_time(m[5m:1m] @ 600)", 76, 410),
        // Not listed: `predict_linear(m[5m] @ 600, 60)` (2.42: 32 / 242). 2.42 offsets an `@` range
        // argument of a time-dependent function from the query start, so its windows move with the
        // steps (values as well as counts differ); Sundial keeps the window pinned at 600 s.
        ("sum(m @ 300) + 1", 21, 41), ("timestamp(m @ 300)", 20, 420),
    ]

    @Test func maxSamplesThresholdsAgainstPrometheusPeakSamples() async throws {
        let s = try Self.storage()
        for p in Self.prometheusPeaks + Self.morePrometheusPeaks {
            let instant = await Self.threshold(p.query, range: false, s)
            let range = p.range == nil ? nil : await Self.threshold(p.query, range: true, s)
            #expect(instant == p.instant, "\(p.query) instant")
            #expect(range == p.range, "\(p.query) range")
        }
    }

    @Test func rangeAndStepLimits() async throws {
        let s = try Self.storage()
        let limiter = QueryLimiter(QueryLimits(maxRangeMs: 3_600_000, maxSteps: 100))
        _ = try await Engine().rangeQuery("m", start: 0, end: 3_600_000, step: 60_000, storage: s, limiter: limiter)
        await expectError(.execution, "query range of 1h1s exceeds the limit of 1h (query.max-range)") {
            () throws(EvaluationError) in
            try await Engine().rangeQuery("m", start: 0, end: 3_601_000, step: 60_000, storage: s, limiter: limiter)
        }
        // 0..3600 s every 30 s: 121 points > 100.
        await expectError(.execution, "query would evaluate 121 points per series, above the limit of 100 (query.max-steps)") {
            () throws(EvaluationError) in
            try await Engine().rangeQuery("m", start: 0, end: 3_600_000, step: 30_000, storage: s, limiter: limiter)
        }
        // Exactly 100 points passes.
        _ = try await Engine().rangeQuery("m", start: 0, end: 99_000, step: 1_000, storage: s, limiter: limiter)
    }

    @Test func selectorWindowLimit() async throws {
        let s = try Self.storage()
        let limiter = QueryLimiter(QueryLimits(maxSelectorRangeMs: 30 * 86_400_000))
        _ = try await Engine().instantQuery("rate(m[30d])", at: 600_000, storage: s, limiter: limiter)
        await expectError(.execution, "range selector [31d] exceeds the limit of 30d (query.max-selector-range)") {
            () throws(EvaluationError) in
            try await Engine().instantQuery("sum(rate(m[31d]))", at: 600_000, storage: s, limiter: limiter)
        }
        await expectError(.execution, "subquery range [35d] exceeds the limit of 30d") { () throws(EvaluationError) in
            try await Engine().rangeQuery("max_over_time(m[35d:1h])", start: 0, end: 60_000, step: 60_000, storage: s,
                                          limiter: limiter)
        }
        // Nested inside a subquery and a binary expression.
        await expectError(.execution, "range selector [60d]") { () throws(EvaluationError) in
            try await Engine().instantQuery("1 + max_over_time(rate(m[60d])[1d:1h])", at: 600_000, storage: s, limiter: limiter)
        }
    }

    @Test func limiterTimeout() async throws {
        let s = try Self.storage(series: 600)
        await expectError(.timeout, "query timed out in query execution") { () throws(EvaluationError) in
            try await Engine().instantQuery("m", at: 600_000, storage: s, limiter: QueryLimiter(QueryLimits(timeout: .nanoseconds(1))))
        }
    }

    @Test func limiterGateQueuesAndCancelsWaiters() async throws {
        let release = DispatchSemaphore(value: 0)
        let probe = ProbeStorage(try Self.storage(), blockSelect: release)
        let limiter = QueryLimiter(QueryLimits(maxConcurrentQueries: 1))
        let engine = Engine()
        let first = Task { () async throws(EvaluationError) -> QueryResult in
            try await engine.instantQuery("m", at: 600_000, storage: probe, limiter: limiter)
        }
        while probe.selectEntered.load(ordering: .sequentiallyConsistent) == 0 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(limiter.gate?.available == 0)
        // A second query of the same limiter waits; cancelling it ends it with `canceled` in the queue.
        let second = Task { () async throws(EvaluationError) -> QueryResult in
            try await engine.instantQuery("m", at: 600_000, storage: probe, limiter: limiter)
        }
        second.cancel()
        switch await second.result {
        case .success: Issue.record("the queued query should have been cancelled")
        case .failure(let e):
            let ee = e as? EvaluationError
            #expect(ee?.kind == .canceled)
            #expect(ee?.message == "query was canceled in query queue")
        }
        // Another limiter is not held up by this one.
        let other = try await engine.instantQuery("1", at: 0, storage: probe, limiter: QueryLimiter(QueryLimits(maxConcurrentQueries: 1)))
        #expect(other.value == .scalar(0, 1))
        release.signal()
        let r = try await first.value
        guard case .vector(let v) = r.value else { Issue.record("not a vector"); return }
        #expect(v.count == 10)
        #expect(limiter.gate?.available == 1)
    }

    @Test func defaultLimiterComesFromEngineOptions() {
        let e = Engine(options: EngineOptions(maxSamples: 123, timeout: .seconds(7)))
        #expect(e.defaultLimiter.limits == QueryLimits(timeout: .seconds(7), maxSamples: 123))
        #expect(QueryLimits(maxSeries: -1).validationError == "query max series must not be negative")
        #expect(QueryLimits().validationError == nil)
        #expect(QueryLimits.format(ms: 90_061_001) == "1d1h1m1s1ms")
    }
}
