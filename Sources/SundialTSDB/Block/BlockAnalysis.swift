import SundialCore
import SundialEncoding

/// Cardinality statistics of one block's index, as `promtool tsdb analyze` reports them
/// (`cmd/promtool/tsdb.go` `analyzeBlock`): series and label counts, churn (label pairs whose
/// series cover the block's time range least), most common pairs, value-length and cardinality
/// leaders. Reads only the index (chunk metas, not chunk data). Value type, `Sendable`.
public struct BlockAnalysis: Sendable {
    /// One ranked entry: `key` (a label name, `name=value` pair or metric name) and its score.
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: UInt64
    }

    public var blockID: BlockID
    /// `maxTime - minTime` of the block, ms.
    public var durationMs: Int64
    public var series: Int
    public var labelNames: Int
    /// Distinct label pairs (postings lists, the all-postings list excluded).
    public var postings: Int
    /// Sum over series of their label count.
    public var postingEntries: Int
    /// Label pairs by uncovered block-durations (series-time missing from the block), top first.
    public var churnPairs: [Entry]
    /// Label names by uncovered block-durations.
    public var churnNames: [Entry]
    /// Label pairs by number of series.
    public var commonPairs: [Entry]
    /// Label names by the summed byte length of their distinct values.
    public var valueLength: [Entry]
    /// Label names by number of distinct values.
    public var cardinality: [Entry]
    /// Metric names by number of series.
    public var metricNames: [Entry]

    /// Analyzes `block`, keeping the top `limit` entries of each ranking.
    public init(_ block: Block, limit: Int = 20) throws {
        let meta = block.meta
        blockID = meta.ulid
        durationMs = meta.maxTime - meta.minTime
        var uncoveredPairs: [String: UInt64] = [:]
        var uncoveredNames: [String: UInt64] = [:]
        var pairCount: [String: UInt64] = [:]
        var entries = 0
        var count = 0
        var chunks: [IndexChunkMeta] = []
        var labelRefs: [UInt32] = []
        let span = UInt64(max(0, durationMs))
        for ref in try block.index.allPostings() {
            let labels = try block.index.series(UInt64(ref), labelRefs: &labelRefs, chunks: &chunks)
            guard let first = chunks.first, let last = chunks.last else { continue }
            count += 1
            let covered = UInt64(max(0, last.maxTime - first.minTime))
            let uncovered = span > covered ? span - covered : 0
            for l in labels {
                let key = "\(l.name)=\(l.value)"
                uncoveredNames[l.name, default: 0] += uncovered
                uncoveredPairs[key, default: 0] += uncovered
                pairCount[key, default: 0] += 1
                entries += 1
            }
        }
        series = count
        postingEntries = entries
        labelNames = block.index.labelNames.count
        postings = block.index.labelNames.reduce(0) { $0 + block.index.labelValues($1).count }
        let perDuration: (UInt64) -> UInt64 = { span == 0 ? 0 : $0 / span }
        churnPairs = BlockAnalysis.top(uncoveredPairs.mapValues(perDuration), limit)
        churnNames = BlockAnalysis.top(uncoveredNames.mapValues(perDuration), limit)
        commonPairs = BlockAnalysis.top(pairCount, limit)
        var lengths: [String: UInt64] = [:]
        var cards: [String: UInt64] = [:]
        for name in block.index.labelNames {
            let values = block.index.labelValues(name)
            lengths[name] = values.reduce(0) { $0 + UInt64($1.utf8.count) }
            cards[name] = UInt64(values.count)
        }
        valueLength = BlockAnalysis.top(lengths, limit)
        cardinality = BlockAnalysis.top(cards, limit)
        var metrics: [String: UInt64] = [:]
        for v in block.index.labelValues(Labels.metricName) {
            metrics[v] = UInt64(try block.index.postings(Labels.metricName, v).count)
        }
        metricNames = BlockAnalysis.top(metrics, limit)
    }

    /// Highest values first; ties in key byte order, so output is deterministic.
    static func top(_ d: [String: UInt64], _ limit: Int) -> [Entry] {
        let sorted = d.map { Entry(key: $0.key, value: $0.value) }.sorted {
            $0.value != $1.value ? $0.value > $1.value : byteOrderLess($0.key, $1.key)
        }
        return Array(sorted.prefix(max(0, limit)))
    }
}
