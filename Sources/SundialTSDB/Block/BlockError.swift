import SundialEncoding

/// Why a block (or one of its files) could not be read or written. Carries the file's path and,
/// for corrupt bytes, the decoder's error with its offset.
public struct BlockError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file's bytes do not decode (bad magic, checksum, truncation, out-of-range reference).
        case corrupt = "corrupt block file"
        /// A system call failed (open, read, write, fsync, rename).
        case io = "block I/O error"
        /// A caller handed the writer something it cannot store (unsorted series, bad chunk).
        case invalidInput = "invalid block input"
    }
    public var kind: Kind
    /// The file or directory concerned.
    public var path: String
    public var detail: String
    /// The decoding error, with its byte offset, when `kind == .corrupt`.
    public var cause: DecodeError?

    public init(_ kind: Kind, path: String, _ detail: String, cause: DecodeError? = nil) {
        self.kind = kind
        self.path = path
        self.detail = detail
        self.cause = cause
    }

    /// A corruption error for `path` wrapping `cause`.
    public static func corrupt(_ path: String, _ cause: DecodeError) -> BlockError {
        BlockError(.corrupt, path: path, cause.description, cause: cause)
    }

    public var description: String { "\(kind.rawValue) \(path): \(detail)" }
}
