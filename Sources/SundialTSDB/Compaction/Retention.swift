/// Which blocks retention deletes (Prometheus `BeyondTimeRetention`, `BeyondSizeRetention` in
/// `tsdb/db.go`, reference-brief §1.1). Whole blocks only; pure functions, thread-safe.
public enum Retention {
    /// Blocks whose `maxTime` lies more than `retentionMs` behind the **newest block's** `maxTime`
    /// (relative to the data, not the wall clock). The newest block is never deleted by time.
    public static func beyondTime(_ metas: [BlockMeta], retentionMs: Int64) -> [BlockMeta] {
        guard retentionMs > 0, let newest = metas.map(\.maxTime).max() else { return [] }
        return metas.filter { newest - $0.maxTime > retentionMs }
    }

    /// Walking blocks newest first and adding their sizes to `otherBytes` (WAL, head chunks),
    /// the first block that pushes the total past `maxBytes` and every older block.
    /// - Parameter blocks: metas with their on-disk size in bytes.
    public static func beyondSize(_ blocks: [(meta: BlockMeta, bytes: UInt64)], maxBytes: UInt64, otherBytes: UInt64 = 0) -> [BlockMeta] {
        guard maxBytes > 0 else { return [] }
        let newestFirst = blocks.sorted { ($0.meta.maxTime, $0.meta.ulid) > ($1.meta.maxTime, $1.meta.ulid) }
        var total = otherBytes
        for (i, b) in newestFirst.enumerated() {
            total += b.bytes
            if total > maxBytes { return newestFirst[i...].map(\.meta) }
        }
        return []
    }
}
