#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystem {
    /// Creates `to` as a hard link to the existing file `from` (POSIX `link`). Both paths must be on
    /// one file system; `to` must not exist. Thread-safe.
    /// - Throws: ``FileIOError`` (`link`) naming `from`, with `to` in the detail (e.g. `EXDEV`
    ///   across file systems, `EEXIST`).
    public static func hardLink(_ from: String, to: String) throws {
        guard link(from, to) == 0 else {
            throw FileIOError(operation: "link", path: from, errno: currentErrno(), detail: "to \(to)")
        }
    }

    /// Hard-links the file `from` to `to`, or copies it (content fsynced) when the link fails (e.g.
    /// another file system), as Prometheus's block snapshot does. Thread-safe.
    /// - Returns: true when a link was made, false when the file was copied.
    @discardableResult
    public static func linkOrCopy(_ from: String, to: String) throws -> Bool {
        if link(from, to) == 0 { return true }
        let src = try DiskFile(path: from, mode: .read)
        let bytes: [UInt8]
        do { bytes = try src.readAll() } catch {
            try? src.close()
            throw error
        }
        try src.close()
        let dst = try DiskFile(path: to, mode: .createOrTruncate)
        do {
            try dst.write(bytes, at: 0)
            try dst.sync()
            try dst.close()
        } catch {
            try? dst.close()
            throw error
        }
        return false
    }
}
