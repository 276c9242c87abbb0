import ArgumentParser

/// The `sundial` command line: the server and the offline tools. Subcommands follow
/// `promtool`'s habits where they overlap (`sundial tsdb dump DIR`, `sundial tsdb list DIR`, ...).
@main
struct Sundial: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sundial",
        abstract: "A Prometheus-compatible time-series database.",
        version: SundialVersion.version,
        subcommands: [ServeCommand.self, TSDBCommand.self, PromQLCommand.self]
    )
}

enum SundialVersion {
    static let version = "0.1.0"
}
