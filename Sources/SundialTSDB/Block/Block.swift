import SundialCore
import SundialEncoding

/// One persistent block: a directory `<ULID>/` with `meta.json`, `index`, `chunks/000001…` and
/// `tombstones` in the Prometheus TSDB format (reference-brief §1.1). Immutable and `Sendable`:
/// queries hold a strong reference for as long as they read it (ARC pins the block while
/// compaction or retention replace it in the database's list).
///
/// Holds samples with `meta.minTime <= t < meta.maxTime`.
public final class Block: Sendable {
    /// File names inside a block directory.
    public static let metaFileName = "meta.json"
    public static let indexFileName = "index"
    public static let chunksDirectoryName = "chunks"
    public static let tombstonesFileName = "tombstones"

    /// The block directory.
    public let directory: String
    public let meta: BlockMeta
    public let index: IndexReader
    public let chunks: ChunkReader
    public let tombstones: Tombstones

    /// Opens the block in `directory`.
    /// - Throws: ``BlockError`` naming the file that is missing or corrupt.
    public init(directory: String) throws {
        self.directory = directory
        let metaPath = "\(directory)/\(Block.metaFileName)"
        meta = try BlockMeta.decode(BlockFiles.read(metaPath), path: metaPath)
        index = try IndexReader(path: "\(directory)/\(Block.indexFileName)")
        chunks = try ChunkReader(directory: "\(directory)/\(Block.chunksDirectoryName)")
        let tombPath = "\(directory)/\(Block.tombstonesFileName)"
        // Prometheus treats a missing tombstones file as "no tombstones".
        tombstones = BlockFiles.exists(tombPath) ? try Tombstones.decode(BlockFiles.read(tombPath), path: tombPath) : Tombstones()
    }

    /// The block's ULID.
    public var id: BlockID { meta.ulid }

    /// Bytes on disk of index, chunks, tombstones and meta.json.
    public var size: UInt64 {
        UInt64(index.size + chunks.size) + BlockFiles.size("\(directory)/\(Block.metaFileName)")
            + BlockFiles.size("\(directory)/\(Block.tombstonesFileName)")
    }

    /// True if the block's range `[minTime, maxTime)` meets the closed query range `[mint, maxt]`.
    public func overlaps(mint: Timestamp, maxt: Timestamp) -> Bool {
        meta.minTime <= maxt && mint < meta.maxTime
    }
}
