/// Why a query failed, with Prometheus's error kinds (`promql/engine.go` error types and the
/// `errorType` values of `web/api/v1/api.go`). A domain error: the HTTP layer maps kinds to status codes.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error class.
    public enum Kind: String, Sendable, Hashable {
        /// The query text does not parse or type-check (`bad_data`).
        case badData = "bad_data"
        /// A runtime error such as a many-to-many match or a duplicate label set (`execution`).
        case execution
        /// The query ran past its timeout (`timeout`).
        case timeout
        /// The query was cancelled, e.g. the client went away (`canceled`).
        case canceled
        /// The query would hold more samples than ``EngineOptions/maxSamples`` (`execution`
        /// in Prometheus's API).
        case tooManySamples
        /// Storage failed to deliver data (`internal`/`execution`).
        case storage
    }

    /// The class of the error.
    public var kind: Kind
    /// The message, in Prometheus's words where it has them.
    public var message: String
    /// For ``Kind/tooManySamples``: the configured limit.
    public var limit: Int?

    /// An error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String, limit: Int? = nil) {
        self.kind = kind
        self.message = message
        self.limit = limit
    }

    /// The Prometheus API `errorType` string for this kind.
    public var apiErrorType: String {
        switch kind {
        case .badData: "bad_data"
        case .execution, .tooManySamples, .storage: "execution"
        case .timeout: "timeout"
        case .canceled: "canceled"
        }
    }

    /// The message alone, as Prometheus renders its errors.
    public var description: String { message }

    static func tooManySamples(_ limit: Int) -> EvaluationError {
        EvaluationError(.tooManySamples, "query processing would load too many samples into memory in query execution",
                        limit: limit)
    }
    static func timeout(_ stage: String = "query execution") -> EvaluationError {
        EvaluationError(.timeout, "query timed out in \(stage)")
    }
    static func canceled(_ stage: String = "query execution") -> EvaluationError {
        EvaluationError(.canceled, "query was canceled in \(stage)")
    }
}
