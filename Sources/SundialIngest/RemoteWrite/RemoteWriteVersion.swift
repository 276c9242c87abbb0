/// The remote-write protocol version of a request body.
public enum RemoteWriteVersion: String, Sendable, Hashable, CustomStringConvertible {
    /// Remote write 1.0: `prometheus.WriteRequest`.
    case v1 = "prometheus.WriteRequest"
    /// Remote write 2.0: `io.prometheus.write.v2.Request`.
    case v2 = "io.prometheus.write.v2.Request"

    public var description: String { rawValue }

    /// Chooses the protocol version from the request headers, as the remote-write 2.0 spec
    /// ("Content-Type", "Content-Encoding") and Prometheus's receiver do:
    /// - A missing Content-Type means 1.0 (receivers keep pre-2.0 senders working).
    /// - The media type must be `application/x-protobuf` (case-insensitive, surrounding spaces
    ///   ignored). Without a `proto` parameter it means 1.0; `proto=prometheus.WriteRequest` is
    ///   1.0, `proto=io.prometheus.write.v2.Request` is 2.0; any other `proto` value or a
    ///   malformed parameter is refused.
    /// - Content-Encoding must be `snappy` (case-insensitive); a missing one is taken as snappy.
    /// - Throws: ``IngestError`` of kind ``IngestError/Kind/unsupportedMediaType`` (HTTP 415).
    public static func negotiate(contentType: String?, contentEncoding: String?) throws(IngestError) -> RemoteWriteVersion {
        if let enc = contentEncoding.map(trimmed), !enc.isEmpty, enc.lowercased() != "snappy" {
            throw IngestError(
                .unsupportedMediaType,
                "\(enc) encoding (compression) is not accepted by this server; only snappy is acceptable")
        }
        guard let raw = contentType.map(trimmed), !raw.isEmpty else { return .v1 }
        let parts = raw.split(separator: ";", omittingEmptySubsequences: false)
        let media = trimmed(String(parts[0])).lowercased()
        guard media == "application/x-protobuf" else {
            throw IngestError(
                .unsupportedMediaType,
                "expected application/x-protobuf as the first (media) part, got \(raw) content-type")
        }
        for p in parts.dropFirst() {
            let pair = p.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2 else {
                throw IngestError(
                    .unsupportedMediaType,
                    "expected parameters to be key-values (RFC 9110), got \(trimmed(String(p))) in \(raw) content-type")
            }
            let key = trimmed(String(pair[0])).lowercased()
            guard key == "proto" else { continue }
            var value = trimmed(String(pair[1]))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard let v = RemoteWriteVersion(rawValue: value) else {
                throw IngestError(
                    .unsupportedMediaType,
                    "unknown remote write protobuf message \(value) in content-type \(raw); accepted: \(RemoteWriteVersion.v1), \(RemoteWriteVersion.v2)")
            }
            return v
        }
        return .v1
    }

    /// The Content-Type a sender uses for this version.
    public var contentType: String {
        switch self {
        case .v1: "application/x-protobuf"
        case .v2: "application/x-protobuf;proto=io.prometheus.write.v2.Request"
        }
    }

    private static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let f = sub.first, f == " " || f == "\t" { sub.removeFirst() }
        while let l = sub.last, l == " " || l == "\t" { sub.removeLast() }
        return String(sub)
    }
}
