public import SundialEncoding

/// Why a remote-write or remote-read request could not be processed as a whole.
///
/// Per-sample refusals (out of order, too old, invalid labels of one series) are not errors: they
/// are counted in ``RemoteWriteResult`` and the rest of the batch is still written. An
/// `IngestError` means nothing (or, for ``Kind/storage``, nothing durable) was written.
/// `SundialHTTP` maps ``kind`` to a status code; this module knows no HTTP.
public struct IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The class of failure; HTTP maps each to one status.
    public enum Kind: String, Sendable, Hashable {
        /// Content-Type or Content-Encoding not accepted (HTTP 415).
        case unsupportedMediaType = "unsupported media type"
        /// The body is larger than the configured limit, compressed or decoded (HTTP 413).
        case tooLarge = "request too large"
        /// Not a valid snappy block (HTTP 400).
        case badCompression = "invalid snappy body"
        /// Not a valid protobuf message of the expected type (HTTP 400).
        case malformedMessage = "malformed protobuf message"
        /// Well-formed protobuf that breaks a protocol rule, e.g. a symbol reference out of range (HTTP 400).
        case invalidRequest = "invalid request"
        /// Storage failed to commit or query (retryable, HTTP 500).
        case storage = "storage error"
    }

    /// The class of failure.
    public var kind: Kind
    /// What was wrong, with the expected value or limit.
    public var message: String
    /// Byte offset in the decoded (decompressed) body, when known.
    public var offset: Int?
    /// Index of the offending TimeSeries (or query, for remote read), when known.
    public var seriesIndex: Int?
    /// The decoding error underneath, when there is one.
    public var cause: DecodeError?

    public init(_ kind: Kind, _ message: String, offset: Int? = nil, seriesIndex: Int? = nil, cause: DecodeError? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
        self.seriesIndex = seriesIndex
        self.cause = cause
    }

    /// `malformed protobuf message: <message> (series 3, byte offset 120)`.
    public var description: String {
        var s = "\(kind.rawValue): \(message)"
        var whereParts: [String] = []
        if let seriesIndex { whereParts.append("series \(seriesIndex)") }
        if let offset { whereParts.append("byte offset \(offset)") }
        if !whereParts.isEmpty { s += " (" + whereParts.joined(separator: ", ") + ")" }
        return s
    }

    /// Wraps a protobuf decoding error met while reading `what`.
    static func malformed(_ e: DecodeError, in what: String, seriesIndex: Int? = nil) -> IngestError {
        let detail = e.detail.isEmpty ? e.kind.rawValue : e.detail
        return IngestError(.malformedMessage, "\(what): \(detail)", offset: e.offset, seriesIndex: seriesIndex, cause: e)
    }
}
