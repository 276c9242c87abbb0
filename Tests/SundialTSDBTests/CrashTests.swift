import Foundation
import Testing
import SundialCore
import SundialTSDB
import SundialTestSupport

/// Kills a writing child process with SIGKILL at random moments, many times over the same data
/// directory, and checks after every reopen that each acknowledged batch is there in full, that
/// every batch present is complete (a commit is all-or-nothing), and that nothing was invented.
@Suite struct CrashTests {
    /// The `sundial` executable built beside the test bundle.
    static func sundialBinary() -> String? {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            // …/debug/SundialPackageTests.xctest or …/debug/SundialPackageTests.xctest/Contents/…
            for _ in 0..<4 {
                candidates.append(dir.appendingPathComponent("sundial").path)
                dir.deleteLastPathComponent()
            }
        }
        candidates.append(Testdata.repositoryRoot + "/.build/debug/sundial")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func acknowledgedBatchesSurviveSIGKILL() throws {
        let binary = try #require(Self.sundialBinary(), "build the sundial executable first (swift build --build-tests)")
        let dir = try TemporaryDirectory(prefix: "sundial-crash")
        defer { dir.remove() }
        var rng = SystemRandomNumberGenerator()
        var acked = Set<Int>()
        var kills = 0
        for round in 0..<12 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["tsdb", "crash-writer", "--data-dir", dir.path]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Let it open (replay) and write for a while, then kill it mid-flight.
            let delay = 150_000 + Int.random(in: 0..<250_000, using: &rng) + (round == 0 ? 300_000 : 0)
            usleep(UInt32(delay))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            if p.terminationReason == .uncaughtSignal { kills += 1 }
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Only complete lines count: a torn last line was not an acknowledgement.
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                if line.hasPrefix("ack "), let b = Int(line.dropFirst(4)) { acked.insert(b) }
            }
            try Self.verify(dir.path, acked: acked)
        }
        #expect(kills >= 10)
        #expect(acked.count > 20, "the child acknowledged too few batches to prove anything")
    }

    static func verify(_ path: String, acked: Set<Int>) throws {
        let db = try DB.open(directory: path)
        defer { try? db.close() }
        var found: [Int: Set<Int>] = [:]  // batch → series present
        let q = try db.querier(minTime: .min, maxTime: .max)
        for s in try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "crash")]) {
            let series = try #require(Int(s.labels.get("s") ?? ""))
            var buf = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            for (t, v) in zip(buf.timestamps, buf.values) {
                #expect(t % 1000 == 0 && t > 0, "invented timestamp \(t)")
                let b = Int(t / 1000)
                #expect(v == Double(b) * 1.5 + Double(series), "invented value \(v) for batch \(b) series \(series)")
                found[b, default: []].insert(series)
            }
        }
        for b in acked { #expect(found[b] != nil, "acknowledged batch \(b) lost") }
        for (b, present) in found {
            #expect(present == Set(CrashSeries.of(b)), "batch \(b) is partial: \(present.count) series")
        }
    }
}

/// Mirror of `TSDBCrashWriter.series(of:)` in the executable.
enum CrashSeries {
    static func of(_ b: Int) -> [Int] { Array(0..<10) + (0..<10).map { 10 + (b * 7 + $0 * 20) % 200 } }
}
