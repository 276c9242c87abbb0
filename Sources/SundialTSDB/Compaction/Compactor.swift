import SundialCore
import SundialEncoding

/// Merges blocks into one new block (Prometheus `LeveledCompactor.Compact`/`Write`), streaming
/// series by series so memory stays proportional to one series, not to the blocks:
///
/// - series are merged across blocks in label order;
/// - a series' chunks are copied byte for byte when they neither overlap in time nor carry
///   tombstones; otherwise its samples are decoded, merged by time (duplicate timestamps kept
///   once, earlier block wins), tombstoned samples dropped, and re-encoded into 120-sample chunks;
/// - series left without samples are dropped (this is how deletions are cleaned up).
///
/// Thread-safety: reads immutable blocks; the output goes through a ``BlockWriter``.
public enum Compactor {
    /// Prometheus's chunk size target when re-encoding.
    public static let samplesPerChunk = 120

    /// Compacts `blocks` into a new block in `parentDirectory`.
    /// - Parameter compaction: the new block's compaction history; by default one level above the
    ///   highest source, the union of their sources, and the blocks as parents.
    /// - Returns: the new block's meta, or nil when no sample survived (nothing is written; the
    ///   caller should delete the sources).
    public static func compact(_ blocks: [Block], into parentDirectory: String, id: BlockID? = nil,
                               compaction override: BlockMeta.Compaction? = nil) throws -> BlockMeta? {
        precondition(!blocks.isEmpty)
        let sorted = blocks.sorted { $0.meta.minTime < $1.meta.minTime }
        let minTime = sorted.map(\.meta.minTime).min()!
        let maxTime = sorted.map(\.meta.maxTime).max()!
        let writer = try BlockWriter(parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime, id: id)
        do {
            var symbols = Set<String>()
            for b in sorted { symbols.formUnion(b.index.symbols) }
            try writer.addSymbols(symbols)
            try mergeSeries(sorted, into: writer)
            var sources = Set<BlockID>()
            for b in sorted { sources.formUnion(b.meta.compaction.sources.isEmpty ? [b.meta.ulid] : b.meta.compaction.sources) }
            let compaction = BlockMeta.Compaction(
                level: (sorted.map(\.meta.compaction.level).max() ?? 0) + 1,
                sources: sources.sorted(),
                parents: sorted.map { .init(ulid: $0.meta.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) })
            if writer.seriesCount == 0 {
                writer.abort()
                return nil
            }
            return try writer.commit(compaction: override ?? compaction)
        } catch {
            writer.abort()
            throw error
        }
    }

    /// One block's cursor over its series in index (label) order.
    struct Cursor {
        let block: Block
        let refs: [UInt32]
        var i = 0
        var labels: Labels?
        var chunks: [IndexChunkMeta] = []
        var labelRefs: [UInt32] = []

        init(_ block: Block) throws {
            self.block = block
            refs = try block.index.allPostings()
        }

        mutating func advance() throws {
            guard i < refs.count else { labels = nil; return }
            labels = try block.index.series(UInt64(refs[i]), labelRefs: &labelRefs, chunks: &chunks)
            i += 1
        }

        var currentRef: UInt64 { UInt64(refs[i - 1]) }
    }

    static func mergeSeries(_ blocks: [Block], into writer: BlockWriter) throws {
        var cursors = try blocks.map { try Cursor($0) }
        for k in cursors.indices { try cursors[k].advance() }
        var out: [BlockChunk] = []
        var buffer = SampleBuffer()
        var merged = SampleBuffer()
        while true {
            var best: Labels?
            for c in cursors { if let l = c.labels, best == nil || l < best! { best = l } }
            guard let labels = best else { break }
            // Gather this series' chunks from every block that has it.
            var parts: [(block: Block, chunks: [IndexChunkMeta], deleted: [DeletedInterval])] = []
            for k in cursors.indices where cursors[k].labels == labels {
                let deleted = cursors[k].block.tombstones.deleted(cursors[k].currentRef)
                parts.append((cursors[k].block, cursors[k].chunks, deleted))
                try cursors[k].advance()
            }
            out.removeAll(keepingCapacity: true)
            if let copied = try copyable(parts) {
                out = copied
            } else {
                // Decode, merge by time, drop tombstoned samples, re-encode.
                merged.removeAll()
                for p in parts {
                    buffer.removeAll()
                    let series = BlockSeries(labels: labels, block: p.block, chunks: p.chunks, deleted: p.deleted,
                                             minTime: .min, maxTime: .max)
                    try series.samples(minTime: .min, maxTime: .max, into: &buffer)
                    merged = merged.isEmpty ? buffer : MergedSeries.merge(merged, buffer)
                }
                // Histogram chunks: kept with their layout, deleted samples left out.
                var hist: [BlockChunk] = []
                for p in parts where p.block.mayContainHistograms {
                    for c in p.chunks {
                        let (enc, data) = try p.block.chunks.chunk(ChunkRef(rawValue: c.ref))
                        guard enc == 2 || enc == 3 else { continue }
                        hist += try BlockChunk.filterHistogramChunk(encoding: enc, data: data, samplesPerChunk: samplesPerChunk) { t in
                            !p.deleted.contains { $0.contains(t) }
                        }
                    }
                }
                out = BlockChunk.interleave(timestamps: merged.timestamps, values: merged.values, histogramChunks: hist,
                                            samplesPerChunk: samplesPerChunk)
            }
            if !out.isEmpty { try writer.addSeries(labels, chunks: out) }
        }
    }

    /// The series' chunks as they are, when no chunk overlaps another and nothing is deleted;
    /// nil when samples must be rewritten.
    static func copyable(_ parts: [(block: Block, chunks: [IndexChunkMeta], deleted: [DeletedInterval])]) throws -> [BlockChunk]? {
        if parts.contains(where: { !$0.deleted.isEmpty }) { return nil }
        var all: [(block: Block, meta: IndexChunkMeta)] = []
        for p in parts { for c in p.chunks { all.append((p.block, c)) } }
        all.sort { $0.meta.minTime < $1.meta.minTime }
        for i in all.indices.dropFirst() where all[i].meta.minTime <= all[i - 1].meta.maxTime { return nil }
        var out: [BlockChunk] = []
        out.reserveCapacity(all.count)
        for (block, meta) in all {
            let (enc, data) = try block.chunks.chunk(ChunkRef(rawValue: meta.ref))
            if (enc == 2 || enc == 3) && data.count >= 2 {  // native-histogram chunks: count in the first two bytes
                out.append(BlockChunk(minTime: meta.minTime, maxTime: meta.maxTime, sampleCount: Int(data[0]) << 8 | Int(data[1]), encoding: enc, data: data))
                continue
            }
            guard enc == ChunkSegmentFormat.encodingXOR, let n = XORChunk.sampleCount(data) else {
                throw BlockError(.corrupt, path: block.chunks.directory, "chunk \(meta.ref): encoding \(enc) unsupported or truncated")
            }
            out.append(BlockChunk(minTime: meta.minTime, maxTime: meta.maxTime, sampleCount: n, encoding: enc, data: data))
        }
        return out
    }
}
