import Foundation
import Testing
@testable import PromQLEngine
import SundialCore
import SundialTestSupport

/// Queries run on the engine's own threads, not on Swift's cooperative pool, and stay cancellable.
@Suite struct EvaluationPoolTests {
    @Test func runsOnThePoolThreads() async throws {
        let pool = EvaluationPool(threads: 2, name: "test-pool")
        let name = try await pool.run { _ -> Result<String, EvaluationError> in
            .success(EvaluationPool.currentThreadName ?? "")
        }
        #expect(name.hasPrefix("test-pool-"))
    }

    @Test func errorsComeBack() async throws {
        let pool = EvaluationPool(threads: 1, name: "test-pool")
        await #expect(throws: EvaluationError.self) {
            _ = try await pool.run { _ -> Result<Int, EvaluationError> in .failure(EvaluationError.timeout()) }
        }
    }

    /// More jobs than threads: they queue and all complete.
    @Test func queuesBeyondThreadCount() async throws {
        let pool = EvaluationPool(threads: 2, name: "test-pool")
        let sum = try await withThrowingTaskGroup(of: Int.self) { g in
            for i in 0..<20 { g.addTask { try await pool.run { _ in .success(i) } } }
            var s = 0
            for try await x in g { s += x }
            return s
        }
        #expect(sum == 190)
    }

    /// Cancelling the waiting task reaches a job that is already running through its flag.
    @Test func cancellationReachesTheRunningJob() async throws {
        let pool = EvaluationPool(threads: 1, name: "test-pool")
        let started = CancellationFlag()  // used as a plain "job started" mark
        let task = Task {
            try await pool.run { (flag: CancellationFlag) -> Result<Bool, EvaluationError> in
                started.cancel()
                // Spin until cancelled; bounded so a broken cancellation fails instead of hanging.
                let limit = ContinuousClock.now.advanced(by: .seconds(30))
                while !flag.isCancelled && ContinuousClock.now < limit { usleep(1000) }
                return flag.isCancelled ? .failure(EvaluationError.canceled()) : .success(false)
            }
        }
        while !started.isCancelled { try await Task.sleep(for: .milliseconds(1)) }
        task.cancel()
        await #expect(throws: EvaluationError.self) { _ = try await task.value }
    }

    /// The engine's queries are evaluated on the shared pool.
    @Test func engineEvaluatesOffTheCooperativePool() async throws {
        let r = try await Engine().instantQuery("up", at: 60_000, storage: try EngineTests.storage())
        guard case .vector(let v) = r.value else { Issue.record("not a vector"); return }
        #expect(v.count == 2)
        #expect(EvaluationPool.shared.threadCount == 16)
    }
}
