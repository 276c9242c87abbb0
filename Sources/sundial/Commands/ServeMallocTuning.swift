#if canImport(Glibc)
import Glibc
#endif

/// glibc malloc settings for `sundial serve`, applied first thing in the command, before the
/// server's thread pools start.
///
/// glibc gives threads that allocate under contention their own arenas (up to 8 per core), and
/// memory freed into an arena stays with it. The server runs many threads that allocate in bursts
/// (NIO event loops, the remote-read blocking pool, the 16-thread PromQL evaluation pool and its
/// parallel selectors), so after the benchmark's queries at 100k series the process held 824–855 MiB
/// (VmHWM) with glibc's default, and 304–329 MiB with two arenas, with the same query medians and
/// within ~4 % of the ingest CPU per sample (BENCHMARKS.md, "malloc arenas"). An operator's own
/// `MALLOC_ARENA_MAX` in the environment wins.
enum ServeMallocTuning {
    /// Arenas the server uses unless `MALLOC_ARENA_MAX` is set.
    static let arenas: Int32 = 2
    /// glibc's `M_ARENA_MAX` parameter number (`<malloc.h>`: `#define M_ARENA_MAX -8`), which the
    /// Glibc module does not export.
    static let mArenaMax: Int32 = -8

    static func apply() {
        #if canImport(Glibc)
        guard getenv("MALLOC_ARENA_MAX") == nil, let symbol = dlsym(nil, "mallopt") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mArenaMax, arenas)
        #endif
    }
}
