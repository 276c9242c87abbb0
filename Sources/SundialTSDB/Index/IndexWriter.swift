import SundialCore
import SundialEncoding

/// Writes a block's `index` file in format v2 (`tsdb/docs/format/index.md`) in stages, like
/// Prometheus's `index.Writer`: all symbols first (sorted), then series in label order, then
/// ``close()`` derives label indices, postings (with the all-postings list under `""=""`), the
/// offset tables and the TOC, writes the file and fsyncs it. Not thread-safe.
///
/// The file is built in memory (about 100 bytes per series plus postings) and written once.
public final class IndexWriter {
    public let path: String
    private var buf: [UInt8] = []
    private var toc = IndexTOC(symbols: 0, series: 0, labelIndices: 0, labelIndicesTable: 0, postings: 0, postingsTable: 0)
    private var symbolRefs: [String: UInt32] = [:]
    private var stage = Stage.symbols
    private var lastLabels: Labels?
    /// name → value → series refs (ascending because series arrive in order).
    private var postings: [String: [String: [UInt32]]] = [:]
    private var allRefs: [UInt32] = []
    private var scratch: [UInt8] = []
    private var labelRefs: [UInt32] = []

    enum Stage { case symbols, series, done }

    public init(path: String) {
        self.path = path
        IndexFormat.appendHeader(&buf)
    }

    /// Writes the symbol table. Must be called once, first.
    /// - Parameter symbols: every label name and value used by the series (any order, duplicates fine).
    public func addSymbols(_ symbols: some Sequence<String>) throws {
        guard stage == .symbols else { throw BlockError(.invalidInput, path: path, "symbols added twice") }
        var list = Array(Set(symbols))
        list.sort(by: byteLess)
        symbolRefs.reserveCapacity(list.count)
        for (i, s) in list.enumerated() { symbolRefs[s] = UInt32(i) }
        toc.symbols = UInt64(buf.count)
        IndexFormat.appendSymbolTable(&buf, symbols: list)
        IndexFormat.pad(&buf, to: IndexFormat.seriesAlignment)
        toc.series = UInt64(buf.count)
        stage = .series
    }

    /// Adds the next series. Series must come in strictly increasing ``Labels`` order.
    /// - Returns: the series reference (`offset / 16`) used in postings and tombstones.
    @discardableResult
    public func addSeries(_ labels: Labels, chunks: [IndexChunkMeta]) throws -> UInt64 {
        guard stage == .series else { throw BlockError(.invalidInput, path: path, "series added before symbols or after close") }
        if let last = lastLabels, Labels.compare(last, labels) >= 0 {
            throw BlockError(.invalidInput, path: path, "series \(labels) out of order after \(last)")
        }
        var prev: IndexChunkMeta?
        for c in chunks {
            guard c.minTime <= c.maxTime, prev.map({ c.minTime > $0.maxTime && c.ref > $0.ref }) ?? true else {
                throw BlockError(.invalidInput, path: path, "series \(labels): chunks unsorted or overlapping")
            }
            prev = c
        }
        IndexFormat.pad(&buf, to: IndexFormat.seriesAlignment)
        let ref64 = UInt64(buf.count / IndexFormat.seriesAlignment)
        guard ref64 <= UInt64(UInt32.max) else { throw BlockError(.invalidInput, path: path, "index series section exceeds 64 GiB") }
        let ref = UInt32(ref64)
        labelRefs.removeAll(keepingCapacity: true)
        for l in labels {
            guard let n = symbolRefs[l.name], let v = symbolRefs[l.value] else {
                throw BlockError(.invalidInput, path: path, "label \(l) of \(labels) missing from the symbol table")
            }
            labelRefs.append(n)
            labelRefs.append(v)
            postings[l.name, default: [:]][l.value, default: []].append(ref)
        }
        allRefs.append(ref)
        IndexSeriesEntry.append(&buf, labelRefs: labelRefs, chunks: chunks, scratch: &scratch)
        lastLabels = labels
        return ref64
    }

    /// Writes the remaining sections and the TOC, then the file (fsynced).
    public func close() throws {
        guard stage != .done else { return }
        if stage == .symbols { try addSymbols([]) }
        stage = .done
        let names = postings.keys.sorted(by: byteLess)

        // Label indices (legacy, still written for old readers): one per name, values sorted.
        IndexFormat.pad(&buf, to: IndexFormat.postingsAlignment)
        toc.labelIndices = UInt64(buf.count)
        var labelOffsets: [(name: String, offset: UInt64)] = []
        for name in names {
            let values = postings[name]!.keys.sorted(by: byteLess)
            let off = PostingsFormat.appendLabelIndex(&buf, valueRefs: values.map { symbolRefs[$0]! })
            labelOffsets.append((name, UInt64(off)))
        }

        // Postings: the all-postings list first (key ""=""), then every pair in (name, value) order.
        IndexFormat.pad(&buf, to: IndexFormat.postingsAlignment)
        toc.postings = UInt64(buf.count)
        var postingOffsets: [(name: String, value: String, offset: UInt64)] = []
        postingOffsets.append(("", "", UInt64(PostingsFormat.appendPostings(&buf, refs: allRefs))))
        for name in names {
            let byValue = postings[name]!
            for value in byValue.keys.sorted(by: byteLess) {
                let off = PostingsFormat.appendPostings(&buf, refs: byValue[value]!)
                postingOffsets.append((name, value, UInt64(off)))
            }
        }

        toc.labelIndicesTable = UInt64(buf.count)
        PostingsFormat.appendLabelOffsetTable(&buf, entries: labelOffsets)
        toc.postingsTable = UInt64(buf.count)
        PostingsFormat.appendPostingsOffsetTable(&buf, entries: postingOffsets)
        IndexFormat.appendTOC(&buf, toc)
        try BlockFiles.writeDurably(path, buf)
        buf = []
        postings = [:]
    }
}
