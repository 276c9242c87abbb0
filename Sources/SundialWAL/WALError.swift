/// A WAL failure: what went wrong, in which segment and at which byte offset, and the cause.
///
/// Corruption found while reading (`code == .corruption`) names the segment file and the offset of
/// the first bad record; replay repairs it by truncating there.
public struct WALError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A fragment or record failed validation (CRC, length, type sequence, padding, decoding).
        case corruption
        /// A syscall failed (see ``WALError/cause``).
        case io
        /// The WAL was closed, or failed earlier and refuses further writes.
        case closed
        /// The directory's contents are not a WAL (e.g. segments not numbered consecutively).
        case invalidDirectory
        /// A caller passed arguments the operation refuses (e.g. checkpointing the active segment).
        case invalidArgument
    }

    /// The kind of failure.
    public var code: Code
    /// The directory the segment is in (the WAL or a checkpoint directory).
    public var directory: String
    /// The segment index, or nil when the failure is not about one segment.
    public var segment: Int?
    /// Byte offset inside the segment, or nil.
    public var offset: Int?
    /// What was wrong.
    public var message: String
    /// The underlying error (a ``FileIOError``, a `DecodeError`...), if any.
    public var cause: (any Error)?

    /// Creates a value from its fields.
    public init(
        _ code: Code, directory: String, segment: Int? = nil, offset: Int? = nil, _ message: String,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.directory = directory
        self.segment = segment
        self.offset = offset
        self.message = message
        self.cause = cause
    }

    /// A human-readable rendering, for logs and test failures.
    public var description: String {
        var s = "wal \(code.rawValue)"
        if let segment {
            s += " in segment \(directory)/\(WALFormat.segmentName(segment))"
            if let offset { s += " at offset \(offset)" }
        } else {
            s += " in \(directory)"
        }
        s += ": \(message)"
        if let cause { s += " (cause: \(cause))" }
        return s
    }
}
