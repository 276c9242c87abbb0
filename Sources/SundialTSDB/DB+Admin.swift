import Foundation
import SundialCore
import SundialFileIO
import SundialWAL

// Deletion, tombstone cleaning and snapshots: the storage half of Prometheus's admin API
// (`/api/v1/admin/tsdb/*`), with Prometheus 2.42 semantics (tsdb/db.go `Delete`,
// `CleanTombstones`, `Snapshot`; tsdb/head.go `Delete`).
extension DB {
    /// What one ``delete(matchers:minTime:maxTime:)`` marked deleted.
    public struct DeletionResult: Sendable, Hashable {
        /// Block series that got a tombstone (summed over blocks).
        public var blockSeries = 0
        /// Head series that got a deleted interval.
        public var headSeries = 0
    }

    /// Marks the samples of the series matching all `matchers` within `[minTime, maxTime]`
    /// (closed, ms) deleted, in every overlapping block (their `tombstones` files, rewritten
    /// atomically) and in the head (Prometheus `DB.Delete`). Queries stop returning the samples at
    /// once; compaction drops them from disk (``cleanTombstones()`` does it now for blocks).
    ///
    /// The head's intervals are written to the WAL as one Prometheus tombstones record (type 3,
    /// tsdb/docs/format/wal.md "Tombstone records") and made durable before they apply, so they
    /// survive a restart; head compaction leaves the deleted samples out of the block it writes.
    /// Head intervals are clamped to the samples each series holds now, so samples appended later
    /// are never deleted. Holds the block mutation lock, so no compaction moves head data into a
    /// block between the two halves.
    /// - Throws: ``TSDBError`` `.closed` on a closed or read-only database; block or WAL I/O
    ///   errors (blocks already rewritten stay so; nothing of the head is applied if its record
    ///   could not be written).
    @discardableResult
    public func delete(matchers: [LabelMatcher], minTime: Int64, maxTime: Int64) throws -> DeletionResult {
        guard !isClosed, !options.readOnly else { throw TSDBError(.closed, "delete on a closed or read-only database") }
        guard minTime <= maxTime else { return DeletionResult() }
        return try blocks.withWriterLock {
            var r = DeletionResult()
            r.blockSeries = try blocks.deleteLocked(matchers: matchers, minTime: minTime, maxTime: maxTime)
            r.headSeries = try head.delete(matchers: matchers, minTime: minTime, maxTime: maxTime) { stones in
                try self.logTombstones(stones)
            }
            if r.blockSeries + r.headSeries > 0 {
                options.log("deleted [\(minTime), \(maxTime)] of \(r.blockSeries) block series and \(r.headSeries) head series")
            }
            return r
        }
    }

    /// Writes `stones` to the WAL as one tombstones record and waits until it is durable (per the
    /// WAL's sync mode, like a commit).
    func logTombstones(_ stones: [Head.Stone]) throws {
        guard let wal else { throw TSDBError(.closed, "the database is read-only or not open for appends") }
        var record: [UInt8] = []
        RecordEncoder.encodeTombstones(stones.lazy.map {
            RefTombstone(ref: $0.ref, minTime: $0.interval.minTime, maxTime: $0.interval.maxTime)
        }, into: &record)
        do {
            let position = try wal.append(record)
            try wal.waitDurableBlocking(position)
        } catch {
            throw TSDBError(.walWrite, "tombstones record of \(stones.count) series not written; nothing was deleted in the head",
                            cause: error)
        }
    }

    /// Rewrites every block that has tombstones without the deleted samples (see
    /// ``BlockStore/cleanTombstones()``). Head tombstones stay in memory, as in Prometheus 2.42:
    /// head compaction leaves their samples out of the block it writes, and truncation drops them.
    /// - Returns: the blocks rewritten.
    @discardableResult
    public func cleanBlockTombstones() throws -> [BlockStore.CleanedBlock] {
        guard !isClosed, !options.readOnly else { throw TSDBError(.closed, "clean tombstones on a closed or read-only database") }
        let done = try blocks.cleanTombstones()
        for c in done {
            options.log("cleaned tombstones of block \(c.old): " + (c.new.map { "rewritten as \($0.ulid)" } ?? "every sample deleted, removed"))
        }
        return done
    }

    /// Writes a snapshot of the database into `dir` (created if needed; Prometheus `DB.Snapshot`):
    /// every persisted block hard-linked (copied where a link fails) and, when `withHead`, the head's
    /// samples (deleted ones left out) as one more level-1 block covering `[head min, head max + 1)`.
    /// The result is a data directory `promtool tsdb` and Prometheus read (with an empty `wal/`,
    /// which promtool's `tsdb dump` needs).
    ///
    /// Appends and queries continue meanwhile (the head is read through snapshots); block
    /// compaction, retention and deletion wait, so the set of blocks and the head are consistent
    /// (no range moves from the head into a block during the snapshot).
    /// - Returns: the ULIDs of the blocks in the snapshot (the head block last).
    @discardableResult
    public func snapshot(into dir: String, withHead: Bool) throws -> [BlockID] {
        guard !isClosed else { throw TSDBError(.closed, "snapshot on a closed database") }
        let canonical = { (p: String) in p.hasSuffix("/") ? String(p.dropLast()) : p }
        guard canonical(dir) != canonical(directory) else {
            throw TSDBError(.invalidArgument, "cannot snapshot into base directory")
        }
        guard BlockID(dir.split(separator: "/").last.map(String.init) ?? dir) == nil else {
            throw TSDBError(.invalidArgument, "dir must not be a valid ULID")
        }
        // An empty `wal/` beside the blocks: Prometheus's snapshots have none, and promtool 2.42's
        // `tsdb dump` then fails ("read WAL: find last checkpoint: open …/wal"); with it, promtool
        // and Prometheus read the snapshot as an ordinary data directory.
        try BlockFiles.makeDirectory(DB.walDirectory(dir))
        return try blocks.withWriterLock {
            var ids = try blocks.snapshotLocked(into: dir)
            guard withHead, !head.isEmpty else { return ids }
            let mint = head.minTime, maxt = head.maxTime
            guard mint <= maxt else { return ids }
            // Block ranges are half-open: +1 ms so that the newest sample is inside.
            if let meta = try HeadCompaction.persist(head: head, minTime: mint, maxTime: maxt + 1, into: dir) {
                ids.append(meta.ulid)
            }
            return ids
        }
    }

    /// The snapshots directory of a data directory (`<data>/snapshots`, as Prometheus's API uses).
    public static func snapshotsDirectory(_ directory: String) -> String { directory + "/snapshots" }

    /// A snapshot name as Prometheus's API makes it: the UTC time as `YYYYMMDDTHHMMSSZ`, a dash
    /// and a random 63-bit number as 16 hex digits (Go `"%s-%016x"` of `Format("20060102T150405Z0700")`
    /// and `rand.Int63()`).
    /// - Parameter nowMs: wall-clock time, ms since the epoch.
    public static func snapshotName(nowMs: Int64, random: UInt64) -> String {
        let secs = nowMs >= 0 ? nowMs / 1000 : (nowMs - 999) / 1000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let rem = secs - days * 86_400
        let (y, m, d) = CivilDate.fromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var hex = String(random & 0x7fff_ffff_ffff_ffff, radix: 16)
        if hex.count < 16 { hex = String(repeating: "0", count: 16 - hex.count) + hex }
        return pad(y, 4) + pad(m, 2) + pad(d, 2) + "T" + pad(rem / 3600, 2) + pad(rem % 3600 / 60, 2) + pad(rem % 60, 2)
            + "Z-" + hex
    }
}

extension DB: StorageAdmin {
    /// Deletes, for each matcher set in turn, its series' samples in `[minTime, maxTime]` (closed,
    /// ms), in blocks and head (``delete(matchers:minTime:maxTime:)``).
    public func deleteSeries(matcherSets: [[LabelMatcher]], minTime: Timestamp, maxTime: Timestamp) throws {
        for set in matcherSets { try delete(matchers: set, minTime: minTime, maxTime: maxTime) }
    }

    /// ``cleanBlockTombstones()``; head tombstones stay until head compaction (Prometheus 2.42).
    public func cleanTombstones() throws { try cleanBlockTombstones() }

    /// Creates `<data>/snapshots/<name>` (name from ``snapshotName(nowMs:random:)``) and snapshots
    /// into it (``snapshot(into:withHead:)``); a failed snapshot's directory is removed.
    /// - Returns: the name.
    public func snapshot(skipHead: Bool) throws -> String {
        let nowMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let name = DB.snapshotName(nowMs: nowMs, random: UInt64.random(in: 0...UInt64(Int64.max)))
        let dir = DB.snapshotsDirectory(directory) + "/" + name
        do {
            let ids = try snapshot(into: dir, withHead: !skipHead)
            options.log("snapshot \(name): \(ids.count) blocks")
        } catch {
            try? BlockFiles.remove(dir)
            throw error
        }
        return name
    }
}
