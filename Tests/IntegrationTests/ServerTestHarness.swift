import Logging
import SundialCore
import SundialHTTP
import Synchronization

/// Runs the HTTP API in process on 127.0.0.1 with an ephemeral port, for the integration tests.
/// `stop()` cancels the server task, which shuts Hummingbird down gracefully.
final class ServerTestHarness: Sendable {
    let api: API
    let port: Int
    let client: ServerTestClient
    private let task: Task<Void, any Error>

    init(storage: any Queryable & Appendable, evaluator: any QueryEvaluator, options: APIOptions = APIOptions()) async throws {
        var logger = Logger(label: "sundial-test")
        logger.logLevel = .warning
        let api = API(storage: storage, evaluator: evaluator, options: options,
                      metrics: ServerMetrics(startTimeSeconds: 0), logger: logger)
        api.setReady(true)
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        task = Task {
            try await HTTPServer.run(api: api, host: "127.0.0.1", port: 0, logger: logger) { port in
                continuation.yield(port)
                continuation.finish()
            }
        }
        var it = stream.makeAsyncIterator()
        guard let p = await it.next() else { throw ServerTestClient.ClientError(description: "server did not start") }
        self.api = api
        self.port = p
        self.client = ServerTestClient(port: p)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
