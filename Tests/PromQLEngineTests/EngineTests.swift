import Testing
import PromQLEngine
import SundialCore
import SundialTestSupport

/// The public engine API: result shapes, errors and limits.
@Suite struct EngineTests {
    /// `up{job="a"}` = 0,1,2,... every 15 s, and `up{job="b"}` = 10× that, over 10 minutes.
    static func storage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for i in 0...40 {
            let t = Int64(i) * 15_000
            _ = try app.append(ref: .none, labels: Labels(["__name__": "up", "job": "a"]), timestamp: t, value: Double(i))
            _ = try app.append(ref: .none, labels: Labels(["__name__": "up", "job": "b"]), timestamp: t, value: Double(i * 10))
        }
        try app.commit()
        return s
    }

    @Test func instantVector() async throws {
        let r = try await Engine().instantQuery("up", at: 60_000, storage: try Self.storage())
        guard case .vector(let v) = r.value else { Issue.record("not a vector"); return }
        #expect(v.count == 2)
        #expect(v.allSatisfy { $0.timestamp == 60_000 })
        #expect(Set(v.map(\.value)) == [4, 40])
    }

    @Test func scalarAndString() async throws {
        let e = Engine()
        let s = try Self.storage()
        #expect(try await e.instantQuery("1 + 2", at: 5_000, storage: s).value == .scalar(5_000, 3))
        #expect(try await e.instantQuery("\"x\"", at: 5_000, storage: s).value == .string(5_000, "x"))
    }

    @Test func rangeQueryIsSortedMatrix() async throws {
        let r = try await Engine().rangeQuery("sum by (job) (rate(up[1m]))", start: 60_000, end: 120_000, step: 30_000,
                                              storage: try Self.storage())
        guard case .matrix(let m) = r.value else { Issue.record("not a matrix"); return }
        #expect(m.map { $0.labels } == [Labels(["job": "a"]), Labels(["job": "b"])])
        #expect(m[0].timestamps == [60_000, 90_000, 120_000])
        for v in m[0].values { #expect(abs(v - 1.0 / 15) < 1e-12) }
    }

    @Test func instantRangeSelectorReturnsMatrix() async throws {
        let r = try await Engine().instantQuery("up{job=\"a\"}[30s]", at: 60_000, storage: try Self.storage())
        guard case .matrix(let m) = r.value else { Issue.record("not a matrix"); return }
        // 2.42 windows are closed: 30 s, 45 s and 60 s.
        #expect(m.first?.timestamps == [30_000, 45_000, 60_000])
    }

    @Test func v3WindowsAreLeftOpen() async throws {
        let e = Engine(options: EngineOptions(semantics: .prometheus3))
        let r = try await e.instantQuery("up{job=\"a\"}[30s]", at: 60_000, storage: try Self.storage())
        guard case .matrix(let m) = r.value else { Issue.record("not a matrix"); return }
        #expect(m.first?.timestamps == [45_000, 60_000])
    }

    @Test func parseErrorIsBadData() async throws {
        await #expect(throws: EvaluationError.self) {
            _ = try await Engine().instantQuery("sum(", at: 0, storage: MemoryStorage())
        }
        do {
            _ = try await Engine().instantQuery("sum(", at: 0, storage: MemoryStorage())
        } catch {
            #expect(error.kind == .badData)
            #expect(error.apiErrorType == "bad_data")
        }
    }

    @Test func rangeQueryValidation() async throws {
        do {
            _ = try await Engine().rangeQuery("up[5m]", start: 0, end: 10, step: 1, storage: MemoryStorage())
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .badData)
            #expect(error.message == "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")
        }
        do {
            _ = try await Engine().rangeQuery("up", start: 0, end: 10, step: 0, storage: MemoryStorage())
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .badData)
        }
    }

    @Test func manyToManyIsExecutionError() async throws {
        let s = try Self.storage()
        do {
            _ = try await Engine().instantQuery("up + on() up", at: 60_000, storage: s)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .execution)
            #expect(error.message.hasPrefix("found duplicate series for the match group {} on the right hand-side of the operation"))
        }
    }

    @Test func maxSamplesLimit() async throws {
        let e = Engine(options: EngineOptions(maxSamples: 5))
        let s = try Self.storage()
        do {
            _ = try await e.rangeQuery("up", start: 0, end: 600_000, step: 15_000, storage: s)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .tooManySamples)
            #expect(error.message == "query processing would load too many samples into memory in query execution")
            #expect(error.apiErrorType == "execution")
        }
    }

    @Test func timeout() async throws {
        let e = Engine(options: EngineOptions(timeout: .zero))
        let s = try Self.storage()
        do {
            // Enough steps to pass several cancellation checkpoints.
            _ = try await e.rangeQuery("sum(rate(up[1m])) + count_over_time(up[1m])", start: 0, end: 3_600_000 * 24,
                                       step: 1_000, storage: s)
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timeout)
        }
    }

    @Test func cancellation() async throws {
        let e = Engine()
        let s = try Self.storage()
        let task = Task {
            try await e.rangeQuery("sum(rate(up[1m]))", start: 0, end: 3_600_000 * 24, step: 1_000, storage: s)
        }
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("expected cancellation")
        } catch let error as EvaluationError {
            #expect(error.kind == .canceled)
        }
    }

    @Test func concurrencyGateAdmitsQueriesInTurn() async throws {
        let e = Engine(options: EngineOptions(maxConcurrentQueries: 1))
        let s = try Self.storage()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for _ in 0..<8 {
                g.addTask { _ = try await e.instantQuery("sum(up)", at: 60_000, storage: s) }
            }
            try await g.waitForAll()
        }
    }

    @Test func staleMarkerEndsSeries() async throws {
        let s = MemoryStorage()
        let app = s.appender()
        let l = Labels(["__name__": "x"])
        _ = try app.append(ref: .none, labels: l, timestamp: 0, value: 1)
        _ = try app.append(ref: .none, labels: l, timestamp: 10_000, value: StaleMarker.value)
        try app.commit()
        let before = try await Engine().instantQuery("x", at: 5_000, storage: s)
        let after = try await Engine().instantQuery("x", at: 20_000, storage: s)
        #expect(before.value == .vector([VectorSample(labels: l, timestamp: 5_000, value: 1)]))
        #expect(after.value == .vector([]))
    }

    /// Enough series to take the parallel path; the result must equal the sequential arithmetic.
    @Test func largeSelectionUsesAllCores() async throws {
        let s = MemoryStorage()
        let app = s.appender()
        for k in 0..<3000 {
            let l = Labels(["__name__": "c", "k": "\(k)", "m": "\(k % 3)"])
            for i in 0...20 {
                // A counter reset for every 7th series.
                let v = k % 7 == 0 && i > 10 ? Double(i - 10) : Double(i * (k % 5 + 1))
                _ = try app.append(ref: .none, labels: l, timestamp: Int64(i) * 15_000, value: v)
            }
        }
        try app.commit()
        let e = Engine()
        let r = try await e.rangeQuery("sum by (m) (rate(c[1m]))", start: 60_000, end: 300_000, step: 60_000, storage: s)
        let each = try await e.rangeQuery("rate(c[1m])", start: 60_000, end: 300_000, step: 60_000, storage: s)
        guard case .matrix(let m) = r.value, case .matrix(let all) = each.value else { Issue.record("not a matrix"); return }
        #expect(all.count == 3000)
        #expect(m.count == 3)
        // Recompute the sums from the per-series output (same order of addition is not guaranteed).
        for g in m {
            let members = all.filter { $0.labels.get("m") == g.labels.get("m") }
            for (j, t) in g.timestamps.enumerated() {
                let expected = members.compactMap { s in s.timestamps.firstIndex(of: t).map { s.values[$0] } }.reduce(0, +)
                #expect(abs(g.values[j] - expected) <= 1e-9 * abs(expected))
            }
        }
    }
}
