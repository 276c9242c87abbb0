#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOPosix
import SundialCore
import SundialHTTP
import SundialIngest
import SundialTestSupport
import Synchronization
import Testing

/// The server's executors (`EventLoopPinnedChannel`, `APIResponder`): remote writes are appended on
/// NIO event loop threads, and queries run on the global concurrent executor, never on a loop (a
/// CPU-bound query on a loop would stall the writes of every connection sharing it). Checked by
/// where each call runs (`MultiThreadedEventLoopGroup.currentEventLoop`), not by holding a thread:
/// a test that blocks one of the two cooperative threads starves the rest of the suite.
@Suite struct EventLoopPinnedServerTests {
    /// Whether the calling thread is a NIO event loop.
    static func onEventLoop() -> Bool { MultiThreadedEventLoopGroup.currentEventLoop != nil }

    /// Storage recording, for each append, whether it ran on an event loop (forwarding to `MemoryStorage`).
    final class LoopRecordingStorage: Queryable, Appendable, Sendable {
        let base = MemoryStorage()
        let appendsOnLoop = Mutex<[Bool]>([])

        func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
            try base.querier(minTime: minTime, maxTime: maxTime)
        }

        func appender() -> any Appender { RecordingAppender(base: base.appender(), storage: self) }
    }

    final class RecordingAppender: Appender {
        let base: any Appender
        let storage: LoopRecordingStorage
        init(base: any Appender, storage: LoopRecordingStorage) {
            self.base = base
            self.storage = storage
        }

        func append(ref: SeriesRef, labels: Labels, timestamp: Timestamp, value: Double) throws(AppendError) -> SeriesRef {
            let onLoop = EventLoopPinnedServerTests.onEventLoop()
            storage.appendsOnLoop.withLock { $0.append(onLoop) }
            return try base.append(ref: ref, labels: labels, timestamp: timestamp, value: value)
        }

        func appendMetadata(_ metadata: MetricMetadata) { base.appendMetadata(metadata) }
        func commit() throws { try base.commit() }
        func rollback() { base.rollback() }
    }

    /// An evaluator recording, for each instant query, whether it ran on an event loop.
    final class LoopRecordingEvaluator: QueryEvaluator {
        let queriesOnLoop = Mutex<[Bool]>([])

        func instantQuery(_ query: String, time: Timestamp, timeout: Duration?) async throws(APIError) -> QueryData {
            let onLoop = EventLoopPinnedServerTests.onEventLoop()
            queriesOnLoop.withLock { $0.append(onLoop) }
            return QueryData(.scalar(time, 1))
        }

        func rangeQuery(_ query: String, start: Timestamp, end: Timestamp, step: Int64, timeout: Duration?) async throws(APIError) -> QueryData {
            QueryData(.matrix([]))
        }

        func format(_ query: String) throws(APIError) -> String { query }
        func parseSelector(_ selector: String) throws(APIError) -> [LabelMatcher] { [] }
        func hasSelectors(_ query: String) throws(APIError) -> Bool { true }
    }

    @Test func writesRunOnEventLoopsAndQueriesNeverDo() async throws {
        let storage = LoopRecordingStorage()
        let evaluator = LoopRecordingEvaluator()
        let server = try await ServerTestHarness(storage: storage, evaluator: evaluator)
        let c = server.client
        // Each request on a new connection: the connections spread over every event loop.
        for i in 0..<6 {
            let q = try await c.get("/api/v1/query?query=up&time=1")
            #expect(q.status == 200)
            let req = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "pinned"), Label("i", "\(i)")],
                                                        samples: [.init(value: 1, timestamp: 1000)])])
            let r = try await c.request("POST", "/api/v1/write", headers: ServerBadInputTests.v1Headers, body: req.compressed(.v1))
            #expect(r.status == 204)
        }
        let appends = storage.appendsOnLoop.withLock { $0 }
        let queries = evaluator.queriesOnLoop.withLock { $0 }
        #expect(appends == Array(repeating: true, count: 6), "appends on an event loop: \(appends)")
        #expect(queries == Array(repeating: false, count: 6), "queries on an event loop: \(queries)")
        await server.stop()
    }
}
