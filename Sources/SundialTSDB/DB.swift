import SundialCore
import SundialFileIO
import SundialWAL
import Synchronization

/// The database over one data directory: the head, its write-ahead log in `<dir>/wal`, and (later)
/// persisted blocks (Prometheus `tsdb.DB`).
///
/// ``open(directory:options:)`` takes the directory lock, replays the WAL (checkpoint, then
/// segments) into a fresh head, and opens the WAL for appending in a new segment. An appender's
/// commit writes the series records of new series and one samples record to the WAL, applies the
/// batch to the head, then waits until the WAL is durable per the sync mode (group commit: many
/// concurrent commits share one fsync). ``close()`` flushes the WAL and releases the lock.
///
/// Thread safety: every method may be called from any thread. Lifecycle state sits behind a lock;
/// the append path never takes it.
public final class DB: Sendable {
    /// The data directory.
    public let directory: String
    /// The options the database was opened with.
    public let options: DBOptions
    /// The in-memory head.
    public let head: Head
    /// The write-ahead log (nil when read-only).
    public let wal: WAL?
    /// What the opening replay read.
    public let replayStats: ReplayStatistics
    /// The persistent blocks of the directory (compaction, retention, deletion live there).
    public let blocks: BlockStore

    enum State { case open, closed }
    let state = Mutex(State.open)
    let lock: DirectoryLock?

    private init(directory: String, options: DBOptions, head: Head, wal: WAL?, lock: DirectoryLock?, replay: ReplayStatistics,
                 blocks: BlockStore) {
        self.blocks = blocks
        self.directory = directory
        self.options = options
        self.head = head
        self.wal = wal
        self.lock = lock
        self.replayStats = replay
    }

    /// The WAL directory of a data directory.
    public static func walDirectory(_ directory: String) -> String { directory + "/wal" }

    /// Opens (creating if needed) the database in `directory`.
    /// - Throws: ``TSDBError`` (`.directory`) if the directory cannot be created or is locked by
    ///   another process; (`.walReplay`) if the WAL cannot be read (a damaged tail is repaired, not
    ///   thrown: see ``ReplayStatistics/repaired``).
    public static func open(directory: String, options: DBOptions = DBOptions()) throws -> DB {
        var lock: DirectoryLock? = nil
        let walDir = walDirectory(directory)
        if !options.readOnly {
            do {
                try FileSystem.createDirectory(directory)
                lock = try DirectoryLock(directory: directory)
            } catch {
                throw TSDBError(.directory, "cannot open \(directory)", cause: error)
            }
        } else if !FileSystem.isDirectory(directory) {
            throw TSDBError(.directory, "\(directory) is not a directory")
        }
        do {
            var wal: WAL? = nil
            let head: Head
            let stats: ReplayStatistics
            if options.readOnly {
                head = Head(options: options.head, log: WALHeadLog())  // never attached: commits throw
                stats = try DB.replayReadOnly(walDir, into: head, log: options.log)
            } else {
                // The head's log is set after the WAL opens; replay runs with no log attached.
                let walLog = WALHeadLog()
                head = Head(options: options.head, log: walLog)
                stats = try DB.replay(walDir, into: head, threads: options.replayThreads, log: options.log)
                let w = try WAL.open(directory: walDir, options: options.wal, log: options.log)
                walLog.attach(w)
                wal = w
            }
            // Blocks: opened after the lock is held; samples before the newest block's end are
            // already persisted, so the head drops them (a crash between writing a block and
            // truncating the WAL replays them) and refuses new ones there.
            let blocks = try BlockStore(directory: directory, readOnly: options.readOnly)
            if let persisted = blocks.maxTime, !head.isEmpty, head.minTime < persisted {
                head.truncate(before: persisted)
            } else if let persisted = blocks.maxTime {
                head.setMinValidTime(persisted)
            }
            return DB(directory: directory, options: options, head: head, wal: wal, lock: lock, replay: stats, blocks: blocks)
        } catch {
            lock?.unlock()
            if error is TSDBError { throw error }
            throw TSDBError(.walReplay, "cannot open the write-ahead log in \(walDir)", cause: error)
        }
    }

    /// Whether ``close()`` has run.
    public var isClosed: Bool { state.withLock { $0 == .closed } }

    /// Flushes and closes the WAL and releases the directory lock. Idempotent.
    /// - Throws: the WAL's error if its final write or fsync fails (the lock is released anyway).
    public func close() throws {
        let first = state.withLock { s -> Bool in
            defer { s = .closed }
            return s == .open
        }
        guard first else { return }
        defer { lock?.unlock() }
        try wal?.close()
    }

    /// Drops head data older than `mint` (ms) and checkpoints the WAL (Prometheus
    /// `Head.Truncate` + `truncateWAL`): starts a new segment, then folds the oldest two thirds of
    /// the older segments into a checkpoint keeping only live series and samples at or after `mint`.
    /// Meant to be called once the data before `mint` is persisted in a block.
    /// - Returns: what the head truncation removed.
    @discardableResult
    public func truncateHead(before mint: Int64) throws -> Head.TruncationStats {
        guard !isClosed else { throw TSDBError(.closed, "truncateHead on a closed database") }
        let stats = head.truncate(before: mint)
        guard let wal else { return stats }
        guard let range = try wal.segments() else { return stats }
        let first = range.lowerBound
        _ = try wal.cutSegment()
        // Never the segment that was active before the cut; then the older two thirds.
        let lastClosed = range.upperBound
        let last = first + (lastClosed - first) * 2 / 3
        if last <= first { return stats }
        let head = self.head
        try wal.checkpoint(segments: first...last, keepSeries: { head.contains($0) }, minTime: mint)
        return stats
    }
}

extension DB: Appendable {
    /// A new appender for one batch (see ``HeadAppender``). On a read-only or closed database
    /// its commit throws.
    public func appender() -> any Appender { head.appender() }
}

extension DB: Queryable {
    /// A querier over `[minTime, maxTime]` (closed, ms) merging the overlapping blocks (oldest
    /// first) and the head: series sorted by labels, samples deduplicated where they overlap.
    /// The blocks it read stay alive until the querier and its series are released.
    public func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        guard !isClosed else { throw TSDBError(.closed, "querier on a closed database") }
        let parts: [any Querier] = blocks.queriers(minTime: minTime, maxTime: maxTime)
            + [try head.querier(minTime: minTime, maxTime: maxTime)]
        return parts.count == 1 ? parts[0] : MergeQuerier(parts)
    }
}
