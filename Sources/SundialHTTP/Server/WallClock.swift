#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time for API defaults (`time` = now). The only place SundialHTTP reads the clock.
enum WallClock {
    /// Milliseconds since the Unix epoch (`CLOCK_REALTIME`).
    static func nowMs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
