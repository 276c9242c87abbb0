#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory (`mmap(PROT_READ, MAP_SHARED)`), unmapped on deinit.
///
/// Safe access is bounds-checked: ``bytes(in:)`` copies a range out and ``withBytes(_:)`` lends
/// the mapping as a read-only buffer for the duration of the closure. The raw address is only
/// reachable through ``unsafeBaseAddress``. An empty file maps to an empty buffer (no mmap).
///
/// Thread safety: immutable after creation; any number of threads may read concurrently.
/// The mapping reflects the file: the file must not be truncated while mapped (a read past the
/// new end raises SIGBUS), so only map files that are complete and no longer written.
public final class MappedFile: @unchecked Sendable {
    /// The mapped file's path.
    public let path: String
    /// Length of the mapping in bytes (the file size at open time).
    public let count: Int
    private let base: UnsafeRawPointer?

    /// Maps the whole file at `path`.
    /// - Throws: ``FileIOError`` if the file cannot be opened, sized or mapped.
    public init(path: String) throws {
        let f = try DiskFile(path: path, mode: .read)
        defer { try? f.close() }
        let size = try f.size()
        self.path = path
        self.count = size
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, f.descriptor, 0)
        guard let p, p != MAP_FAILED else {
            throw FileIOError(operation: "mmap", path: path, errno: currentErrno(), detail: "\(size) bytes")
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// Lends the whole mapping as a read-only buffer. The buffer must not escape the closure.
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A copy of the bytes in `range`, or nil if the range is not inside the file.
    public func bytes(in range: Range<Int>) -> [UInt8]? {
        guard range.lowerBound >= 0, range.upperBound <= count else { return nil }
        return withBytes { [UInt8]($0[range]) }
    }

    /// The start of the mapping (nil for an empty file). Valid only while `self` is alive; reads past
    /// ``count`` are undefined.
    public var unsafeBaseAddress: UnsafeRawPointer? { base }

    /// Advises the kernel that the mapping will be read sequentially (`MADV_SEQUENTIAL`).
    public func adviseSequential() {
        if let base { _ = madvise(UnsafeMutableRawPointer(mutating: base), count, MADV_SEQUENTIAL) }
    }
}
