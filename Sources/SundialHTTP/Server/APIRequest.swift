/// A request as the API handlers see it: transport-independent, body already collected
/// (bounded by the server's body limit). Value type; `Sendable`.
public struct APIRequest: Sendable {
    /// Upper-case HTTP method (`GET`, `POST`, ...).
    public var method: String
    /// The URL path, not decoded (`/api/v1/label/job/values`).
    public var path: String
    /// The raw query string after `?`, or empty.
    public var query: String
    /// Header fields; names compared case-insensitively by ``header(_:)``.
    public var headers: [(name: String, value: String)]
    /// The request body.
    public var body: [UInt8]
    /// The client's address (`ip:port`) when the transport knows it; for audit logs.
    public var remoteAddress: String? = nil

    public init(method: String, path: String, query: String = "", headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers.map { (name: $0.0, value: $0.1) }
        self.body = body
    }

    /// The first value of header `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        for h in headers where APIRequest.asciiCaseInsensitiveEqual(h.name, name) { return h.value }
        return nil
    }

    /// Whether `a` and `b` are equal ignoring ASCII case (HTTP field names are ASCII tokens,
    /// RFC 9110 §5.1), without allocating (remote write looks up two headers per request).
    static func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
        var ia = a.utf8.makeIterator(), ib = b.utf8.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y && (x | 0x20) != (y | 0x20) { return false }
                if x != y && !((x | 0x20) >= 0x61 && (x | 0x20) <= 0x7A) { return false }
            default: return false
            }
        }
    }

    /// Parameters from the URL and, for `POST`/`PUT`/`PATCH` with a form content type, from the body
    /// (body values first, as Go's `ParseForm` orders them).
    public func formParams() throws(APIError) -> FormParams {
        var p = FormParams()
        if method == "POST" || method == "PUT" || method == "PATCH",
            let ct = header("content-type"),
            ct.lowercased().hasPrefix("application/x-www-form-urlencoded")
        {
            try p.parse(urlEncoded: body)
        }
        try p.parse(urlEncoded: query.utf8)
        return p
    }
}

/// A response from an API handler. Value type; `Sendable`.
public struct APIResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Header fields to send (Content-Type etc.).
    public var headers: [(name: String, value: String)]
    /// The body bytes (ignored when ``stream`` is set).
    public var body: [UInt8]
    /// A body produced piece by piece after the head is sent (chunked transfer encoding), for
    /// responses too large to build in memory first (streamed remote read).
    public var stream: ResponseStream? = nil

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers.map { (name: $0.0, value: $0.1) }
        self.body = body
    }

    /// The whole body: ``body``, or every piece of ``stream`` pulled and concatenated (tests and
    /// in-process callers).
    public func collectBody() async throws -> [UInt8] {
        guard let stream else { return body }
        var out: [UInt8] = []
        while let piece = try await stream.next() { out.append(contentsOf: piece) }
        return out
    }

    /// `application/json` with `body`.
    public static func json(_ body: [UInt8], status: Int = 200) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// The JSON error envelope for `error`, with its status.
    public static func error(_ error: APIError, warnings: [String] = []) -> APIResponse {
        json(APIEnvelope.error(error, warnings: warnings), status: error.status)
    }

    /// `text/plain; charset=utf-8` with `text`.
    public static func text(_ text: String, status: Int = 200) -> APIResponse {
        APIResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        for h in headers where h.name.lowercased() == name.lowercased() { return h.value }
        return nil
    }
}

/// A response body pulled piece by piece: ``next`` returns the next piece to send, or nil after
/// the last. The server pulls a piece only when the previous one was written to the connection,
/// so memory stays bounded by one piece. A throw after the head was sent aborts the connection
/// (HTTP/1.1 has no way to report it; the client sees a truncated chunked body).
public struct ResponseStream: Sendable {
    /// Produces the next piece (nil: done). Called by one consumer, in order.
    public let next: @Sendable () async throws -> [UInt8]?

    public init(next: @escaping @Sendable () async throws -> [UInt8]?) { self.next = next }
}
