import ArgumentParser

/// `sundial tsdb ...`: offline tools over a data directory, like `promtool tsdb`.
struct TSDBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tsdb",
        abstract: "Inspect and benchmark a data directory (like promtool tsdb).",
        subcommands: [TSDBList.self, TSDBAnalyze.self, TSDBDump.self, TSDBBench.self, TSDBCrashWriter.self]
    )
}
