#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An open file descriptor with positional I/O (`pread`/`pwrite`), `fsync`/`fdatasync`,
/// size and truncation. Every call retries `EINTR` and short transfers.
///
/// Thread safety: positional reads and writes, syncs and `size()` may be called from any thread
/// concurrently (the kernel orders them); ``close()`` must not race with other calls on the
/// same file (the owner closes it once no other thread uses it). Closing twice is harmless.
public final class DiskFile: Sendable {
    /// How to open a file.
    public enum Mode: Sendable {
        /// Read only; the file must exist.
        case read
        /// Read and write; the file must exist.
        case readWrite
        /// Read and write; created (mode 0644) if missing, existing content kept.
        case createOrOpen
        /// Read and write; created (mode 0644), failing with ``FileIOError/Code/alreadyExists`` if it exists.
        case createNew
        /// Read and write; created if missing, truncated to 0 bytes if present.
        case createOrTruncate
    }

    /// The path the file was opened with.
    public let path: String
    private let fd: Int32
    private let isClosed = Atomic<Bool>(false)

    /// Opens `path`.
    /// - Throws: ``FileIOError`` naming the path.
    public init(path: String, mode: Mode) throws {
        var flags: Int32 = O_CLOEXEC
        switch mode {
        case .read: flags |= O_RDONLY
        case .readWrite: flags |= O_RDWR
        case .createOrOpen: flags |= O_RDWR | O_CREAT
        case .createNew: flags |= O_RDWR | O_CREAT | O_EXCL
        case .createOrTruncate: flags |= O_RDWR | O_CREAT | O_TRUNC
        }
        var fd: Int32
        repeat { fd = open(path, flags, 0o644) } while fd < 0 && currentErrno() == EINTR
        guard fd >= 0 else { throw FileIOError(operation: "open", path: path, errno: currentErrno()) }
        self.fd = fd
        self.path = path
    }

    deinit {
        if !isClosed.load(ordering: .relaxed) { _ = systemClose(fd) }
    }

    /// The raw descriptor, for callers (in this module) that need another syscall on it.
    var descriptor: Int32 { fd }

    /// Writes all of `bytes` at byte `offset` (the file grows as needed).
    /// - Throws: ``FileIOError`` on any OS error; a partial write may have happened.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if currentErrno() == EINTR { continue }
                throw FileIOError(operation: "pwrite", path: path, errno: currentErrno(), detail: "at offset \(offset + done)")
            }
            if n == 0 {
                throw FileIOError(operation: "pwrite", path: path, errno: 0, code: .unexpected, detail: "wrote 0 bytes at offset \(offset + done)")
            }
            done += n
        }
    }

    /// Writes all of `bytes` at byte `offset`.
    public func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Writes all of `bytes` at byte `offset`.
    public func write(_ bytes: ArraySlice<UInt8>, at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read (fewer only at end of file).
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if currentErrno() == EINTR { continue }
                throw FileIOError(operation: "pread", path: path, errno: currentErrno(), detail: "at offset \(offset + done)")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads `count` bytes at `offset` into a new array (shorter at end of file).
    public func read(count: Int, at offset: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        // No zero-fill: the kernel writes the bytes; only the `n` read become the array's count.
        return try [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
            initialized = 0
            initialized = try read(into: UnsafeMutableRawBufferPointer(buf), at: offset)
        }
    }

    /// The whole file's content.
    public func readAll() throws -> [UInt8] {
        try read(count: try size(), at: 0)
    }

    /// Flushes data and metadata to stable storage (`fsync`).
    public func sync() throws {
        while fsync(fd) != 0 {
            if currentErrno() == EINTR { continue }
            throw FileIOError(operation: "fsync", path: path, errno: currentErrno())
        }
    }

    /// Flushes data (and the metadata needed to read it back, such as the size) to stable storage
    /// (`fdatasync`): cheaper than ``sync()`` for appended files.
    public func dataSync() throws {
        #if canImport(Glibc)
        while fdatasync(fd) != 0 {
            if currentErrno() == EINTR { continue }
            throw FileIOError(operation: "fdatasync", path: path, errno: currentErrno())
        }
        #else
        try sync()
        #endif
    }

    /// The file's size in bytes.
    public func size() throws -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIOError(operation: "fstat", path: path, errno: currentErrno()) }
        return Int(st.st_size)
    }

    /// Truncates (or extends with zeros) the file to `length` bytes.
    public func truncate(to length: Int) throws {
        while ftruncate(fd, off_t(length)) != 0 {
            if currentErrno() == EINTR { continue }
            throw FileIOError(operation: "ftruncate", path: path, errno: currentErrno(), detail: "to \(length) bytes")
        }
    }

    /// Closes the descriptor. Idempotent.
    public func close() throws {
        let (exchanged, _) = isClosed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
        guard exchanged else { return }
        if systemClose(fd) != 0 && currentErrno() != EINTR {
            throw FileIOError(operation: "close", path: path, errno: currentErrno())
        }
    }
}
