import ArgumentParser
import SundialCore
import SundialTSDB
#if canImport(Glibc)
import Glibc
#endif

/// Hidden `sundial tsdb crash-writer --data-dir DIR`: the child process of the crash test
/// (Tests/SundialTSDBTests/CrashTests.swift). Opens the database (replaying what earlier runs
/// left), then appends batch after batch forever and prints `ack <batch>` after each commit has
/// returned (durable). The test SIGKILLs it at random moments and checks, after each reopen,
/// that every acknowledged batch is complete and nothing else was invented.
///
/// Batch `b` holds, at timestamp `b·1000` ms, the value `b·1.5 + s` for series `s` of
/// `crash{s="<s>"}`, for the ten fixed series 0…9 and ten more chosen by `b` among 10…209 (so
/// series records keep appearing). Batches resume after the newest batch found on open.
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

    /// The series of batch `b`.
    static func series(of b: Int) -> [Int] {
        Array(0..<10) + (0..<10).map { 10 + (b * 7 + $0 * 20) % 200 }
    }

    func run() throws {
        let db = try DB.open(directory: dataDir)
        let maxT = db.head.maxTime
        var b = maxT == .min ? 1 : Int(maxT / 1000) + 1
        var done = 0
        var refs = [SeriesRef](repeating: .none, count: 210)
        while batches == 0 || done < batches {
            let app = db.appender()
            for s in TSDBCrashWriter.series(of: b) {
                refs[s] = try app.append(ref: refs[s], labels: Labels([Label("__name__", "crash"), Label("s", String(s))]),
                                         timestamp: Int64(b) * 1000, value: Double(b) * 1.5 + Double(s))
            }
            try app.commit()
            let line = Array("ack \(b)\n".utf8)
            _ = line.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            b += 1
            done += 1
        }
        try db.close()
    }
}
