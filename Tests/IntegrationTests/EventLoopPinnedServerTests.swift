#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SundialCore
import SundialHTTP
import SundialIngest
import SundialTestSupport
import Synchronization
import Testing

/// The server's executors (`EventLoopPinnedChannel`, `APIResponder`): remote writes are appended on
/// NIO event loop threads, and a query that holds its thread does not stall the writes of other
/// connections, some of which share its connection's loop (queries run on the global concurrent
/// executor, never on a loop: a query left on the loop makes this test fail).
@Suite struct EventLoopPinnedServerTests {
    /// Storage recording the name of each thread that appends (forwarding to `MemoryStorage`).
    final class ThreadRecordingStorage: Queryable, Appendable, Sendable {
        let base = MemoryStorage()
        let threads = Mutex<[String]>([])

        func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
            try base.querier(minTime: minTime, maxTime: maxTime)
        }

        func appender() -> any Appender { RecordingAppender(base: base.appender(), storage: self) }

        static func currentThreadName() -> String { Thread.current.name ?? "" }
    }

    final class RecordingAppender: Appender {
        let base: any Appender
        let storage: ThreadRecordingStorage
        init(base: any Appender, storage: ThreadRecordingStorage) {
            self.base = base
            self.storage = storage
        }

        func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
            let name = ThreadRecordingStorage.currentThreadName()
            storage.threads.withLock { $0.append(name) }
            return try base.append(ref: ref, labels: labels, timestamp: timestamp, value: value)
        }

        func appendMetadata(_ metadata: MetricMetadata) { base.appendMetadata(metadata) }
        func commit() throws { try base.commit() }
        func rollback() { base.rollback() }
    }

    /// An evaluator whose instant query `block` holds its thread (not a suspension) until released
    /// or 10 s passed (then it marks itself released, so a test that waited that long fails), as a
    /// CPU-bound query would.
    final class BlockingEvaluator: QueryEvaluator {
        let entered = Atomic<Bool>(false)
        let released = Atomic<Bool>(false)

        func instantQuery(_ query: String, time: Timestamp, timeout: Duration?) async throws(APIError) -> QueryData {
            entered.store(true, ordering: .releasing)
            var waited = 0
            while !released.load(ordering: .acquiring) && waited < 10_000 {
                usleep(1000)
                waited += 1
            }
            released.store(true, ordering: .releasing)  // timed out: the test sees it
            return QueryData(.scalar(time, 1))
        }

        func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, timeout: Duration?) async throws(APIError) -> QueryData {
            QueryData(.matrix([]))
        }

        func format(_ query: String) throws(APIError) -> String { query }
        func parseSelector(_ selector: String) throws(APIError) -> [LabelMatcher] { [] }
        func hasSelectors(_ query: String) throws(APIError) -> Bool { true }
    }

    @Test func writesRunOnEventLoopsAndAreNotStalledByAQueryHoldingItsThread() async throws {
        let storage = ThreadRecordingStorage()
        let evaluator = BlockingEvaluator()
        let server = try await ServerTestHarness(storage: storage, evaluator: evaluator)
        let c = server.client
        let query = Task { try await c.get("/api/v1/query?query=block&time=1") }
        var spins = 0
        while !evaluator.entered.load(ordering: .acquiring) && spins < 5000 {
            try await Task.sleep(for: .milliseconds(2))
            spins += 1
        }
        let entered = evaluator.entered.load(ordering: .acquiring)
        #expect(entered)
        // Each request on a new connection: the connections spread over every event loop, so
        // some share the loop of the query's connection.
        for i in 0..<6 {
            let req = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "pinned"), Label("i", "\(i)")],
                                                        samples: [.init(value: 1, timestamp: 1000)])])
            let r = try await c.request("POST", "/api/v1/write", headers: ServerBadInputTests.v1Headers, body: req.compressed(.v1))
            #expect(r.status == 204)
        }
        // All six answered while the query still held its thread.
        let releasedEarly = evaluator.released.load(ordering: .acquiring)
        #expect(!releasedEarly)
        evaluator.released.store(true, ordering: .releasing)
        let q = try await query.value
        #expect(q.status == 200)
        let threads = storage.threads.withLock { $0 }
        #expect(threads.count == 6)
        #expect(threads.allSatisfy { $0.hasPrefix("NIO-") }, "\(threads)")
        await server.stop()
    }
}
