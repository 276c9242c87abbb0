import Dispatch
import SundialFileIO
import Synchronization

/// The write-ahead log: appends opaque records (encoded with ``RecordEncoder``) to segment files
/// in the Prometheus 2.42 format, and makes them durable by group commit.
///
/// Usage: replay the directory first (``replay(directory:log:handler:)``, which also repairs a
/// damaged tail), then ``open(directory:options:log:)``, which always starts a fresh segment after
/// the existing ones (as Prometheus does), zero-padding the previous one's partial last page. Append batches with ``append(_:)``; await
/// ``waitDurable(_:)`` before acknowledging. Call ``close()`` when done: the WAL's fsync thread
/// keeps it alive until then.
///
/// Thread safety: all methods may be called from any thread. Appends are serialised by one coarse
/// lock held per batch (never per sample); fsyncs run on a dedicated thread outside that lock, so
/// appends continue while an fsync is in flight and every batch appended meanwhile shares the next one.
public final class WAL: Sendable {
    /// The WAL directory (e.g. `<data>/wal`).
    public let directory: String
    /// The options it was opened with.
    public let options: WALOptions
    let log: @Sendable (String) -> Void

    /// Writer state, guarded by the append lock.
    struct WriterState: ~Copyable {
        var writer: SegmentWriter?
        var sequence: UInt64 = 0
        var failure: WALError?
        var closed = false
    }

    /// Group-commit state, guarded by its own lock (never held during I/O).
    struct SyncState {
        var waiters: [(sequence: UInt64, resume: @Sendable (Result<Void, WALError>) -> Void)] = []
        /// Highest sequence a caller asked to be made durable.
        var requested: UInt64 = 0
        var stopping = false
        var failure: WALError?
        /// While the fsync thread gathers committers: how many pending waiters end the gathering
        /// (the registration that reaches it signals `gathered` once and resets this to 0).
        var gatherTarget = 0
    }

    let writerState: Mutex<WriterState>
    let syncState = Mutex(SyncState())
    /// Highest sequence known durable (fsynced).
    let durableSequence = Atomic<UInt64>(0)
    /// Number of fsync rounds done (each round fdatasyncs the active segment once).
    let fsyncRounds = Atomic<Int>(0)
    /// Wakes the fsync thread.
    let wakeup = DispatchSemaphore(value: 0)
    /// Signalled by the registration that completes a gathering (see `gatherCommitters`).
    let gathered = DispatchSemaphore(value: 0)
    /// Waiters resumed by the previous fsync round (only the fsync thread touches it).
    let lastResumed = Atomic<Int>(0)
    let syncThread = Mutex<DedicatedThread?>(nil)

    private init(directory: String, options: WALOptions, log: @escaping @Sendable (String) -> Void, writer: sending SegmentWriter) {
        self.directory = directory
        self.options = options
        self.log = log
        self.writerState = Mutex(WriterState(writer: writer))
    }

    /// Opens the WAL in `directory` (created if missing) for appending, starting a new segment
    /// numbered one past the newest existing segment (or 0).
    /// - Parameter log: receives human-readable notices (segment cuts are not logged; failures are).
    /// - Throws: ``WALError`` if the directory cannot be created or listed or the segment created.
    public static func open(
        directory: String, options: WALOptions = WALOptions(), log: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> WAL {
        guard options.segmentSize > 0, options.segmentSize % WALFormat.pageSize == 0 else {
            throw WALError(.invalidArgument, directory: directory, "segment size \(options.segmentSize) is not a positive multiple of \(WALFormat.pageSize)")
        }
        if case .interval(let ms) = options.syncMode, ms <= 0 {
            throw WALError(.invalidArgument, directory: directory, "sync interval must be positive, got \(ms) ms")
        }
        let writer: SegmentWriter
        do {
            try FileSystem.createDirectory(directory)
            let existing = try WALDirectory.segmentRange(directory)
            if let last = existing?.upperBound { try padTornPage(directory: directory, segment: last, log: log) }
            // Never below the newest checkpoint: replay skips segments it covers.
            let afterCheckpoint = (try WALDirectory.lastCheckpoint(directory)).map { $0.index + 1 } ?? 0
            let next = max(existing.map { $0.upperBound + 1 } ?? 0, afterCheckpoint)
            writer = try SegmentWriter(directory: directory, segmentSize: options.segmentSize, compression: options.compression, index: next)
        } catch let e as WALError {
            throw e
        } catch {
            throw WALError(.io, directory: directory, "cannot open WAL for writing", cause: error)
        }
        let wal = WAL(directory: directory, options: options, log: log, writer: writer)
        do {
            let thread = try DedicatedThread(name: "wal-fsync") { [wal] in wal.syncLoop() }
            wal.syncThread.withLock { $0 = thread }
        } catch {
            throw WALError(.io, directory: directory, "cannot start the fsync thread", cause: error)
        }
        return wal
    }

    /// Zero-pads the last page of the previous newest segment if a crash left it partial (Prometheus
    /// `OpenWriteSegment` does the same), so that every segment but the newest is page-aligned.
    private static func padTornPage(directory: String, segment: Int, log: @Sendable (String) -> Void) throws {
        let path = directory + "/" + WALFormat.segmentName(segment)
        let size = try FileSystem.fileSize(path)
        let rest = size % WALFormat.pageSize
        guard rest != 0 else { return }
        log("last page of WAL segment \(path) is partial (\(size) bytes); padding it with zeros")
        let f = try DiskFile(path: path, mode: .readWrite)
        defer { try? f.close() }
        try f.truncate(to: size + WALFormat.pageSize - rest)
        try f.sync()
    }

    /// Appends `records` as one batch: each is written as a WAL record (compressed per the options),
    /// and the batch is in the OS (safe from a process crash) when this returns.
    /// - Returns: the batch's position, to pass to ``waitDurable(_:)``.
    /// - Throws: ``WALError`` (`.io`) if writing fails; the WAL then refuses further appends, since
    ///   a partially written batch would be truncated by the next replay anyway.
    @discardableResult
    public func append(_ records: [[UInt8]]) throws -> WALPosition {
        try append(records[...])
    }

    /// ``append(_:)-([[UInt8]])`` of a slice of record buffers (a caller reusing a list of
    /// buffers passes the part it filled).
    @discardableResult
    public func append(_ records: ArraySlice<[UInt8]>) throws -> WALPosition {
        try writerState.withLock { s throws(WALError) -> WALPosition in
            if let f = s.failure { throw f }
            guard !s.closed, let w = s.writer else { throw WALError(.closed, directory: directory, "append to a closed WAL") }
            let before = w.index
            do {
                for i in records.indices { try w.log(records[i], final: i == records.endIndex - 1) }
            } catch {
                let e = WALError(.io, directory: directory, segment: w.index, offset: w.offset, "write failed", cause: error)
                s.failure = e
                log("\(e); the WAL refuses further appends")
                throw e
            }
            s.sequence += 1
            if w.index != before { wakeup.signal() }  // finished segments to fsync and close
            return WALPosition(sequence: s.sequence, segment: w.index, offset: w.offset)
        }
    }

    /// Appends one record as a batch. See ``append(_:)-([[UInt8]])``.
    @discardableResult
    public func append(_ record: [UInt8]) throws -> WALPosition {
        try append([record])
    }

    /// Returns once the batch at `position` (and every earlier one) is durable as the sync mode
    /// defines: after an fsync covering it in ``WALSyncMode/always`` mode; at once in the modes that
    /// trade durability for speed.
    /// - Throws: ``WALError`` if the fsync failed or the WAL failed or was closed before the fsync.
    public func waitDurable(_ position: WALPosition) async throws {
        guard case .always = options.syncMode else { return try checkHealthy() }
        if durableSequence.load(ordering: .acquiring) >= position.sequence { return }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            register(position.sequence, force: false) { result in c.resume(with: result.mapError { $0 as any Error }) }
        }
    }

    /// Blocking variant of ``waitDurable(_:)`` for command-line tools and tests. Blocks the calling
    /// thread: never call it from the Swift concurrency pool.
    public func waitDurableBlocking(_ position: WALPosition) throws {
        guard case .always = options.syncMode else { return try checkHealthy() }
        try blockUntilDurable(position.sequence, force: false)
    }

    /// Forces an fsync of everything appended so far, in every sync mode, and waits for it
    /// (blocking the calling thread).
    public func sync() throws {
        let seq = try writerState.withLock { s throws(WALError) -> UInt64 in
            if let f = s.failure { throw f }
            return s.sequence
        }
        try blockUntilDurable(seq, force: true)
    }

    /// Finishes the active segment and starts the next one (its fsync happens on the WAL's thread).
    /// - Returns: the new segment's index.
    @discardableResult
    public func cutSegment() throws -> Int {
        try writerState.withLock { s throws(WALError) -> Int in
            if let f = s.failure { throw f }
            guard !s.closed, let w = s.writer else { throw WALError(.closed, directory: directory, "cut of a closed WAL") }
            do {
                let n = try w.cut()
                wakeup.signal()
                return n
            } catch {
                let e = WALError(.io, directory: directory, segment: w.index, "cannot start the next segment", cause: error)
                s.failure = e
                throw e
            }
        }
    }

    /// The index of the segment being written.
    public var activeSegment: Int {
        writerState.withLock { $0.writer?.index ?? -1 }
    }

    /// The range of segment indexes present in the directory, or nil if there are none.
    public func segments() throws -> ClosedRange<Int>? {
        try WALDirectory.segmentRange(directory)
    }

    /// Number of fsync rounds the WAL has done so far (each covers every batch appended before it):
    /// with many concurrent committers this stays far below the number of commits.
    public var fsyncCount: Int { fsyncRounds.load(ordering: .relaxed) }

    /// Pads the last page, stops the fsync thread, fsyncs and closes every segment. Waiters still
    /// pending are resumed (successfully if the final fsync succeeded). Idempotent.
    /// - Throws: ``WALError`` if the final write or fsync fails.
    public func close() throws {
        let first = writerState.withLock { s -> Bool in
            if s.closed { return false }
            s.closed = true
            return true
        }
        guard first else { return }
        syncState.withLock { $0.stopping = true }
        wakeup.signal()
        let thread = syncThread.withLock { t -> DedicatedThread? in
            defer { t = nil }
            return t
        }
        thread?.join()
        let outcome: Result<UInt64, WALError> = writerState.withLock { s in
            defer { s.writer = nil }
            guard let w = s.writer else { return .success(s.sequence) }
            if let f = s.failure {
                for f in w.takeFinished() { try? f.close() }
                try? w.file.close()
                return .failure(f)
            }
            do {
                try w.finish()
                for f in w.takeFinished() {
                    try f.dataSync()
                    try f.close()
                }
                try w.file.dataSync()
                try w.file.close()
                return .success(s.sequence)
            } catch {
                try? w.file.close()
                let e = WALError(.io, directory: directory, segment: w.index, "final fsync failed", cause: error)
                s.failure = e
                return .failure(e)
            }
        }
        switch outcome {
        case .success(let seq):
            durableSequence.store(seq, ordering: .releasing)
            resumeWaiters(upTo: seq)
            failWaiters(WALError(.closed, directory: directory, "WAL closed"))
        case .failure(let e):
            failWaiters(e)
            throw e
        }
    }

    private func checkHealthy() throws(WALError) {
        try writerState.withLock { s throws(WALError) in
            if let f = s.failure { throw f }
        }
    }
}
