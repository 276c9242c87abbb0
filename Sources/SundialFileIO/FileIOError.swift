#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file-system operation: which operation, on which path, and the OS error.
///
/// Every syscall wrapper in this module throws this type, so a message always names the
/// file and the failing call (`pwrite`, `fsync`, `rename`, ...).
public struct FileIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is, for callers that react differently (e.g. "not found").
    public enum Code: Sendable, Hashable {
        /// The path does not exist (`ENOENT`).
        case notFound
        /// The path already exists (`EEXIST`).
        case alreadyExists
        /// Another process holds the lock on a directory (see ``DirectoryLock``).
        case locked
        /// A short read or write that could not be completed, or a file that is not what it should be.
        case unexpected
        /// Any other OS error (see ``FileIOError/errno``).
        case os
    }

    /// The category of the failure.
    public var code: Code
    /// The operation that failed, e.g. `"open"`, `"pwrite"`, `"fdatasync"`.
    public var operation: String
    /// The path the operation was applied to.
    public var path: String
    /// The OS `errno`, or 0 when the failure is not an OS error.
    public var errno: Int32
    /// Extra detail (e.g. the lock holder's pid).
    public var detail: String

    /// Creates an error; `code` is derived from `errno` when not given.
    public init(operation: String, path: String, errno: Int32, code: Code? = nil, detail: String = "") {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.detail = detail
        if let code {
            self.code = code
        } else {
            switch errno {
            case ENOENT: self.code = .notFound
            case EEXIST: self.code = .alreadyExists
            default: self.code = .os
            }
        }
    }

    /// A human-readable rendering, for logs and test failures.
    public var description: String {
        var s = "\(operation) \(path) failed"
        if errno != 0 {
            let msg = strerror(errno).map { String(cString: $0) } ?? "errno \(errno)"
            s += ": \(msg) (errno \(errno))"
        }
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }
}

/// The current thread's `errno`.
@inline(__always) func currentErrno() -> Int32 {
    #if canImport(Glibc)
    return Glibc.errno
    #else
    return Darwin.errno
    #endif
}

/// `close(2)` under a name that methods called `close()` do not shadow.
@inline(__always) func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// `rename(2)` under a name that ``FileSystem/rename(_:to:)`` does not shadow.
@inline(__always) func systemRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }
