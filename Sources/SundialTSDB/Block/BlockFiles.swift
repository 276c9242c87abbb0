import SundialFileIO

/// The few file operations blocks need: whole-file reads, durable writes, atomic directory
/// renames, listing and sizes. All go through SundialFileIO (`DiskFile`, `FileSystem`), so every
/// failure carries the path, the operation and `errno`; wrapped here as ``BlockError`` `.io`.
enum BlockFiles {
    /// Reads a whole file. - Throws: ``BlockError`` `.io` naming the path.
    static func read(_ path: String) throws -> [UInt8] {
        do {
            let f = try DiskFile(path: path, mode: .read)
            defer { try? f.close() }
            return try f.readAll()
        } catch { throw BlockError(.io, path: path, "read: \(error)") }
    }

    /// Creates (truncating) `path`, writes `bytes` and fsyncs it.
    static func writeDurably(_ path: String, _ bytes: [UInt8]) throws {
        let w = try Writer(path)
        do { try w.write(bytes) } catch {
            w.abandon()
            throw error
        }
        try w.syncAndClose()
    }

    /// Creates `path` and its missing parents.
    static func makeDirectory(_ path: String) throws {
        do { try FileSystem.createDirectory(path, intermediate: true) } catch {
            throw BlockError(.io, path: path, "mkdir: \(error)")
        }
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    static func syncDirectory(_ path: String) throws {
        do { try FileSystem.syncDirectory(path) } catch { throw BlockError(.io, path: path, "\(error)") }
    }

    /// Atomically renames `from` to `to` (same file system), then fsyncs the parent of `to`.
    static func renameDurably(_ from: String, _ to: String) throws {
        do { try FileSystem.rename(from, to: to) } catch { throw BlockError(.io, path: from, "\(error)") }
        try syncDirectory(FileSystem.parentDirectory(of: to))
    }

    /// Removes a file or directory tree; missing is fine.
    static func remove(_ path: String) throws {
        do { try FileSystem.removeTree(path) } catch { throw BlockError(.io, path: path, "remove: \(error)") }
    }

    /// Entry names of directory `path` (byte-sorted); empty if it does not exist or cannot be read.
    static func list(_ path: String) -> [String] {
        (try? FileSystem.listDirectory(path)) ?? []
    }

    /// True if anything exists at `path`.
    static func exists(_ path: String) -> Bool { FileSystem.exists(path) }

    /// Size of a file in bytes, 0 if unknown.
    static func size(_ path: String) -> UInt64 {
        (try? FileSystem.fileSize(path)).map { UInt64($0) } ?? 0
    }

    /// Sequential writer of one new file: appends at the running offset, `fsync` on close.
    /// Not thread-safe.
    final class Writer {
        let path: String
        private let file: DiskFile
        private(set) var offset: Int = 0

        init(_ path: String) throws {
            self.path = path
            do { file = try DiskFile(path: path, mode: .createOrTruncate) } catch {
                throw BlockError(.io, path: path, "create: \(error)")
            }
        }

        /// Writes all of `bytes` at the current end.
        func write(_ bytes: [UInt8]) throws {
            do { try file.write(bytes, at: offset) } catch { throw BlockError(.io, path: path, "write: \(error)") }
            offset += bytes.count
        }

        /// fsyncs and closes. The writer must not be used afterwards.
        func syncAndClose() throws {
            do {
                try file.sync()
                try file.close()
            } catch {
                try? file.close()
                throw BlockError(.io, path: path, "fsync: \(error)")
            }
        }

        /// Closes without syncing (error paths).
        func abandon() { try? file.close() }
    }
}

extension BlockFiles {
    /// Total size in bytes of the regular files under `path` (recursively); 0 if missing.
    static func treeSize(_ path: String) -> UInt64 {
        guard FileSystem.isDirectory(path) else { return size(path) }
        var total: UInt64 = 0
        for name in list(path) { total += treeSize("\(path)/\(name)") }
        return total
    }
}
