import SundialCore

extension DB {
    /// The compaction level ranges in effect (``DBOptions/blockRanges`` or Prometheus's defaults).
    public var blockRanges: [Int64] {
        if let r = options.blockRanges, !r.isEmpty { return r }
        let retention = options.retentionMs > 0 ? options.retentionMs : 15 * 24 * 3_600_000
        let maxBlock = Swift.min(31 * 24 * 3_600_000, retention / 10)
        let all = CompactionPlanner.exponentialRanges(min: options.head.chunkRange, steps: 10, factor: 3)
        let kept = all.filter { $0 <= maxBlock }
        return kept.isEmpty ? [options.head.chunkRange] : kept
    }

    /// What one ``compact()`` pass did.
    public struct CompactionResult: Sendable {
        /// Level-1 blocks cut from the head.
        public var headBlocks: [BlockMeta] = []
        /// Blocks written by merging blocks.
        public var compactedBlocks: [BlockMeta] = []
        /// Blocks deleted by retention.
        public var retentionDeleted: [BlockID] = []
    }

    /// One round of background storage maintenance (Prometheus `DB.Compact` + `reloadBlocks`):
    /// persists every compactable head range as a level-1 block and truncates head and WAL after
    /// it is durable; merges blocks as the leveled planner says; deletes blocks beyond retention.
    /// Appends and queries continue meanwhile (the head is read through snapshots; queries keep
    /// the blocks they started with).
    /// - Throws: ``BlockError`` or the WAL's errors; what was done before the error stays done.
    @discardableResult
    public func compact() throws -> CompactionResult {
        guard !isClosed else { throw TSDBError(.closed, "compact on a closed database") }
        guard !options.readOnly else { return CompactionResult() }
        var result = CompactionResult()
        result.headBlocks = try blocks.compactHead(head, chunkRange: options.head.chunkRange) { mint in
            try self.truncateHead(before: mint)
        }
        result.compactedBlocks = try blocks.compact(ranges: blockRanges)
        let walBytes = BlockFiles.treeSize(DB.walDirectory(directory))
        result.retentionDeleted = try blocks.applyRetention(retentionMs: options.retentionMs, maxBytes: options.retentionBytes,
                                                            otherBytes: walBytes)
        for m in result.headBlocks { options.log("persisted head block \(m.ulid) [\(m.minTime), \(m.maxTime)) with \(m.stats.numSamples) samples") }
        for m in result.compactedBlocks { options.log("compacted block \(m.ulid) level \(m.compaction.level) from \(m.compaction.parents.count) blocks") }
        for id in result.retentionDeleted { options.log("retention deleted block \(id)") }
        return result
    }

    /// Runs ``compact()`` every `interval` until the task is cancelled (Prometheus runs it every
    /// minute). Errors are logged through ``DBOptions/log`` and retried at the next tick. The
    /// composition root runs this in its service group.
    public func runCompactionLoop(every interval: Duration = .seconds(60)) async {
        while !Task.isCancelled && !isClosed {
            do { try compact() } catch { options.log("compaction failed: \(error)") }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Marks samples of the series matching `matchers` in `[minTime, maxTime]` (closed, ms) as
    /// deleted in the blocks only (tombstones; compaction removes them for good). The head keeps
    /// its samples; ``delete(matchers:minTime:maxTime:)`` deletes in blocks and head.
    /// - Returns: the number of block series that got a tombstone.
    @discardableResult
    public func deleteFromBlocks(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> Int {
        guard !isClosed, !options.readOnly else { throw TSDBError(.closed, "delete on a closed or read-only database") }
        return try blocks.delete(matchers: matchers, minTime: minTime, maxTime: maxTime)
    }
}
