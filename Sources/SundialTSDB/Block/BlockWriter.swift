import Foundation
import SundialCore
import SundialEncoding

/// One encoded chunk handed to ``BlockWriter``: its samples' first and last timestamps (ms,
/// inclusive), its sample count, and its bytes (`encoding` 1 = XOR, the chunk data without the
/// segment record framing).
public struct BlockChunk: Sendable {
    public var minTime: Int64
    public var maxTime: Int64
    public var sampleCount: Int
    public var encoding: UInt8
    public var data: [UInt8]
    public init(minTime: Int64, maxTime: Int64, sampleCount: Int, encoding: UInt8 = ChunkSegmentFormat.encodingXOR, data: [UInt8]) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.sampleCount = sampleCount
        self.encoding = encoding
        self.data = data
    }

    /// Encodes samples (time-ordered) into XOR chunks of at most `samplesPerChunk` samples each,
    /// as Prometheus cuts them (120 by default).
    public static func xorChunks(timestamps: [Int64], values: [Double], samplesPerChunk: Int = 120) -> [BlockChunk] {
        precondition(timestamps.count == values.count && samplesPerChunk > 0)
        var out: [BlockChunk] = []
        var app = XORChunkAppender()
        var start = 0
        while start < timestamps.count {
            let end = min(start + samplesPerChunk, timestamps.count)
            for i in start..<end { app.append(timestamp: timestamps[i], value: values[i]) }
            out.append(BlockChunk(minTime: timestamps[start], maxTime: timestamps[end - 1], sampleCount: end - start, data: app.finish()))
            start = end
        }
        return out
    }
}

/// Writes one block directory in the Prometheus TSDB format, crash-safely: everything goes to
/// `<parent>/<ULID>.tmp-for-creation/`, every file is fsynced, then the directory is renamed to
/// `<parent>/<ULID>` and the parent fsynced. A crash before the rename leaves only a `.tmp-for-creation`
/// directory, which the database deletes on open; after it, a complete block.
///
/// Usage: ``init(parentDirectory:minTime:maxTime:)``, ``addSymbols(_:)`` once, ``addSeries(_:chunks:)``
/// in strictly increasing label order, then ``commit(compaction:)`` (or ``abort()``). Not thread-safe.
public final class BlockWriter {
    /// Suffix of a block directory being written (Prometheus `tmpForCreationBlockDirSuffix`).
    public static let temporarySuffix = ".tmp-for-creation"

    public let id: BlockID
    public let parentDirectory: String
    /// Half-open range `[minTime, maxTime)` the block will claim in meta.json.
    public let minTime: Int64
    public let maxTime: Int64
    let temporaryDirectory: String
    private let chunkWriter: ChunkWriter
    private let indexWriter: IndexWriter
    private var stats = BlockMeta.Stats()
    private var metas: [IndexChunkMeta] = []
    private var finished = false
    /// Series added so far.
    public var seriesCount: UInt64 { stats.numSeries }
    /// Tombstones to carry into the new block (series refs of *this* block).
    public var tombstones = Tombstones()

    /// Starts a block covering `[minTime, maxTime)`.
    /// - Parameter id: the block's ULID (a new one from the current clock when nil).
    public init(parentDirectory: String, minTime: Int64, maxTime: Int64, id: BlockID? = nil,
                maxSegmentSize: Int = ChunkSegmentFormat.maxSegmentSize) throws {
        precondition(minTime <= maxTime, "block range inverted")
        self.id = id ?? BlockID(timeMs: BlockWriter.nowMs())
        self.parentDirectory = parentDirectory
        self.minTime = minTime
        self.maxTime = maxTime
        temporaryDirectory = "\(parentDirectory)/\(self.id.string)\(BlockWriter.temporarySuffix)"
        try BlockFiles.remove(temporaryDirectory)
        try BlockFiles.makeDirectory(temporaryDirectory)
        chunkWriter = try ChunkWriter(directory: "\(temporaryDirectory)/\(Block.chunksDirectoryName)", maxSegmentSize: maxSegmentSize)
        indexWriter = IndexWriter(path: "\(temporaryDirectory)/\(Block.indexFileName)")
    }

    /// Wall-clock ms for new ULIDs (ULIDs only need to be unique and roughly time-sorted).
    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Declares every label name and value the series will use (any order, duplicates fine).
    public func addSymbols(_ symbols: some Sequence<String>) throws { try indexWriter.addSymbols(symbols) }

    /// Adds the next series with its chunks (sorted by time, non-overlapping). Chunks outside
    /// `[minTime, maxTime)` are refused. A series without chunks is skipped, as Prometheus does.
    /// - Returns: the series' reference in this block, or nil when skipped.
    @discardableResult
    public func addSeries(_ labels: Labels, chunks: [BlockChunk]) throws -> UInt64? {
        guard !chunks.isEmpty else { return nil }
        metas.removeAll(keepingCapacity: true)
        for c in chunks {
            guard c.minTime >= minTime, c.maxTime < maxTime, c.minTime <= c.maxTime else {
                throw BlockError(.invalidInput, path: temporaryDirectory,
                                 "series \(labels): chunk [\(c.minTime), \(c.maxTime)] outside block [\(minTime), \(maxTime))")
            }
            let ref = try chunkWriter.write(encoding: c.encoding, data: c.data)
            metas.append(IndexChunkMeta(minTime: c.minTime, maxTime: c.maxTime, ref: ref.rawValue))
            stats.numSamples += UInt64(c.sampleCount)
            // Newer Prometheus's split; 2.42 counts both kinds in numSamples alone.
            if c.encoding == 2 || c.encoding == 3 {
                stats.numHistogramSamples = (stats.numHistogramSamples ?? 0) + UInt64(c.sampleCount)
            } else {
                stats.numFloatSamples = (stats.numFloatSamples ?? 0) + UInt64(c.sampleCount)
            }
        }
        let ref = try indexWriter.addSeries(labels, chunks: metas)
        stats.numSeries += 1
        stats.numChunks += UInt64(chunks.count)
        return ref
    }

    /// Finishes the files, writes meta.json and tombstones, fsyncs and renames the directory into place.
    /// - Parameter compaction: level/sources/parents; level 1 with `sources = [id]` when nil.
    /// - Returns: the meta written.
    public func commit(compaction: BlockMeta.Compaction? = nil) throws -> BlockMeta {
        precondition(!finished, "BlockWriter used after commit/abort")
        finished = true
        do {
            try chunkWriter.close()
            try BlockFiles.makeDirectory("\(temporaryDirectory)/\(Block.chunksDirectoryName)")
            try indexWriter.close()
            stats.numTombstones = UInt64(tombstones.count)
            if stats.numFloatSamples != nil || stats.numHistogramSamples != nil {
                // As meta.json stores them: both, also when zero.
                stats.numFloatSamples = stats.numFloatSamples ?? 0
                stats.numHistogramSamples = stats.numHistogramSamples ?? 0
            }
            try BlockFiles.writeDurably("\(temporaryDirectory)/\(Block.tombstonesFileName)", tombstones.encoded())
            let meta = BlockMeta(ulid: id, minTime: minTime, maxTime: maxTime, stats: stats,
                                 compaction: compaction ?? .init(level: 1, sources: [id]))
            try BlockFiles.writeDurably("\(temporaryDirectory)/\(Block.metaFileName)", try meta.encoded())
            try BlockFiles.syncDirectory("\(temporaryDirectory)/\(Block.chunksDirectoryName)")
            try BlockFiles.syncDirectory(temporaryDirectory)
            let final = "\(parentDirectory)/\(id.string)"
            try BlockFiles.remove(final)
            try BlockFiles.renameDurably(temporaryDirectory, final)
            return meta
        } catch {
            try? BlockFiles.remove(temporaryDirectory)
            throw error
        }
    }

    /// Discards the partial block.
    public func abort() {
        guard !finished else { return }
        finished = true
        try? chunkWriter.close()
        try? BlockFiles.remove(temporaryDirectory)
    }

    /// Writes a whole block from in-memory series (sorted or not; they are sorted here) and returns
    /// its meta. Series with no chunks are left out.
    public static func write(parentDirectory: String, minTime: Int64, maxTime: Int64,
                             series: [(labels: Labels, chunks: [BlockChunk])], id: BlockID? = nil,
                             compaction: BlockMeta.Compaction? = nil) throws -> BlockMeta {
        let w = try BlockWriter(parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime, id: id)
        do {
            let sorted = series.filter { !$0.chunks.isEmpty }.sorted { $0.labels < $1.labels }
            var symbols = Set<String>()
            for s in sorted { for l in s.labels { symbols.insert(l.name); symbols.insert(l.value) } }
            try w.addSymbols(symbols)
            for s in sorted { try w.addSeries(s.labels, chunks: s.chunks) }
            return try w.commit(compaction: compaction)
        } catch {
            w.abort()
            throw error
        }
    }
}
