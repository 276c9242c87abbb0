import SundialCore
import SundialWAL

extension WALHeadLog {
    /// Encodes the batch's exemplars as one exemplars record into the emptied `buf` (type 4, Prometheus 2.42
    /// `record.Encoder.Exemplars`: `tsdb/docs/format/wal.md`, "Exemplar records"), written after
    /// the samples of the same commit so replay finds the series defined.
    static func encodeExemplarRecord(_ batch: HeadCommitBatch, into buf: inout [UInt8]) {
        RecordEncoder.encodeExemplars(batch.exemplars.lazy.map {
            RefExemplar(ref: $0.series.ref, t: $0.exemplar.timestamp, v: $0.exemplar.value, labels: $0.exemplar.labels)
        }, into: &buf)
    }
}
