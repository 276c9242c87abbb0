import SundialCore
import SundialWAL
import Synchronization

/// The ``HeadLog`` of a ``DB``: encodes a commit as Prometheus WAL records (series, samples,
/// metadata), appends them as one batch, lets the head apply it, then waits for durability.
///
/// Thread-safe; concurrent commits are serialised only inside ``WAL/append(_:)`` and share fsyncs.
final class WALHeadLog: HeadLog {
    let walBox = Mutex<WAL?>(nil)

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
        var records: [[UInt8]] = []
        records.reserveCapacity(3)
        if !batch.newSeries.isEmpty {
            var buf: [UInt8] = []
            RecordEncoder.encodeSeries(batch.newSeries.lazy.map { RefSeries(ref: $0.ref, labels: $0.labels) }, into: &buf)
            records.append(buf)
        }
        if batch.count > 0 {
            var buf: [UInt8] = []
            let samples = (0..<batch.count).lazy.map {
                RefSample(ref: SeriesRef(batch.refs[$0]), t: batch.timestamps[$0], v: batch.values[$0])
            }
            RecordEncoder.encodeSamples(samples, into: &buf)
            records.append(buf)
        }
        if batch.histogramCount > 0 { WALHeadLog.histogramRecords(batch, into: &records) }
        if !batch.metadata.isEmpty {
            var buf: [UInt8] = []
            RecordEncoder.encodeMetadata(batch.metadata.lazy.map {
                RefMetadata(ref: $0.series.ref, type: $0.metadata.type, unit: $0.metadata.unit, help: $0.metadata.help)
            }, into: &buf)
            records.append(buf)
        }
        return (wal, try wal.append(records))
    }
}
