import ArgumentParser
import SundialTSDB

/// `sundial tsdb analyze DIR [BLOCK]`: cardinality report of one block (the newest by default),
/// with the sections of `promtool tsdb analyze`: churn by label pair and name, most common pairs,
/// label names by cumulative value length and by distinct values, metric names by series.
/// Works on Sundial and Prometheus directories; read-only.
struct TSDBAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyze churn and label cardinality of a block (like promtool tsdb analyze)."
    )

    @Argument(help: "The data directory.")
    var directory: String

    @Argument(help: "Block ULID to analyze (default: the newest block).")
    var block: String?

    @Option(help: "How many entries to show in each list.")
    var limit: Int = 20

    func run() throws {
        let store = try BlockStore(directory: directory, readOnly: true)
        for e in store.skipped { print("skipped: \(e)") }
        let chosen: Block
        if let id = block {
            guard let b = store.blocks.first(where: { $0.id.string == id.uppercased() }) else {
                throw ValidationError("no block \(id) in \(directory)")
            }
            chosen = b
        } else {
            guard let b = store.blocks.max(by: { $0.meta.maxTime < $1.meta.maxTime }) else {
                throw ValidationError("no blocks in \(directory)")
            }
            chosen = b
        }
        let a = try BlockAnalysis(chosen, limit: limit)
        print("Block ID: \(a.blockID)")
        print("Duration: \(TSDBFormat.goDuration(a.durationMs))")
        print("Series: \(a.series)")
        print("Label names: \(a.labelNames)")
        print("Postings (unique label pairs): \(a.postings)")
        print("Postings entries (total label pairs): \(a.postingEntries)")
        section("Label pairs most involved in churning:", a.churnPairs)
        section("Label names most involved in churning:", a.churnNames)
        section("Most common label pairs:", a.commonPairs)
        section("Label names with highest cumulative label value length:", a.valueLength)
        section("Highest cardinality labels:", a.cardinality)
        section("Highest cardinality metric names:", a.metricNames)
    }

    func section(_ title: String, _ entries: [BlockAnalysis.Entry]) {
        print("\n\(title)")
        for e in entries { print("\(e.value) \(e.key)") }
    }
}
