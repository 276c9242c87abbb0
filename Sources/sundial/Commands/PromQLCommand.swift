import ArgumentParser

/// `sundial promql ...`: PromQL tools (format, test scripts).
struct PromQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promql",
        abstract: "PromQL tools: format expressions, run test scripts.",
        subcommands: [PromQLFormat.self, PromQLTestCommand.self]
    )
}
