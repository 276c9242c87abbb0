import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The few file operations blocks need: whole-file reads, durable writes, atomic directory
/// renames. Kept in one place so it can move onto SundialFileIO (segment files, mmap, dir fsync)
/// once that module exposes them; until then it uses Foundation plus `fsync(2)`/`rename(2)`.
enum BlockFiles {
    /// Reads a whole file. - Throws: ``BlockError`` `.io` naming the path.
    static func read(_ path: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path) else {
            throw BlockError(.io, path: path, "cannot read file")
        }
        return [UInt8](d)
    }

    /// Creates (truncating) `path`, writes `bytes` and fsyncs it.
    static func writeDurably(_ path: String, _ bytes: [UInt8]) throws {
        let w = try Writer(path)
        try w.write(bytes)
        try w.syncAndClose()
    }

    /// Creates `path` and its missing parents.
    static func makeDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw BlockError(.io, path: path, "mkdir: \(error)")
        }
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw BlockError(.io, path: path, "open dir: errno \(errno)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw BlockError(.io, path: path, "fsync dir: errno \(errno)") }
    }

    /// Atomically renames `from` to `to` (same file system), then fsyncs the parent of `to`.
    static func renameDurably(_ from: String, _ to: String) throws {
        guard rename(from, to) == 0 else { throw BlockError(.io, path: from, "rename to \(to): errno \(errno)") }
        try syncDirectory((to as NSString).deletingLastPathComponent)
    }

    /// Removes a file or directory tree; missing is fine.
    static func remove(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw BlockError(.io, path: path, "remove: \(error)")
        }
    }

    /// Sub-directory names of `path` (unsorted); empty if it does not exist.
    static func list(_ path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Size of a file in bytes, 0 if unknown.
    static func size(_ path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Sequential writer of one new file: buffered appends, `fsync` on close.
    final class Writer {
        let path: String
        private let fd: Int32
        private(set) var offset: Int = 0

        init(_ path: String) throws {
            self.path = path
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BlockError(.io, path: path, "create: errno \(errno)") }
        }

        /// Writes all of `bytes` at the current end.
        func write(_ bytes: [UInt8]) throws {
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { raw in
                    Glibc.write(fd, raw.baseAddress!.advanced(by: done), bytes.count - done)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw BlockError(.io, path: path, "write: errno \(errno)")
                }
                done += n
            }
            offset += bytes.count
        }

        /// fsyncs and closes. The writer must not be used afterwards.
        func syncAndClose() throws {
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw BlockError(.io, path: path, "fsync: errno \(errno)") }
        }

        /// Closes without syncing (error paths).
        func abandon() { close(fd) }
    }
}

extension BlockFiles {
    /// Total size in bytes of the regular files under `path` (recursively); 0 if missing.
    static func treeSize(_ path: String) -> UInt64 {
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: UInt64 = 0
        while let name = e.nextObject() as? String {
            total += size("\(path)/\(name)")
        }
        return total
    }
}
