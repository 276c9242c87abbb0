public import Hummingbird
public import HummingbirdTLS
public import Logging
import NIOCore
import HTTPTypes

/// Hummingbird glue: collects each request body (bounded by ``APIOptions/maxBodyBytes``, larger
/// → 413 before the handler runs), calls ``API/handle(_:)`` and writes the response.
///
/// Executors: served by ``EventLoopPinnedChannel``, the request arrives on its connection's event
/// loop. Remote writes with bodies up to ``eventLoopBodyLimit`` are handled right there (decode,
/// append and WAL write take well under a millisecond for a queue manager's 500-sample request;
/// the wait for the group fsync suspends the task without holding the loop). Every other request
/// (queries, remote read, admin, larger writes) runs on the global concurrent executor, as its
/// streamed body does, so it never stalls the loop's other connections.
/// Thread-safe; one value serves all connections.
public struct APIResponder: HTTPResponder {
    public typealias Context = SundialRequestContext
    /// The API answering requests.
    public let api: API

    public init(api: API) { self.api = api }

    /// Largest remote-write body (bytes, compressed, inclusive) handled on the connection's event
    /// loop; larger ones go to the global concurrent executor (a 1 MiB snappy body decodes to tens
    /// of thousands of samples: several milliseconds of CPU the loop's other connections would wait).
    public static let eventLoopBodyLimit = 1 << 20

    /// Answers `request`: remote writes up to ``eventLoopBodyLimit`` on the calling executor (the
    /// connection's event loop under ``EventLoopPinnedChannel``), the rest on the global concurrent
    /// executor.
    public func respond(to request: Request, context: Context) async throws -> Response {
        if request.uri.path == API.Route.write.rawValue,
           let cl = request.headers[.contentLength].flatMap({ Int($0) }), cl <= Self.eventLoopBodyLimit
        {
            return try await respondHere(to: request, context: context)
        }
        return try await withTaskExecutorPreference(globalConcurrentExecutor) {
            try await respondHere(to: request, context: context)
        }
    }

    func respondHere(to request: Request, context: Context) async throws -> Response {
        let limit = api.options.maxBodyBytes
        if let cl = request.headers[.contentLength].flatMap({ Int($0) }), cl > limit {
            return Self.tooLarge(limit, api: api, path: request.uri.path)
        }
        var body: [UInt8] = []
        if let cl = request.headers[.contentLength].flatMap({ Int($0) }), cl > 0 { body.reserveCapacity(cl) }
        for try await chunk in request.body {
            if body.count + chunk.readableBytes > limit {
                return Self.tooLarge(limit, api: api, path: request.uri.path)
            }
            body.append(contentsOf: chunk.readableBytesView)
        }
        var headers: [(String, String)] = []
        headers.reserveCapacity(request.headers.count)
        for f in request.headers { headers.append((f.name.canonicalName, f.value)) }
        var apiRequest = APIRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
            headers: headers, body: body)
        apiRequest.remoteAddress = context.remoteAddressText
        let r = await api.handle(apiRequest)
        return Self.response(r, head: request.method == .head)
    }

    static func tooLarge(_ limit: Int, api: API, path: String) -> Response {
        api.metrics.observeRequest(handler: API.route(path).0.rawValue, code: 413, seconds: 0)
        return response(.text("request body too large: limit is \(limit) bytes\n", status: 413), head: false)
    }

    static func response(_ r: APIResponse, head: Bool) -> Response {
        var fields = HTTPFields()
        for h in r.headers {
            if let name = HTTPField.Name(h.name) { fields.append(HTTPField(name: name, value: h.value)) }
        }
        let status = HTTPResponse.Status(code: r.status)
        if let stream = r.stream, !head {
            // Chunked: each piece is written (and flushed toward the socket) before the next is pulled.
            // Pulled on the global concurrent executor: producing a piece may take long (remote read).
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                try await withTaskExecutorPreference(globalConcurrentExecutor) {
                    while let piece = try await stream.next() {
                        if !piece.isEmpty { try await writer.write(ByteBuffer(bytes: piece)) }
                    }
                    try await writer.finish(nil)
                }
            })
        }
        if head || r.body.isEmpty {
            if r.status != 204 && r.status != 304 { fields[.contentLength] = head ? String(r.body.count) : "0" }
            return Response(status: status, headers: fields)
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}

/// Builds the Hummingbird application serving ``API`` on `host:port`.
public enum HTTPServer {
    /// An application (a ServiceLifecycle `Service`) serving `api`. Run it in a `ServiceGroup`;
    /// graceful shutdown stops accepting, lets in-flight requests finish, then returns.
    /// - Parameters:
    ///   - onRunning: called with the bound port once listening (useful with port 0).
    public static func application(
        api: API, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        // Idle/read timeout (``APIOptions/readTimeout``): Hummingbird closes a connection that has
        // read no request part and has no response in progress for that long.
        let idle = api.options.readTimeout.map { d -> TimeAmount in
            let (s, atto) = d.components
            return .nanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
        }
        return Application(
            responder: APIResponder(api: api),
            server: .eventLoopPinnedHTTP1(configuration: .init(idleTimeout: idle)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Sundial"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Like ``application(api:host:port:logger:onRunning:)``, serving HTTPS with `tls` when given
    /// (files loaded by ``TLSSettings/makeConfiguration()``). A plain-HTTP request to a TLS port
    /// fails the handshake and the connection is closed.
    /// - Throws: ``TLSSettings/SettingsError`` naming an unusable file, or when the TLS server
    ///   cannot be built.
    public static func application(
        api: API, host: String, port: Int, logger: Logger, tls: TLSSettings?,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let tlsConfiguration = try tls?.makeConfiguration()
        // The same idle/read timeout as the plain server (``APIOptions/readTimeout``).
        let idle = api.options.readTimeout.map { d -> TimeAmount in
            let (s, atto) = d.components
            return .nanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
        }
        return Application(
            responder: APIResponder(api: api),
            server: try tlsConfiguration.map {
                try .tls(.eventLoopPinnedHTTP1(configuration: .init(idleTimeout: idle)), tlsConfiguration: $0)
            } ?? .eventLoopPinnedHTTP1(configuration: .init(idleTimeout: idle)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "Sundial"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Serves `api` until the calling task is cancelled (then shuts down gracefully). For tests and
    /// embedding; `sundial serve` runs ``application(api:host:port:logger:onRunning:)`` in its
    /// own `ServiceGroup` with signal handling.
    public static func run(api: API, host: String = "127.0.0.1", port: Int = 0, logger: Logger, tls: TLSSettings? = nil,
                           onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        try await application(api: api, host: host, port: port, logger: logger, tls: tls, onRunning: onRunning).run()
    }
}
