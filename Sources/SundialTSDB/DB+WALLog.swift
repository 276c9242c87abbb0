import SundialCore
import SundialWAL
import Synchronization

/// The ``HeadLog`` of a ``DB``: encodes a commit as Prometheus WAL records (series, samples,
/// metadata), appends them as one batch, lets the head apply it, then waits for durability.
///
/// Thread-safe; concurrent commits are serialised only inside ``WAL/append(_:)`` and share fsyncs.
final class WALHeadLog: HeadLog {
    let walBox = Mutex<WAL?>(nil)
    /// Record buffers reused across commits: each entry is one commit's list of buffers, emptied
    /// with their capacity kept (a commit of 2,000 samples writes a ~25 KB samples record).
    let scratch = Mutex<[[[UInt8]]]>([])
    /// Buffer lists kept at most (about one per concurrent committer).
    static let maxScratchLists = 8
    /// Largest record buffer kept for reuse (bytes); a bigger one is freed after its commit.
    static let maxScratchBytes = 4 << 20

    func attach(_ wal: WAL) { walBox.withLock { $0 = wal } }

    func commit(_ batch: HeadCommitBatch, apply: () -> Void) throws {
        let (wal, position) = try log(batch)
        apply()
        try wal.waitDurableBlocking(position)
    }

    func commitAsync(_ batch: HeadCommitBatch, apply: () -> Void) async throws {
        let (wal, position) = try log(batch)
        apply()
        try await wal.waitDurable(position)
    }

    /// Writes the batch's records to the WAL (in the OS, not yet durable).
    func log(_ batch: HeadCommitBatch) throws -> (WAL, WALPosition) {
        guard let wal = walBox.withLock({ $0 }) else {
            throw TSDBError(.closed, "the database is read-only or not open for appends")
        }
        var records = scratch.withLock { $0.popLast() } ?? []
        var used = 0
        defer { recycle(&records) }
        /// The next emptied buffer of `records`.
        func next() -> Int {
            if used == records.count { records.append([]) }
            used += 1
            return used - 1
        }
        if !batch.newSeries.isEmpty {
            let k = next()
            RecordEncoder.encodeSeries(batch.newSeries.lazy.map { RefSeries(ref: $0.ref, labels: $0.labels) }, into: &records[k])
        }
        if batch.count > 0 {
            let k = next()
            RecordEncoder.encodeSamples(refs: batch.refs, timestamps: batch.timestamps, values: batch.values, into: &records[k])
        }
        if batch.histogramCount > 0 {
            var histogramRecords: [[UInt8]] = []
            WALHeadLog.histogramRecords(batch, into: &histogramRecords)
            for r in histogramRecords {
                let k = next()
                records[k] = r
            }
        }
        if !batch.exemplars.isEmpty {
            let k = next()
            WALHeadLog.encodeExemplarRecord(batch, into: &records[k])
        }
        if !batch.metadata.isEmpty {
            let k = next()
            RecordEncoder.encodeMetadata(batch.metadata.lazy.map {
                RefMetadata(ref: $0.series.ref, type: $0.metadata.type, unit: $0.metadata.unit, help: $0.metadata.help)
            }, into: &records[k])
        }
        return (wal, try wal.append(records[..<used]))
    }

    /// Empties a commit's record buffers (keeping their capacity) and keeps them for reuse.
    func recycle(_ records: inout [[UInt8]]) {
        records.removeAll { $0.capacity > WALHeadLog.maxScratchBytes }
        for k in records.indices { records[k].removeAll(keepingCapacity: true) }
        let kept = records
        records = []
        scratch.withLock { if $0.count < WALHeadLog.maxScratchLists { $0.append(kept) } }
    }
}
