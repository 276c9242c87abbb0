import Foundation
import SundialTestSupport
import Testing

/// Shared knobs and reporting for the seeded fuzz suites.
///
/// Every suite runs a fixed number of iterations from a fixed seed, so a CI failure reproduces
/// locally with the same numbers. `SUNDIAL_FUZZ_SCALE=N` multiplies the iteration counts (for a
/// longer local run: `SUNDIAL_FUZZ_SCALE=20 swift test --filter FuzzTests`); `SUNDIAL_FUZZ_SEED`
/// changes the base seed. A failing input is written to `$TMPDIR/sundial-fuzz-failures/` and named
/// in the issue, ready to become a regression test.
enum Fuzz {
    /// Iteration multiplier (default 1: the CI budget).
    static let scale: Int = {
        Int(ProcessInfo.processInfo.environment["SUNDIAL_FUZZ_SCALE"] ?? "") ?? 1
    }()

    /// Base seed mixed into every suite's seed (default 0).
    static let baseSeed: UInt64 = {
        UInt64(ProcessInfo.processInfo.environment["SUNDIAL_FUZZ_SEED"] ?? "") ?? 0
    }()

    /// A generator for one suite: `suiteSeed` keeps suites independent of each other.
    static func rng(_ suiteSeed: UInt64) -> SplitMix64 { SplitMix64(seed: suiteSeed ^ (baseSeed &* 0x9E37_79B9_7F4A_7C15)) }

    /// `base` scaled by ``scale``.
    static func iterations(_ base: Int) -> Int { base * max(1, scale) }

    /// Records a property violation for `input`, saving it to a file for reproduction.
    static func fail(_ target: String, iteration: Int, input: [UInt8], _ message: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sundial-fuzz-failures")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("\(target)-\(iteration).bin")
        try? Data(input).write(to: file)
        Issue.record("\(target) iteration \(iteration): \(message) (input saved to \(file.path), \(input.count) bytes)",
                     sourceLocation: sourceLocation)
    }

    /// Prints one line of statistics (how many inputs a reader accepted: a fuzzer whose inputs are
    /// all rejected by the first check tests nothing deeper).
    static func report(_ target: String, inputs: Int, accepted: Int) {
        print("fuzz \(target): \(inputs) inputs, \(accepted) accepted (\(accepted * 100 / max(1, inputs))%)")
    }

    /// Reads every regular file directly in `dir` (sorted by name), skipping names in `except`.
    static func files(in dir: String, except: Set<String> = []) -> [(name: String, bytes: [UInt8])] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        return names.compactMap { n in
            guard !except.contains(n), let d = FileManager.default.contents(atPath: "\(dir)/\(n)") else { return nil }
            return (n, [UInt8](d))
        }
    }
}
