import SundialCore
import SundialEncoding
import Synchronization

/// The persistent blocks of one data directory: open, query, compact, apply retention, delete.
/// The database's block half (Prometheus `DB.blocks` + `reloadBlocks`).
///
/// Thread safety: all methods may be called from any thread. The block list is replaced
/// atomically under a short lock; a querier copies the list it needs and keeps those blocks alive
/// (ARC) until it is gone, so compaction and retention never pull data from under a running
/// query. Mutations (compaction, retention, deletion, head compaction) are serialized by a
/// second lock so that two of them never plan over the same blocks.
public final class BlockStore: Sendable {
    /// The data directory holding the block directories.
    public let directory: String
    private let current: Mutex<[Block]>
    /// Held for the whole of a mutation (compaction, retention, deletion).
    private let writerLock = Mutex(())
    /// Blocks that could not be opened, with the reason; they are left on disk untouched.
    public let skipped: [BlockError]

    /// Suffix Prometheus uses for blocks being deleted (`tmpForDeletionBlockDirSuffix`).
    public static let deletionSuffix = ".tmp-for-deletion"

    /// Opens the blocks in `directory`. Leftovers of interrupted writes (`*.tmp-for-creation`,
    /// `*.tmp-for-deletion`) are removed; blocks that a complete compacted block lists as parents
    /// (a crash between writing the compacted block and deleting its sources) are deleted, so no
    /// sample is seen twice. A block that fails to open is skipped and reported in ``skipped``.
    /// - Parameter readOnly: change nothing on disk (offline tools): leftovers stay, and parents
    ///   of a compacted block are only left out of the list.
    public init(directory: String, readOnly: Bool = false) throws {
        self.directory = directory
        if !readOnly { try BlockFiles.makeDirectory(directory) }
        var opened: [Block] = []
        var failures: [BlockError] = []
        for name in BlockFiles.list(directory).sorted() {
            let path = "\(directory)/\(name)"
            if name.hasSuffix(BlockWriter.temporarySuffix) || name.hasSuffix(BlockStore.deletionSuffix) {
                if !readOnly { try BlockFiles.remove(path) }
                continue
            }
            guard BlockID(name) != nil, BlockFiles.exists("\(path)/\(Block.metaFileName)") else { continue }
            do { opened.append(try Block(directory: path)) } catch let e as BlockError {
                failures.append(e)
            }
        }
        let parents = Set(opened.flatMap { $0.meta.compaction.parents.map(\.ulid) })
        var kept: [Block] = []
        for b in opened {
            if parents.contains(b.id) || b.meta.compaction.deletable {
                if !readOnly { try BlockStore.removeBlockDirectory(b.directory) }
            } else {
                kept.append(b)
            }
        }
        current = Mutex(BlockStore.sorted(kept))
        skipped = failures
    }

    static func sorted(_ blocks: [Block]) -> [Block] {
        blocks.sorted { ($0.meta.minTime, $0.id) < ($1.meta.minTime, $1.id) }
    }

    /// Renames a block directory to `*.tmp-for-deletion` (atomic) and removes it.
    static func removeBlockDirectory(_ path: String) throws {
        let tmp = path + deletionSuffix
        try BlockFiles.renameDurably(path, tmp)
        try BlockFiles.remove(tmp)
    }

    /// The current blocks, sorted by minTime (a snapshot: later changes do not affect it).
    public var blocks: [Block] { current.withLock { $0 } }

    /// The newest `maxTime` (exclusive, ms) over all blocks, or nil with no blocks. The head must
    /// not accept or replay samples before it.
    public var maxTime: Int64? { blocks.map(\.meta.maxTime).max() }

    /// Total bytes of all blocks.
    public var size: UInt64 { blocks.reduce(0) { $0 + $1.size } }

    /// Queriers over the blocks overlapping the closed range `[minTime, maxTime]`, oldest first.
    public func queriers(minTime: Timestamp, maxTime: Timestamp) -> [BlockQuerier] {
        blocks.filter { $0.overlaps(mint: minTime, maxt: maxTime) }.map { BlockQuerier(block: $0, minTime: minTime, maxTime: maxTime) }
    }

    /// Adds a block just written into ``directory`` (by its ULID).
    @discardableResult
    public func add(_ id: BlockID) throws -> Block {
        let b = try Block(directory: "\(directory)/\(id.string)")
        current.withLock { $0 = BlockStore.sorted($0 + [b]) }
        return b
    }

    /// Replaces `old` by `new` in the list, then deletes the old directories. Crash-safe: `new` is
    /// durable before this runs, and on reopen the parents of a complete block are deleted.
    func replace(_ old: [Block], with new: Block?) throws {
        let oldIDs = Set(old.map(\.id))
        current.withLock { list in
            var l = list.filter { !oldIDs.contains($0.id) }
            if let new { l.append(new) }
            list = BlockStore.sorted(l)
        }
        for b in old { try BlockStore.removeBlockDirectory(b.directory) }
    }

    /// Runs compaction until the planner finds nothing more to do (Prometheus `DB.compactBlocks`).
    /// - Parameter ranges: level ranges (ms), `ranges[0]` being the head block range.
    /// - Returns: the metas of the blocks written.
    @discardableResult
    public func compact(ranges: [Int64]) throws -> [BlockMeta] {
        try writerLock.withLock { _ in
            var written: [BlockMeta] = []
            while true {
                let list = blocks
                let plan = CompactionPlanner.plan(list.map(\.meta), ranges: ranges)
                if plan.isEmpty { break }
                let ids = Set(plan.map(\.ulid))
                let sources = list.filter { ids.contains($0.id) }
                if let meta = try Compactor.compact(sources, into: directory) {
                    let b = try Block(directory: "\(directory)/\(meta.ulid.string)")
                    try replace(sources, with: b)
                    written.append(meta)
                } else {
                    try replace(sources, with: nil)
                }
            }
            return written
        }
    }

    /// Deletes the blocks retention drops: by time (relative to the newest block's maxTime) and by
    /// size (`otherBytes`, e.g. the WAL, counts against `maxBytes`). 0 disables a limit.
    /// - Returns: the ULIDs removed.
    @discardableResult
    public func applyRetention(retentionMs: Int64, maxBytes: UInt64 = 0, otherBytes: UInt64 = 0) throws -> [BlockID] {
        try writerLock.withLock { _ in
            let list = blocks
            var drop = Set(Retention.beyondTime(list.map(\.meta), retentionMs: retentionMs).map(\.ulid))
            let sized = list.filter { !drop.contains($0.id) }.map { (meta: $0.meta, bytes: $0.size) }
            drop.formUnion(Retention.beyondSize(sized, maxBytes: maxBytes, otherBytes: otherBytes).map(\.ulid))
            let victims = list.filter { drop.contains($0.id) }
            if !victims.isEmpty { try replace(victims, with: nil) }
            return victims.map(\.id).sorted()
        }
    }

    /// Marks the samples of series matching `matchers` in `[minTime, maxTime]` (closed, ms) deleted
    /// in every overlapping block, by rewriting its tombstones file atomically (temp file, fsync,
    /// rename) and reopening the block. Compaction later removes the data.
    /// - Returns: the number of series that got a tombstone.
    @discardableResult
    public func delete(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> Int {
        try writerLock.withLock { _ in try deleteLocked(matchers: matchers, minTime: minTime, maxTime: maxTime) }
    }

    /// ``delete(matchers:minTime:maxTime:)`` for a caller holding the mutation lock
    /// (``withWriterLock(_:)``), so that a database deletes in blocks and head as one step.
    func deleteLocked(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> Int {
        var touched = 0
        for b in blocks where b.overlaps(mint: minTime, maxt: maxTime) {
            let refs = try b.index.postings(for: matchers)
            if refs.isEmpty { continue }
            var t = b.tombstones
            var chunks: [IndexChunkMeta] = []
            var n = 0
            for r in refs {
                _ = try b.index.series(UInt64(r), chunks: &chunks)
                guard chunks.contains(where: { $0.maxTime >= minTime && $0.minTime <= maxTime }) else { continue }
                t.add(UInt64(r), DeletedInterval(minTime: Swift.max(minTime, b.meta.minTime), maxTime: Swift.min(maxTime, b.meta.maxTime)))
                n += 1
            }
            if n == 0 { continue }
            let path = "\(b.directory)/\(Block.tombstonesFileName)"
            try BlockFiles.writeDurably(path + ".tmp", t.encoded())
            try BlockFiles.renameDurably(path + ".tmp", path)
            var meta = b.meta
            meta.stats.numTombstones = UInt64(t.count)
            let metaPath = "\(b.directory)/\(Block.metaFileName)"
            try BlockFiles.writeDurably(metaPath + ".tmp", try meta.encoded())
            try BlockFiles.renameDurably(metaPath + ".tmp", metaPath)
            let reopened = try Block(directory: b.directory)
            current.withLock { list in
                list = list.map { $0.id == b.id ? reopened : $0 }
            }
            touched += n
        }
        return touched
    }

    /// Runs `body` while holding the mutation lock (used by head compaction so that it does not
    /// interleave with block compaction or retention).
    func withWriterLock<R>(_ body: () throws -> R) rethrows -> R {
        try writerLock.withLock { _ in try body() }
    }
}
