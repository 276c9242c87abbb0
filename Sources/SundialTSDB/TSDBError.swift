import SundialCore

/// Errors of the storage engine (head, blocks, DB lifecycle) that are not per-sample refusals
/// (those are Core's ``AppendError``).
public struct TSDBError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The database was closed.
        case closed = "database is closed"
        /// Writing to the write-ahead log failed; nothing of the batch became visible.
        case walWrite = "write-ahead log write failed"
        /// Replaying the write-ahead log failed.
        case walReplay = "write-ahead log replay failed"
        /// The data directory is unusable (cannot be created, locked or read).
        case directory = "data directory unusable"
        /// Stored data did not decode.
        case corruption = "corrupt data"
        /// An argument was out of its documented range.
        case invalidArgument = "invalid argument"
    }

    /// What went wrong.
    public var code: Code
    /// Details: where (path, series, offset) and what was expected.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        var s = "\(code.rawValue): \(message)"
        if let c = cause { s += " (cause: \(c))" }
        return s
    }
}
