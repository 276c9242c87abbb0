import ArgumentParser
import SundialCore
import SundialTSDB
#if canImport(Glibc)
import Glibc
#endif

/// Hidden `sundial tsdb crash-writer --data-dir DIR`: the child process of the crash tests
/// (Tests/SundialTSDBTests/CrashTests.swift, CompactionCrashTests.swift). Opens the database
/// (replaying what earlier runs left), then appends batch after batch until killed and prints
/// `ack <batch>` after each commit has returned (durable). The test SIGKILLs it at random moments
/// and checks, after each reopen, that every acknowledged batch is complete and nothing else was
/// invented.
///
/// Batch `b` holds, at timestamp `b·step` ms, the value `b·1.5 + s` for series `s` of
/// `crash{s="<s>"}`, for the ten fixed series 0…9 and ten more chosen by `b` among 10…209 (so
/// series records keep appearing). Batches resume after the newest sample or block found on open.
///
/// With `--compact` (step 120 s, 2 h head blocks, level ranges 2 h/6 h/18 h, time retention
/// `--retention-ms`) it also runs storage maintenance after every `--compact-every` batches, in
/// the order ``DB/compact()`` uses, printing a marker line before each phase that has work to do:
/// `phase head` (persisting the head's oldest 2 h and truncating head and WAL), `phase merge`
/// (merging blocks), `phase retention` (deleting blocks), and `phase idle` after them. The test
/// kills the child a random few milliseconds after the phase it aims at begins.
struct TSDBCrashWriter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crash-writer",
        abstract: "Crash-test child: append and acknowledge batches until killed.",
        shouldDisplay: false
    )

    @Option(name: .customLong("data-dir"), help: "Data directory.")
    var dataDir: String

    @Option(help: "Stop after this many batches (0: never).")
    var batches: Int = 0

    @Flag(help: "Also persist the head, merge blocks and apply retention in a loop (phase markers on stdout).")
    var compact = false

    @Option(name: .customLong("retention-ms"), help: "Time retention in ms with --compact.")
    var retentionMs: Int64 = 12 * 3_600_000

    @Option(name: .customLong("compact-every"), help: "Batches between maintenance rounds with --compact.")
    var compactEvery: Int = 15

    /// Timestamp step between batches: 1 s plain, 120 s with `--compact` (so data spans hours fast).
    static func step(compact: Bool) -> Int64 { compact ? 120_000 : 1000 }

    /// Level ranges with `--compact`: 2 h, 6 h, 18 h.
    static let compactRanges: [Int64] = [2, 6, 18].map { $0 * 3_600_000 }

    /// The series of batch `b`.
    static func series(of b: Int) -> [Int] {
        Array(0..<10) + (0..<10).map { 10 + (b * 7 + $0 * 20) % 200 }
    }

    static func say(_ s: String) {
        let line = Array((s + "\n").utf8)
        _ = line.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
    }

    func run() throws {
        var options = DBOptions()
        if compact {
            options.retentionMs = retentionMs
            options.blockRanges = TSDBCrashWriter.compactRanges
        }
        let db = try DB.open(directory: dataDir, options: options)
        let step = TSDBCrashWriter.step(compact: compact)
        // Resume after the newest sample, or after the newest block when the head is empty.
        var newest = db.head.maxTime
        if let blockEnd = db.blocks.maxTime { newest = max(newest, blockEnd - 1) }
        var b = newest == .min ? 1 : Int(newest / step) + 1
        var done = 0
        var refs = [SeriesRef](repeating: .none, count: 210)
        while batches == 0 || done < batches {
            let app = db.appender()
            for s in TSDBCrashWriter.series(of: b) {
                refs[s] = try app.append(ref: refs[s], labels: Labels([Label("__name__", "crash"), Label("s", String(s))]),
                                         timestamp: Int64(b) * step, value: Double(b) * 1.5 + Double(s))
            }
            try app.commit()
            TSDBCrashWriter.say("ack \(b)")
            b += 1
            done += 1
            if compact && done % compactEvery == 0 { try maintain(db) }
        }
        try db.close()
    }

    /// One maintenance round, phase by phase as ``DB/compact()`` runs them.
    func maintain(_ db: DB) throws {
        let chunkRange = db.options.head.chunkRange
        if HeadCompaction.compactableRange(head: db.head, chunkRange: chunkRange) != nil {
            TSDBCrashWriter.say("phase head")
            try db.blocks.compactHead(db.head, chunkRange: chunkRange) { try db.truncateHead(before: $0) }
        }
        if !CompactionPlanner.plan(db.blocks.blocks.map(\.meta), ranges: db.blockRanges).isEmpty {
            TSDBCrashWriter.say("phase merge")
            try db.blocks.compact(ranges: db.blockRanges)
        }
        if !Retention.beyondTime(db.blocks.blocks.map(\.meta), retentionMs: db.options.retentionMs).isEmpty {
            TSDBCrashWriter.say("phase retention")
            try db.blocks.applyRetention(retentionMs: db.options.retentionMs)
        }
        TSDBCrashWriter.say("phase idle")
    }
}
