#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directory and path operations: listing, creating, removing, renaming, directory fsync and
/// atomic replacement. All functions are thread-safe (they hold no state) and throw
/// ``FileIOError`` naming the path.
public enum FileSystem {
    /// True if something exists at `path` (file, directory or other).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// True if `path` is a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Size in bytes of the file at `path`.
    public static func fileSize(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileIOError(operation: "stat", path: path, errno: currentErrno()) }
        return Int(st.st_size)
    }

    /// Creates directory `path` (mode 0755); with `intermediate`, also its missing parents.
    /// An existing directory is not an error.
    public static func createDirectory(_ path: String, intermediate: Bool = true) throws {
        if isDirectory(path) { return }
        if intermediate, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let parent = String(path[..<slash])
            if !parent.isEmpty && !isDirectory(parent) { try createDirectory(parent, intermediate: true) }
        }
        if mkdir(path, 0o755) != 0 {
            let e = currentErrno()
            if e == EEXIST && isDirectory(path) { return }
            throw FileIOError(operation: "mkdir", path: path, errno: e)
        }
    }

    /// The names (not paths) of the entries of directory `path`, without `.` and `..`, sorted
    /// in byte order.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw FileIOError(operation: "opendir", path: path, errno: currentErrno()) }
        defer { closedir(dir) }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: &ent.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return names
    }

    /// Removes the file (or empty directory) at `path`. A missing path is not an error.
    public static func remove(_ path: String) throws {
        if unlink(path) == 0 { return }
        var e = currentErrno()
        if e == ENOENT { return }
        if e == EISDIR || e == EPERM {
            if rmdir(path) == 0 { return }
            e = currentErrno()
            if e == ENOENT { return }
            throw FileIOError(operation: "rmdir", path: path, errno: e)
        }
        throw FileIOError(operation: "unlink", path: path, errno: e)
    }

    /// Removes `path` and, if it is a directory, everything below it. A missing path is not an error.
    /// Symlinks are removed, not followed.
    public static func removeTree(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            let e = currentErrno()
            if e == ENOENT { return }
            throw FileIOError(operation: "lstat", path: path, errno: e)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
        }
        try remove(path)
    }

    /// Renames `from` to `to`, replacing a file at `to` (POSIX `rename`: atomic on one file system).
    /// Does not fsync; see ``syncDirectory(_:)``.
    public static func rename(_ from: String, to: String) throws {
        guard systemRename(from, to) == 0 else {
            throw FileIOError(operation: "rename", path: from, errno: currentErrno(), detail: "to \(to)")
        }
    }

    /// Fsyncs directory `path`, making created, renamed and removed entries in it durable.
    public static func syncDirectory(_ path: String) throws {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) } while fd < 0 && currentErrno() == EINTR
        guard fd >= 0 else { throw FileIOError(operation: "open directory", path: path, errno: currentErrno()) }
        defer { _ = systemClose(fd) }
        while fsync(fd) != 0 {
            if currentErrno() == EINTR { continue }
            throw FileIOError(operation: "fsync directory", path: path, errno: currentErrno())
        }
    }

    /// The directory part of `path` (`"."` when it has none).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Atomically replaces the file at `path` with `bytes`: writes `path.tmp`, fsyncs it, renames it
    /// over `path` and fsyncs the parent directory. A crash leaves either the old or the new content.
    public static func atomicReplace(_ path: String, with bytes: [UInt8]) throws {
        let tmp = path + ".tmp"
        let f = try DiskFile(path: tmp, mode: .createOrTruncate)
        do {
            try f.write(bytes, at: 0)
            try f.sync()
            try f.close()
        } catch {
            try? f.close()
            try? remove(tmp)
            throw error
        }
        try rename(tmp, to: path)
        try syncDirectory(parentDirectory(of: path))
    }

    /// Puts directory `from` in place of `to` (Prometheus `fileutil.Replace`): fsyncs `from`, removes
    /// any existing `to`, renames `from` to `to` and fsyncs the parent directory. The caller fsyncs
    /// the files inside `from` beforehand.
    public static func moveDirectory(from: String, replacing to: String) throws {
        try syncDirectory(from)
        try removeTree(to)
        try rename(from, to: to)
        try syncDirectory(parentDirectory(of: to))
    }
}
