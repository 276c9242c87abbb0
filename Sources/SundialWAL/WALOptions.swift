/// How WAL records are compressed.
public enum WALCompression: Sendable, Hashable {
    /// No compression.
    case none
    /// Snappy block compression of each record (the snappy flag is set on its fragments). The
    /// default, and what Prometheus 2.42 writes with `--storage.tsdb.wal-compression`. A record is
    /// stored uncompressed when compression would not make it smaller (as Prometheus does).
    case snappy
    /// Zstandard compression of each record (the zstd flag). Newer Prometheus versions read it;
    /// **Prometheus 2.42 and its promtool cannot read a WAL written with zstd.**
    case zstd
}

/// When appended records are forced to stable storage.
public enum WALSyncMode: Sendable, Hashable {
    /// Group commit: ``WAL/waitDurable(_:)`` returns only after an `fdatasync` covering the records;
    /// concurrent committers share one fsync done on the WAL's own thread. Nothing acknowledged is
    /// lost on power failure.
    case always
    /// Trades durability for speed: ``WAL/waitDurable(_:)`` returns once records are written to the
    /// OS (they survive a process crash) and an fsync runs every `milliseconds`; a power failure can
    /// lose up to that much acknowledged data.
    case interval(milliseconds: Int)
    /// Trades durability for speed: no fsync except when a segment is finished and on close
    /// (Prometheus's own behaviour). Records survive a process crash, not a power failure.
    case never
}

/// Options of a ``WAL``.
public struct WALOptions: Sendable, Hashable {
    /// Segment size in bytes; a multiple of ``WALFormat/pageSize``. Default 128 MiB.
    public var segmentSize: Int
    /// Record compression. Default ``WALCompression/snappy``.
    public var compression: WALCompression
    /// When records are made durable. Default ``WALSyncMode/always``.
    public var syncMode: WALSyncMode

    /// Creates a value from its fields.
    public init(
        segmentSize: Int = WALFormat.defaultSegmentSize, compression: WALCompression = .snappy,
        syncMode: WALSyncMode = .always
    ) {
        self.segmentSize = segmentSize
        self.compression = compression
        self.syncMode = syncMode
    }
}
