/// An error answered in Prometheus's JSON envelope: `{"status":"error","errorType":…,"error":…}`.
///
/// The types and default status codes follow `web/api/v1/api.go` (`errorType` constants and
/// `getDefaultErrorCode`). Messages must not leak internals: ``internal(_:)`` bodies carry
/// only a generic text, the detail goes to the log.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Prometheus's `errorType` values.
    public enum Kind: String, Sendable, Equatable {
        case badData = "bad_data"
        case execution
        case timeout
        case canceled
        case `internal`
        case unavailable
        case notFound = "not_found"
        case notAcceptable = "not_acceptable"

        /// The HTTP status Prometheus answers with for this type (`getDefaultErrorCode`).
        public var status: Int {
            switch self {
            case .badData: 400
            case .execution: 422
            case .timeout: 503
            case .canceled: 499
            case .internal: 500
            case .unavailable: 503
            case .notFound: 404
            case .notAcceptable: 406
            }
        }
    }

    /// The `errorType`.
    public var kind: Kind
    /// The `error` text shown to clients (Grafana prints `"<errorType>: <error>"`).
    public var message: String
    /// HTTP status; defaults to the kind's status.
    public var status: Int

    /// An error of `kind` with `message`, answered with the kind's default status unless `status` is given.
    public init(_ kind: Kind, _ message: String, status: Int? = nil) {
        self.kind = kind
        self.message = message
        self.status = status ?? kind.status
    }

    /// `bad_data` (400).
    public static func badData(_ message: String) -> APIError { APIError(.badData, message) }

    /// `internal` (500) with a generic body; log `detail` separately.
    public static func `internal`(_ message: String = "internal server error") -> APIError {
        APIError(.internal, message)
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
