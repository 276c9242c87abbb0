import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory, held through `flock` on the file `<directory>/lock`
/// (the file name Prometheus uses). The holder's pid is written into the file, so a second
/// process (or a second lock in this process) fails with an error naming the directory and
/// the holder's pid. The lock is released by ``unlock()`` or when the object is freed, and by
/// the kernel when the process dies (a stale `lock` file does not block a restart).
///
/// Thread safety: ``unlock()`` may be called from any thread, once.
public final class DirectoryLock: Sendable {
    /// The locked directory.
    public let directory: String
    private let file: DiskFile
    private let released = Atomic<Bool>(false)

    /// Locks `directory`, creating `<directory>/lock` if needed. Does not wait.
    /// - Throws: ``FileIOError`` with code ``FileIOError/Code/locked`` if another holder has it.
    public init(directory: String) throws {
        let path = directory + "/lock"
        let f = try DiskFile(path: path, mode: .createOrOpen)
        var r: Int32
        repeat { r = flock(f.descriptor, LOCK_EX | LOCK_NB) } while r != 0 && currentErrno() == EINTR
        if r != 0 {
            let e = currentErrno()
            let holder = (try? f.readAll()).flatMap { String(validating: $0, as: UTF8.self) }?
                .trimmingSpaces ?? ""
            try? f.close()
            if e == EWOULDBLOCK || e == EAGAIN {
                throw FileIOError(
                    operation: "lock", path: directory, errno: 0, code: .locked,
                    detail: "directory is locked by another process" + (holder.isEmpty ? "" : " (pid \(holder))")
                        + "; lock file \(path)")
            }
            throw FileIOError(operation: "flock", path: path, errno: e)
        }
        let pid = Array("\(getpid())\n".utf8)
        do {
            try f.truncate(to: 0)
            try f.write(pid, at: 0)
        } catch {
            try? f.close()
            throw error
        }
        self.directory = directory
        self.file = f
    }

    /// Releases the lock (closing the descriptor releases the `flock`). Idempotent.
    public func unlock() {
        release()
    }

    deinit { release() }

    /// Unlocks explicitly before closing: the `flock` belongs to the open file description, which a
    /// child process forked elsewhere in this process (e.g. `posix_spawn` between fork and exec) may
    /// briefly share; closing our descriptor alone would leave the directory locked until that child
    /// execs, and an immediate reopen would fail with "locked by another process" naming our own pid.
    private func release() {
        // Once only: after close the descriptor number may belong to another file.
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = flock(file.descriptor, LOCK_UN)
        try? file.close()
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.last, c == " " || c == "\n" || c == "\r" || c == "\t" { s = s.dropLast() }
        while let c = s.first, c == " " || c == "\n" { s = s.dropFirst() }
        return String(s)
    }
}
