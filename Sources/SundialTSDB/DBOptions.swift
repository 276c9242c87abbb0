import SundialWAL

/// Options of a ``DB``.
public struct DBOptions: Sendable {
    /// Head options (chunk range, chunk size, stripes).
    public var head: HeadOptions
    /// Write-ahead log options (segment size, compression, sync mode).
    public var wal: WALOptions
    /// Open without taking the directory lock and without writing: the WAL is replayed from a
    /// temporary copy (so a damaged tail is not repaired in place) and appends are refused.
    /// For offline tools (`sundial tsdb dump`), which may read a directory another process writes.
    public var readOnly: Bool
    /// Time retention in ms (`--storage.tsdb.retention.time`, default 15 d): blocks whose end lies
    /// further behind the newest block's end are deleted. 0 disables.
    public var retentionMs: Int64 = 15 * 24 * 3_600_000
    /// Size retention in bytes over blocks plus WAL (`--storage.tsdb.retention.size`); 0 disables.
    public var retentionBytes: UInt64 = 0
    /// Compaction level ranges in ms; nil derives Prometheus's from the head chunk range and the
    /// retention (2 h × 3^k up to min(31 d, retention / 10)).
    public var blockRanges: [Int64]? = nil
    /// Threads that apply the WAL's samples when the database opens (series split between them,
    /// each series' samples in log order). 1 applies everything on the opening thread.
    public var replayThreads: Int = 2
    /// Receives human-readable notices (replay statistics, repairs, checkpoints).
    public var log: @Sendable (String) -> Void

    public init(head: HeadOptions = HeadOptions(), wal: WALOptions = WALOptions(), readOnly: Bool = false,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.head = head
        self.wal = wal
        self.readOnly = readOnly
        self.log = log
    }
}
