import ArgumentParser
import Foundation
import PromQLEngine
import PromQLTest
import SundialCore
import SundialTSDB

/// `sundial promql test FILE...`: runs Prometheus test scripts (`load`/`eval`/`clear`) against the
/// real engine over a fresh in-memory TSDB head per `clear`. Prints one line per failing eval
/// (and per skipped eval with its reason), then `N passed, M failed[, K skipped]`; exits non-zero
/// when any eval failed.
struct PromQLTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run PromQL test scripts (Prometheus's promqltest format)."
    )

    @Argument(help: "Script files (.test).")
    var files: [String]

    @Flag(help: "Use Prometheus v3 semantics and grammar (for the v3.x scripts).")
    var v3 = false

    @Flag(help: "Do not list skipped evals.")
    var quiet = false

    func run() async throws {
        let options = EngineOptions(semantics: v3 ? .prometheus3 : .prometheus2)
        // Like Prometheus's test storage: 24h blocks, so the head's appendable window (half a
        // chunk range) covers every script's data.
        let runner = TestRunner(options: options) {
            HeadStorage(head: Head(options: HeadOptions(chunkRange: 24 * 3600 * 1000)))
        }
        var report = TestReport()
        for path in files {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                report.outcomes.append(EvalOutcome(file: path, line: 0, query: "", status: .failed("cannot read: \(error)")))
                continue
            }
            report.outcomes += await runner.run(script: text, name: path)
        }
        print(report.render(showSkipped: !quiet))
        if report.failed > 0 { throw ExitCode(1) }
    }
}

/// The TSDB head as the runner's storage.
struct HeadStorage: Appendable, Queryable {
    let head: Head
    func appender() -> any Appender { head.appender() }
    func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        try head.querier(minTime: minTime, maxTime: maxTime)
    }
}
