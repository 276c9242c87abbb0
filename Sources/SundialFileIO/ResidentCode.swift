#if canImport(Glibc)
import Glibc
#endif

/// Releases the resident pages of the process's mapped code after start-up (issue #6: peak RSS).
///
/// A Swift server touches far more code while it starts (argument parsing, configuration, the
/// Foundation and ICU initialisers, the runtime's conformance and metadata scans, WAL replay, the
/// kernel's fault-around mapping 64 KiB around each touched page) than it runs afterwards: at
/// 100k series `sundial serve` held ~23 MiB of executable file pages right after start-up
/// (its own binary ~10 MiB, libswiftCore 4.9, Foundation + FoundationEssentials 6.5, ICU 2.7).
/// ``releaseExecutablePages()`` drops this process's page-table entries for those mappings
/// (`madvise(MADV_DONTNEED)`); the pages stay in the page cache, and whatever code runs later
/// is mapped back on first use by a minor fault. Only mappings that are executable, private,
/// file-backed and have no private (written) page are touched: discarding a written page of a
/// private mapping would revert it to the file's contents, so those are skipped.
///
/// Linux only (elsewhere it does nothing). Thread-safe; meant to be called once when a server is
/// ready, not on a hot path (it reads `/proc/self/smaps`).
public enum ResidentCode {
    /// What ``releaseExecutablePages()`` did.
    public struct Release: Sendable, Hashable {
        /// Mappings advised.
        public var mappings: Int
        /// Resident bytes of those mappings before the call (`Rss` in smaps).
        public var residentBytes: Int
        /// Mappings skipped because they have written (private dirty or anonymous) pages.
        public var skipped: Int
    }

    /// Drops the resident pages of the clean executable file mappings (see the type doc).
    /// - Returns: what was released; nil when `/proc/self/smaps` cannot be read (not Linux).
    @discardableResult
    public static func releaseExecutablePages() -> Release? {
        #if os(Linux)
        guard let text = readProcFile("/proc/self/smaps") else { return nil }
        var release = Release(mappings: 0, residentBytes: 0, skipped: 0)
        for m in parseSmaps(text) where m.isExecutableFileMapping {
            if m.privateDirtyKB != 0 || m.anonymousKB != 0 {
                release.skipped += 1
                continue
            }
            guard let address = UnsafeMutableRawPointer(bitPattern: m.start), m.end > m.start else { continue }
            if madvise(address, Int(m.end - m.start), MADV_DONTNEED) == 0 {
                release.mappings += 1
                release.residentBytes += m.rssKB * 1024
            }
        }
        return release
        #else
        return nil
        #endif
    }

    /// One mapping of `/proc/PID/smaps`: its address range, permissions, path and the counters
    /// used here (kB).
    struct Mapping: Equatable {
        var start: UInt = 0
        var end: UInt = 0
        var permissions = ""
        var path = ""
        var rssKB = 0
        var privateDirtyKB = 0
        var anonymousKB = 0

        /// `r-xp` (readable, executable, not writable, private) and backed by a file.
        var isExecutableFileMapping: Bool { permissions == "r-xp" && path.hasPrefix("/") }
    }

    /// Parses smaps text: a header line per mapping (`start-end perms offset dev inode path`)
    /// followed by `Key: value kB` lines. Lines it does not understand are ignored.
    static func parseSmaps(_ text: String) -> [Mapping] {
        var out: [Mapping] = []
        var current: Mapping? = nil
        for lineSub in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = lineSub.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.hasSuffix(":") {
                guard current != nil, fields.count >= 2, let value = Int(fields[1]) else { continue }
                switch first {
                case "Rss:": current!.rssKB = value
                case "Private_Dirty:": current!.privateDirtyKB = value
                case "Anonymous:": current!.anonymousKB = value
                default: break
                }
                continue
            }
            let range = first.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                fields.count >= 5
            else { continue }
            if let c = current { out.append(c) }
            current = Mapping(start: start, end: end, permissions: String(fields[1]),
                              path: fields.count >= 6 ? fields[5...].joined(separator: " ") : "")
        }
        if let c = current { out.append(c) }
        return out
    }

    /// The whole content of a (procfs) file, read in chunks (procfs files report size 0).
    static func readProcFile(_ path: String) -> String? {
        #if canImport(Glibc)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
        #else
        return nil
        #endif
    }
}
