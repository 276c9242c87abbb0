import SundialCore
import SundialEncoding

/// Persisting the head's oldest range as a level-1 block (Prometheus `DB.Compact` over a
/// `RangeHead`, reference-brief §1.1).
public enum HeadCompaction {
    /// The head range to persist next, `[minTime, maxTime)`, or nil while the head spans at most
    /// 1.5 × `chunkRange` (`Head.compactable`). `minTime` is the head's oldest sample, `maxTime`
    /// the end of the `chunkRange`-aligned window holding it (`rangeForTimestamp`).
    public static func compactableRange(head: Head, chunkRange: Int64) -> (minTime: Int64, maxTime: Int64)? {
        guard !head.isEmpty, chunkRange > 0 else { return nil }
        let mint = head.minTime, maxt = head.maxTime
        guard mint <= maxt, maxt - mint > chunkRange / 2 * 3 else { return nil }
        return (mint, windowEnd(mint, chunkRange))
    }

    /// End of the `width`-aligned window containing `t` (floor division, also for negative `t`).
    public static func windowEnd(_ t: Int64, _ width: Int64) -> Int64 {
        let q = t >= 0 ? t / width : (t - width + 1) / width
        return q * width + width
    }

    /// Writes the head's samples with `minTime <= t < maxTime` into a new level-1 block in
    /// `parentDirectory` and returns its meta (nil when the range holds no sample). Head chunks
    /// wholly inside the range are copied byte for byte; a chunk straddling a boundary is cut by
    /// decoding and re-encoding the series' in-range samples. Reads the head through its querier
    /// (snapshots), so appends continue meanwhile. The head is not truncated here. Samples deleted
    /// by head tombstones are left out (Prometheus writes a `RangeHead` through its querier, which
    /// applies them), so the block carries no tombstones.
    public static func persist(head: Head, minTime: Int64, maxTime: Int64, into parentDirectory: String,
                               samplesPerChunk: Int = Compactor.samplesPerChunk) throws -> BlockMeta? {
        precondition(minTime < maxTime)
        let q = HeadQuerier(head: head, minTime: minTime, maxTime: maxTime - 1)
        let series = try q.selectHeadSeries(sorted: true, hints: nil, matchers: [])
        if series.isEmpty { return nil }
        let writer = try BlockWriter(parentDirectory: parentDirectory, minTime: minTime, maxTime: maxTime)
        do {
            var symbols = Set<String>()
            for s in series { for l in s.labels { symbols.insert(l.name); symbols.insert(l.value) } }
            try writer.addSymbols(symbols)
            var buf = SampleBuffer()
            var chunks: [BlockChunk] = []
            for s in series {
                chunks.removeAll(keepingCapacity: true)
                let inRange = s.chunks.filter { $0.overlaps(minTime, maxTime - 1) }
                // Deleted samples (head tombstones) are never written: such a series is re-encoded.
                if s.deleted.isEmpty && inRange.allSatisfy({ $0.minTime >= minTime && $0.maxTime < maxTime }) {
                    for c in inRange {
                        guard let n = XORChunk.sampleCount(c.bytes), n > 0 else { continue }
                        chunks.append(BlockChunk(minTime: c.minTime, maxTime: c.maxTime, sampleCount: n, data: c.bytes))
                    }
                } else {
                    buf.removeAll()
                    try s.samples(minTime: minTime, maxTime: maxTime - 1, into: &buf)
                    chunks = BlockChunk.xorChunks(timestamps: buf.timestamps, values: buf.values, samplesPerChunk: samplesPerChunk)
                }
                if !s.histogramChunks.isEmpty {
                    // Native-histogram chunks (encodings 2/3): copied when wholly inside and
                    // untouched by deletions, else re-encoded with their layout and header.
                    let hist = try HeadCompaction.histogramChunks(s, minTime: minTime, maxTime: maxTime, samplesPerChunk: samplesPerChunk)
                    if !hist.isEmpty {
                        buf.removeAll()
                        try s.samples(minTime: minTime, maxTime: maxTime - 1, into: &buf)
                        chunks = BlockChunk.interleave(timestamps: buf.timestamps, values: buf.values, histogramChunks: hist,
                                                       samplesPerChunk: samplesPerChunk)
                    }
                }
                try writer.addSeries(s.labels, chunks: chunks)
            }
            if writer.seriesCount == 0 {
                writer.abort()
                return nil
            }
            return try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }
}

extension HeadCompaction {
    /// The series' histogram chunks within `[minTime, maxTime)`, deleted samples left out.
    static func histogramChunks(_ s: HeadSeries, minTime: Int64, maxTime: Int64, samplesPerChunk: Int) throws -> [BlockChunk] {
        var out: [BlockChunk] = []
        for c in s.histogramChunks where c.overlaps(minTime, maxTime - 1) {
            if s.deleted.isEmpty && c.minTime >= minTime && c.maxTime < maxTime && c.bytes.count >= 2 {
                let n = Int(c.bytes[0]) << 8 | Int(c.bytes[1])
                out.append(BlockChunk(minTime: c.minTime, maxTime: c.maxTime, sampleCount: n, encoding: c.encoding, data: c.bytes))
            } else {
                out += try BlockChunk.filterHistogramChunk(encoding: c.encoding, data: c.bytes, samplesPerChunk: samplesPerChunk) { t in
                    t >= minTime && t < maxTime && !s.deleted.contains { $0.contains(t) }
                }
            }
        }
        return out
    }
}

extension BlockStore {
    /// Persists every compactable head range as a block and adds it to the store, calling
    /// `truncate(maxTime)` after each block is durable (the database truncates its head and WAL
    /// there). Crash-safe: a crash before `truncate` leaves the block and the WAL both holding the
    /// range; the head must then not replay samples before ``maxTime`` (and queries deduplicate).
    /// - Returns: the metas of the blocks written.
    @discardableResult
    public func compactHead(_ head: Head, chunkRange: Int64, truncate: (Int64) throws -> Void) throws -> [BlockMeta] {
        try withWriterLock {
            var written: [BlockMeta] = []
            while let (mint, maxt) = HeadCompaction.compactableRange(head: head, chunkRange: chunkRange) {
                if let meta = try HeadCompaction.persist(head: head, minTime: mint, maxTime: maxt, into: directory) {
                    try add(meta.ulid)
                    written.append(meta)
                }
                try truncate(maxt)
                // A truncate that does not advance the head would loop forever.
                if head.minTime < maxt && !head.isEmpty { break }
            }
            return written
        }
    }
}
