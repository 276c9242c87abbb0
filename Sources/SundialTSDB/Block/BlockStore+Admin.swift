import SundialCore
import SundialFileIO

extension BlockStore {
    /// What ``cleanTombstones()`` did to one block.
    public struct CleanedBlock: Sendable {
        /// The block that carried tombstones (removed).
        public var old: BlockID
        /// The rewritten block, or nil when every sample was deleted (no block written).
        public var new: BlockMeta?
    }

    /// Rewrites every block that has tombstones without the deleted samples, then removes it
    /// (Prometheus 2.42 `DB.CleanTombstones` / `Block.CleanTombstones`). The new block gets a new
    /// ULID and the same range, compaction level and sources; it names the old block as its parent,
    /// so a crash after the new block is durable but before the old one is gone deletes the old one
    /// on reopen (see ``init(directory:readOnly:)``), and no sample is seen twice. A block whose
    /// samples are all deleted is removed without a replacement. Queries already running keep
    /// reading the block they started with (ARC pins it; its files stay mapped after unlinking).
    /// Holds the mutation lock throughout: compaction, retention and deletion wait.
    /// - Returns: one entry per block rewritten, in time order.
    @discardableResult
    public func cleanTombstones() throws -> [CleanedBlock] {
        try withWriterLock {
            var done: [CleanedBlock] = []
            for b in blocks where !b.tombstones.isEmpty {
                let c = b.meta.compaction
                let history = BlockMeta.Compaction(
                    level: Swift.max(c.level, 1), sources: c.sources.isEmpty ? [b.id] : c.sources,
                    parents: [.init(ulid: b.id, minTime: b.meta.minTime, maxTime: b.meta.maxTime)])
                let meta = try Compactor.compact([b], into: directory, compaction: history)
                let rewritten = try meta.map { try Block(directory: "\(directory)/\($0.ulid.string)") }
                try replace([b], with: rewritten)
                done.append(CleanedBlock(old: b.id, new: meta))
            }
            return done
        }
    }

    /// Hard-links (copying where a link fails) every current block into `directory/<ULID>/`
    /// (Prometheus `Block.Snapshot`). A caller holding the mutation lock gets a consistent set:
    /// no compaction or retention runs meanwhile. Files are immutable once written (tombstones and
    /// meta.json are replaced by rename), so a link is a stable copy.
    /// - Returns: the blocks snapshotted.
    func snapshotLocked(into directory: String) throws -> [BlockID] {
        var ids: [BlockID] = []
        for b in blocks {
            try b.snapshot(into: directory)
            ids.append(b.id)
        }
        return ids
    }
}

extension Block {
    /// Writes this block into `parentDirectory/<ULID>/` by hard-linking `meta.json`, `index`,
    /// `tombstones` and every chunk segment, copying a file whose link fails (another file system).
    /// - Throws: ``BlockError`` `.io` naming the file.
    public func snapshot(into parentDirectory: String) throws {
        let dst = "\(parentDirectory)/\(id.string)"
        let chunksDst = "\(dst)/\(Block.chunksDirectoryName)"
        try BlockFiles.makeDirectory(chunksDst)
        let chunksSrc = "\(directory)/\(Block.chunksDirectoryName)"
        var files = BlockFiles.list(chunksSrc).map { ("\(chunksSrc)/\($0)", "\(chunksDst)/\($0)") }
        for name in [Block.metaFileName, Block.indexFileName, Block.tombstonesFileName]
        where BlockFiles.exists("\(directory)/\(name)") {
            files.append(("\(directory)/\(name)", "\(dst)/\(name)"))
        }
        for (from, to) in files {
            do { try FileSystem.linkOrCopy(from, to: to) } catch {
                throw BlockError(.io, path: from, "snapshot to \(to): \(error)")
            }
        }
        try BlockFiles.syncDirectory(chunksDst)
        try BlockFiles.syncDirectory(dst)
    }
}
