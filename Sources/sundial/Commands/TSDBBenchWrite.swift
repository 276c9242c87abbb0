import ArgumentParser
import Dispatch
import SundialFileIO
import SundialCore
import SundialTSDB
import SundialWAL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
#if canImport(CoreFoundation)
// Release builds resolve `stat` through CoreFoundation's re-export (MemberImportVisibility).
import CoreFoundation
#endif

/// `sundial tsdb bench ...`: storage benchmarks (like `promtool tsdb bench`).
struct TSDBBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run storage benchmarks (like promtool tsdb bench).",
        subcommands: [TSDBBenchWrite.self, TSDBBenchStatus.self]
    )
}

/// `sundial tsdb bench write --data-dir DIR --series N --samples M`: appends a deterministic,
/// realistic workload through the real database (appenders, WAL with group commit), closes it,
/// reopens it to measure replay, and prints figures. The last line is machine-readable:
/// `samples_per_second=<n> chunk_bytes_per_sample=<x> wal_bytes_per_sample=<y> peak_rss_bytes=<z>`.
///
/// Workload: scrape targets alternate between node-exporter-like (CPU seconds per cpu and mode,
/// memory and filesystem gauges, network and disk counters, load averages) and application-like
/// (request counters, classic histogram `_bucket{le=…}`/`_sum`/`_count`, process gauges) label
/// sets, until N series exist. Every series gets M samples 15 s apart (with 0–2 ms of scrape
/// jitter), appended round by round in batches of `--batch-size` by `--writers` threads.
struct TSDBBenchWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Benchmark appends through the head and WAL with a realistic generated workload."
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (created; must not hold a database).")
    var dataDir: String

    @Option(help: "Number of series.")
    var series: Int = 10_000

    @Option(help: "Samples per series (one per 15 s scrape round).")
    var samples: Int = 120

    @Option(help: "Samples per commit (one appender batch, like one remote-write request).")
    var batchSize: Int = 2000

    @Option(help: "Concurrent writer threads.")
    var writers: Int = 2

    @Option(help: "WAL sync mode: always (group commit, durable), never, or interval.")
    var sync: String = "always"

    @Option(help: "WAL compression: snappy (readable by Prometheus 2.42), none, or zstd.")
    var compression: String = "snappy"

    @Option(help: "Threads applying the WAL's samples in the replay (DBOptions.replayThreads).")
    var replayThreads: Int = 2

    @Flag(help: "Only replay: open the existing database in --data-dir (written by an earlier run), report the replay, close.")
    var replayOnly = false

    @Flag(help: "Only append (for profiling the write path): skip the generator-cost pass and the reopen/replay.")
    var appendOnly = false

    func validate() throws {
        guard series > 0, samples > 0, batchSize > 0, writers > 0 else {
            throw ValidationError("--series, --samples, --batch-size and --writers must be positive")
        }
        guard ["always", "never", "interval"].contains(sync) else { throw ValidationError("--sync must be always, never or interval") }
        guard replayThreads > 0 else { throw ValidationError("--replay-threads must be positive") }
        guard ["snappy", "none", "zstd"].contains(compression) else { throw ValidationError("--compression must be snappy, none or zstd") }
    }

    func run() throws {
        let workload = BenchWorkload(seriesCount: series)
        var walOptions = WALOptions()
        walOptions.compression = compression == "none" ? .none : compression == "zstd" ? .zstd : .snappy
        walOptions.syncMode = sync == "never" ? .never : sync == "interval" ? .interval(milliseconds: 1000) : .always
        var options = DBOptions(wal: walOptions, log: { print("log: \($0)") })
        options.replayThreads = replayThreads
        if replayOnly {
            try runReplayOnly(options)
            return
        }
        let rssBefore = ProcessMemory.currentRSS()
        let db = try DB.open(directory: dataDir, options: options)

        let total = series * samples
        let shards = writers
        let perShard = (series + shards - 1) / shards
        // The workload generator's own cost: the same loops, computing every sample and reading
        // every label set, without appending (subtracted for the head-only figure).
        let generatorCPU = appendOnly ? 0 : generatorCPUSeconds(workload, shards: shards, perShard: perShard)
        let cpuStart = ProcessMemory.cpuSeconds()
        let start = ContinuousClock.now
        let failures = FailureCounter()
        for round in 0..<samples {
            DispatchQueue.concurrentPerform(iterations: shards) { shard in
                let lo = shard * perShard
                let hi = Swift.min(series, lo + perShard)
                var i = lo
                while i < hi {
                    let end = Swift.min(hi, i + batchSize)
                    let app = db.appender()
                    for s in i..<end {
                        let (t, v) = workload.sample(series: s, round: round)
                        if !BenchWorkload.append(app, workload, series: s, t, v) { failures.add(1) }
                    }
                    do { try app.commit() } catch { failures.add(end - i) }
                    i = end
                }
            }
            workload.refs.publish(db.head, workload.labels)
        }
        let elapsed = ContinuousClock.now - start
        let cpuSeconds = ProcessMemory.cpuSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rssLoaded = ProcessMemory.currentRSS()
        let heap = ProcessMemory.heap()
        let chunkBytes = db.head.chunkBytes()
        let seriesInHead = db.head.seriesCount
        let headChunks = db.head.stats.chunks
        try db.close()
        let walBytes = try directorySize(DB.walDirectory(dataDir))
        if appendOnly {
            print("series=\(seriesInHead) chunks=\(headChunks) samples=\(total) rounds=\(samples) writers=\(writers) batch_size=\(batchSize) sync=\(sync) compression=\(compression) refused=\(failures.value)")
            print("append_seconds=\(fmt(seconds)) append_cpu_seconds=\(fmt(cpuSeconds)) samples_per_cpu_second=\(fmt(Double(total) / max(1e-9, cpuSeconds))) head_rss_bytes_per_series=\(fmt(Double(rssLoaded - rssBefore) / Double(max(1, seriesInHead))))")
            print("samples_per_second=\(fmt(Double(total) / seconds)) chunk_bytes_per_sample=\(fmt(Double(chunkBytes) / Double(total))) wal_bytes_per_sample=\(fmt(Double(walBytes) / Double(total))) peak_rss_bytes=\(ProcessMemory.peakRSS())")
            return
        }

        // Replay: reopen and time the WAL replay into a fresh head.
        let replayCPUStart = ProcessMemory.cpuSeconds()
        var reopenOptions = DBOptions(wal: walOptions)
        reopenOptions.replayThreads = replayThreads
        let reopened = try DB.open(directory: dataDir, options: reopenOptions)
        let replayCPU = ProcessMemory.cpuSeconds() - replayCPUStart
        let replay = reopened.replayStats
        try reopened.close()

        let sps = Double(total) / seconds
        print("series=\(seriesInHead) chunks=\(headChunks) samples=\(total) rounds=\(samples) writers=\(writers) batch_size=\(batchSize) sync=\(sync) compression=\(compression) refused=\(failures.value)")
        print("append_seconds=\(fmt(seconds)) append_cpu_seconds=\(fmt(cpuSeconds)) samples_per_cpu_second=\(fmt(Double(total) / max(1e-9, cpuSeconds))) head_rss_bytes_per_series=\(fmt(Double(rssLoaded - rssBefore) / Double(max(1, seriesInHead))))")
        print("malloc_in_use_bytes=\(heap.inUse) malloc_free_bytes=\(heap.free) (after the append phase)")
        print("generator_cpu_seconds=\(fmt(generatorCPU)) db_append_samples_per_cpu_second=\(fmt(Double(total) / max(1e-9, cpuSeconds - generatorCPU)))")
        print("replay_samples=\(replay.samples) replay_seconds=\(fmt(Double(replay.nanoseconds) / 1e9)) replay_samples_per_second=\(fmt(Double(replay.samples) / max(1e-9, Double(replay.nanoseconds) / 1e9))) replay_cpu_seconds=\(fmt(replayCPU)) replay_samples_per_cpu_second=\(fmt(Double(replay.samples) / max(1e-9, replayCPU)))")
        print("samples_per_second=\(fmt(sps)) chunk_bytes_per_sample=\(fmt(Double(chunkBytes) / Double(total))) wal_bytes_per_sample=\(fmt(Double(walBytes) / Double(total))) peak_rss_bytes=\(ProcessMemory.peakRSS())")
    }

    /// `--replay-only`: times the opening replay of the database in `dataDir`.
    func runReplayOnly(_ options: DBOptions) throws {
        var quiet = options
        quiet.log = { _ in }
        let cpuStart = ProcessMemory.cpuSeconds()
        let db = try DB.open(directory: dataDir, options: quiet)
        let cpu = ProcessMemory.cpuSeconds() - cpuStart
        let replay = db.replayStats
        try db.close()
        print("replay_threads=\(replayThreads) series=\(replay.series) replay_samples=\(replay.samples) replay_seconds=\(fmt(Double(replay.nanoseconds) / 1e9)) replay_cpu_seconds=\(fmt(cpu)) replay_samples_per_cpu_second=\(fmt(Double(replay.samples) / max(1e-9, cpu))) peak_rss_bytes=\(ProcessMemory.peakRSS())")
    }

    /// CPU seconds of generating every sample and reading every ref (or, before the refs are
    /// known, label set) the way the append loop does, with nothing appended.
    func generatorCPUSeconds(_ workload: BenchWorkload, shards: Int, perShard: Int) -> Double {
        let sink = FailureCounter()
        let cpuStart = ProcessMemory.cpuSeconds()
        for round in 0..<samples {
            DispatchQueue.concurrentPerform(iterations: shards) { shard in
                let lo = shard * perShard
                let hi = Swift.min(series, lo + perShard)
                var acc = 0
                for s in lo..<Swift.max(lo, hi) {
                    let (t, v) = workload.sample(series: s, round: round)
                    acc &+= Int(truncatingIfNeeded: t) &+ Int(v.bitPattern & 1)
                    let ref = workload.refs.ref(s)
                    // The append loop reads a series' labels only until its ref is known.
                    acc &+= ref == .none ? workload.labels[s].count : Int(truncatingIfNeeded: ref.rawValue)
                }
                sink.add(acc & 1)
            }
        }
        return ProcessMemory.cpuSeconds() - cpuStart
    }

    func fmt(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : String(r)
    }

    func directorySize(_ path: String) throws -> Int {
        var total = 0
        for name in try FileSystem.listDirectory(path) {
            let full = path + "/" + name
            total += FileSystem.isDirectory(full) ? try directorySize(full) : try FileSystem.fileSize(full)
        }
        return total
    }
}

/// Counts refused samples across writer threads.
final class FailureCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.wrappingAdd(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// Resident memory of this process from `/proc/self/status`.
enum ProcessMemory {
    static func field(_ name: String) -> Int {
        guard let f = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, 256, f) != nil {
            let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if s.hasPrefix(name + ":") {
                let digits = s.dropFirst(name.count + 1).filter { $0.isNumber }
                return (Int(digits) ?? 0) * 1024
            }
        }
        return 0
    }
    /// Peak resident set size in bytes (`VmHWM`).
    static func peakRSS() -> Int { field("VmHWM") }
    /// User + system CPU time of the whole process so far, in seconds (all threads), from
    /// `/proc/self/stat` fields 14 and 15 (clock ticks of 1/100 s on Linux).
    static func cpuSeconds() -> Double {
        guard let f = fopen("/proc/self/stat", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 1024)
        guard fgets(&line, 1024, f) != nil else { return 0 }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        guard let close = text.lastIndex(of: ")") else { return 0 }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let u = Double(fields[11]), let s = Double(fields[12]) else { return 0 }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
    /// glibc's heap statistics (`mallinfo2`): bytes in use by allocations, and bytes free in the
    /// heap (holes the allocator keeps), all arenas.
    static func heap() -> (inUse: Int, free: Int) {
        #if canImport(Glibc)
        let m = mallinfo2()
        return (Int(m.uordblks) + Int(m.hblkhd), Int(m.fordblks))
        #else
        return (0, 0)
        #endif
    }
    /// Current resident set size in bytes (`VmRSS`).
    static func currentRSS() -> Int { field("VmRSS") }
}
