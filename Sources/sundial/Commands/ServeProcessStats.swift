#if canImport(Glibc)
import Glibc
#endif

/// Process statistics for `/metrics` and runtimeinfo, read from `/proc/self` (Linux).
enum ProcessStats {
    /// Online processors.
    static var activeProcessorCount: Int {
        #if canImport(Glibc)
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        1
        #endif
    }

    /// Resident set size in bytes, or nil where unavailable.
    static func residentMemoryBytes() -> Double? {
        guard let text = readSmallFile("/proc/self/statm") else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Double(parts[1]) else { return nil }
        #if canImport(Glibc)
        return pages * Double(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// User + system CPU seconds consumed by the process, or nil where unavailable.
    static func cpuSeconds() -> Double? {
        #if canImport(Glibc)
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return nil }
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
        #else
        return nil
        #endif
    }

    /// The gauges `/metrics` adds for the process (Go client's `process_*` names).
    static func metrics() -> [(name: String, help: String, type: String, value: Double)] {
        var out: [(name: String, help: String, type: String, value: Double)] = []
        if let c = cpuSeconds() {
            out.append(("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", c))
        }
        if let r = residentMemoryBytes() {
            out.append(("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", r))
        }
        return out
    }

    private static func readSmallFile(_ path: String) -> String? {
        #if canImport(Glibc)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 256) }
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
        #else
        return nil
        #endif
    }
}
