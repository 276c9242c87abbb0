import SundialCore
import SundialEncoding

/// A ``Querier`` over one persistent ``Block`` for the closed range `[minTime, maxTime]` (ms).
/// Holds the block strongly, so the block stays readable until the querier and every series it
/// returned are gone, even if compaction or retention drop it from the database meanwhile.
/// `Sendable`; every call is independent.
public struct BlockQuerier: Querier {
    public let block: Block
    public let minTime: Timestamp
    public let maxTime: Timestamp

    public init(block: Block, minTime: Timestamp, maxTime: Timestamp) {
        self.block = block
        self.minTime = minTime
        self.maxTime = maxTime
    }

    /// Series matching all matchers that have at least one chunk in range and not every sample
    /// deleted by tombstones over it, in label order (always sorted: index order is label order).
    /// The hints' `[start, end]` narrows the range: chunks outside it are neither kept nor read.
    /// Selecting reads only the index; chunk bytes are read when a series' samples are asked for
    /// (so a series-only select, ``SelectHints/seriesOnlyFunction``, reads no chunk at all).
    public func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        try selectSeries(matchers: matchers, hints: hints)
    }

    /// ``select(sorted:hints:matchers:)`` with the concrete series type.
    public func selectSeries(matchers: [LabelMatcher], hints: SelectHints? = nil) throws -> [BlockSeries] {
        let (mint, maxt) = SelectHints.narrow(hints, minTime: minTime, maxTime: maxTime)
        guard mint <= maxt, block.overlaps(mint: mint, maxt: maxt) else { return [] }
        let refs = try block.index.postings(for: matchers)
        var out: [BlockSeries] = []
        out.reserveCapacity(refs.count)
        var chunks: [IndexChunkMeta] = []
        var labelRefs: [UInt32] = []
        let deletions = !block.tombstones.isEmpty
        for ref in refs {
            let labels = try block.index.series(UInt64(ref), labelRefs: &labelRefs, chunks: &chunks)
            let inRange = chunks.filter { $0.maxTime >= mint && $0.minTime <= maxt }
            if inRange.isEmpty { continue }
            let deleted = deletions ? block.tombstones.deleted(UInt64(ref)) : []
            if !deleted.isEmpty && inRange.allSatisfy({ c in
                deleted.contains { $0.minTime <= Swift.max(c.minTime, mint) && Swift.min(c.maxTime, maxt) <= $0.maxTime }
            }) {
                continue
            }
            out.append(BlockSeries(labels: labels, block: block, chunks: inRange, deleted: deleted, minTime: mint, maxTime: maxt))
        }
        return out
    }

    /// Values of `name` over the whole block when `matchers` is empty (as Prometheus, ignoring the
    /// time range); otherwise over the series the matchers select.
    public func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
        guard block.overlaps(mint: minTime, maxt: maxTime) else { return [] }
        if matchers.isEmpty { return block.index.labelValues(name) }
        var set = Set<String>()
        for s in try selectSeries(matchers: matchers) { if let v = s.labels.get(name) { set.insert(v) } }
        return set.sorted(by: byteOrderLess)
    }

    /// Label names of the block (empty matchers) or of the selected series.
    public func labelNames(matchers: [LabelMatcher]) throws -> [String] {
        guard block.overlaps(mint: minTime, maxt: maxTime) else { return [] }
        if matchers.isEmpty { return block.index.labelNames }
        var set = Set<String>()
        for s in try selectSeries(matchers: matchers) { for l in s.labels { set.insert(l.name) } }
        return set.sorted(by: byteOrderLess)
    }

    public func close() {}
}

/// One series of a block query: labels, the chunk metas in the query range and the series'
/// deleted intervals. Decodes chunks on demand, straight from the block's segment bytes.
public struct BlockSeries: StorageSeries {
    public let labels: Labels
    let block: Block
    let chunks: [IndexChunkMeta]
    let deleted: [DeletedInterval]
    let minTime: Timestamp
    let maxTime: Timestamp

    /// Appends samples with `max(minTime, query min) <= t <= min(maxTime, query max)` in time
    /// order, skipping tombstoned ones.
    /// - Throws: ``BlockError`` for a corrupt chunk or an encoding other than XOR.
    public func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
        let lo = Swift.max(minTime, self.minTime), hi = Swift.min(maxTime, self.maxTime)
        guard lo <= hi else { return }
        for c in chunks where c.maxTime >= lo && c.minTime <= hi {
            let start = buffer.count
            try block.chunks.decodeSamples(ChunkRef(rawValue: c.ref), minTime: lo, maxTime: hi, into: &buffer)
            if !deleted.isEmpty { BlockSeries.dropDeleted(&buffer, from: start, deleted) }
        }
    }

    /// Removes samples in `buffer[from...]` whose timestamp lies in a deleted interval.
    static func dropDeleted(_ buffer: inout SampleBuffer, from: Int, _ deleted: [DeletedInterval]) {
        var w = from
        var k = 0
        for r in from..<buffer.count {
            let t = buffer.timestamps[r]
            while k < deleted.count && deleted[k].maxTime < t { k += 1 }
            if k < deleted.count && deleted[k].contains(t) { continue }
            buffer.timestamps[w] = t
            buffer.values[w] = buffer.values[r]
            w += 1
        }
        buffer.timestamps.removeSubrange(w...)
        buffer.values.removeSubrange(w...)
    }
}
