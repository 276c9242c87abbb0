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
