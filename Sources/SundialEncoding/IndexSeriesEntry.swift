/// A chunk's entry in an index series record: the first and last sample times of the chunk (ms,
/// both inclusive) and its reference into the block's chunk segments (`segment << 32 | offset`).
public struct IndexChunkMeta: Sendable, Hashable {
    /// Timestamp of the chunk's first sample, ms.
    public var minTime: Int64
    /// Timestamp of the chunk's last sample, ms (inclusive).
    public var maxTime: Int64
    /// `(segment index << 32) | byte offset in the segment`, file 000001 being index 0 (chunks.md).
    public var ref: UInt64
    public init(minTime: Int64, maxTime: Int64, ref: UInt64) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.ref = ref
    }
}

/// Codec of one series record in the index "Series" section (`tsdb/docs/format/index.md`, "Series"):
///
/// ```
/// len <uvarint> | #labels <uvarint> | (name ref <uvarint32>, value ref <uvarint32>)…
///               | #chunks <uvarint> | c0.mint <varint> | c0.maxt-c0.mint <uvarint> | c0.ref <uvarint>
///               | (ci.mint-c(i-1).maxt <uvarint> | ci.maxt-ci.mint <uvarint> | ci.ref-c(i-1).ref <varint>)…
///               | CRC32 <4b>  (over the len bytes after the length)
/// ```
/// The record starts on a 16-byte boundary; its reference is `offset / 16`.
public enum IndexSeriesEntry {
    /// Appends one series record (without alignment padding; call ``IndexFormat/pad(_:to:)`` first).
    ///
    /// - Parameters:
    ///   - labelRefs: symbol references, name and value interleaved, labels sorted by name.
    ///   - chunks: sorted by time, non-overlapping, refs increasing.
    ///   - scratch: reused buffer for the body (cleared here), so steady state allocates nothing.
    /// - Precondition: chunk times and refs are monotonic as described (Prometheus requires it too).
    public static func append(_ buf: inout [UInt8], labelRefs: [UInt32], chunks: [IndexChunkMeta], scratch: inout [UInt8]) {
        precondition(labelRefs.count % 2 == 0)
        scratch.removeAll(keepingCapacity: true)
        scratch.appendUVarint(UInt64(labelRefs.count / 2))
        for r in labelRefs { scratch.appendUVarint(UInt64(r)) }
        scratch.appendUVarint(UInt64(chunks.count))
        if let first = chunks.first {
            scratch.appendVarint(first.minTime)
            scratch.appendUVarint(UInt64(first.maxTime - first.minTime))
            scratch.appendUVarint(first.ref)
            var prev = first
            for c in chunks.dropFirst() {
                precondition(c.minTime > prev.maxTime && c.maxTime >= c.minTime, "chunks overlap or unsorted")
                scratch.appendUVarint(UInt64(c.minTime - prev.maxTime))
                scratch.appendUVarint(UInt64(c.maxTime - c.minTime))
                scratch.appendVarint(Int64(bitPattern: c.ref &- prev.ref))
                prev = c
            }
        }
        buf.appendUVarint(UInt64(scratch.count))
        buf.append(contentsOf: scratch)
        buf.appendBE32(CRC32C.checksum(scratch))
    }

    /// Decodes the series record at byte `offset` of the index into caller-owned buffers (cleared first).
    /// - Throws: ``DecodeError`` on truncation, bad varints, CRC mismatch or non-monotonic chunks.
    public static func decode(_ bytes: [UInt8], at offset: Int, labelRefs: inout [UInt32],
                              chunks: inout [IndexChunkMeta]) throws(DecodeError) {
        try withBytes(bytes) { raw throws(DecodeError) in try decode(raw, at: offset, labelRefs: &labelRefs, chunks: &chunks) }
    }

    /// ``decode(_:at:labelRefs:chunks:)`` over borrowed bytes (a memory-mapped index).
    public static func decode(_ raw: UnsafeRawBufferPointer, at offset: Int, labelRefs: inout [UInt32],
                              chunks: inout [IndexChunkMeta]) throws(DecodeError) {
        labelRefs.removeAll(keepingCapacity: true)
        chunks.removeAll(keepingCapacity: true)
        guard offset >= 0, offset < raw.count else { throw DecodeError(.truncated, offset: offset, "series ref out of range") }
        do {
            var r = UnsafeByteReader(raw, position: offset)
            let len = try r.readUVarint()
            guard len <= UInt64(r.remaining), r.remaining - Int(len) >= 4 else {
                throw DecodeError(.truncated, offset: offset, "series record of \(len) bytes runs past the end")
            }
            let bodyStart = r.position
            let bodyEnd = bodyStart + Int(len)
            let want = IndexFormat.readBE32(raw, bodyEnd)
            let got = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[bodyStart..<bodyEnd]))
            guard want == got else { throw DecodeError(.checksum, offset: offset, "series record CRC32C mismatch") }
            var b = UnsafeByteReader(UnsafeRawBufferPointer(rebasing: raw[bodyStart..<bodyEnd]))
            do throws(DecodeError) {
                let nl = try b.readUVarint()
                guard nl <= UInt64(b.remaining) else { throw DecodeError(.invalid, offset: 0, "label count \(nl)") }
                labelRefs.reserveCapacity(Int(nl) * 2)
                for _ in 0..<(2 * Int(nl)) {
                    let v = try b.readUVarint()
                    guard v <= UInt64(UInt32.max) else { throw DecodeError(.overflow, offset: b.position, "symbol ref") }
                    labelRefs.append(UInt32(v))
                }
                let nc = try b.readUVarint()
                guard nc <= UInt64(b.remaining) else { throw DecodeError(.invalid, offset: b.position, "chunk count \(nc)") }
                if nc > 0 {
                    chunks.reserveCapacity(Int(nc))
                    let mint = try b.readVarint()
                    let d = try b.readUVarint()
                    var ref = try b.readUVarint()
                    var (maxt, ok) = mint.addingReportingOverflow(Int64(bitPattern: d))
                    guard !ok, maxt >= mint else { throw DecodeError(.invalid, offset: b.position, "chunk maxt overflows") }
                    chunks.append(IndexChunkMeta(minTime: mint, maxTime: maxt, ref: ref))
                    for _ in 1..<Int(nc) {
                        let dmin = try b.readUVarint()
                        let dmax = try b.readUVarint()
                        let dref = try b.readVarint()
                        let cmin: Int64
                        (cmin, ok) = maxt.addingReportingOverflow(Int64(bitPattern: dmin))
                        guard !ok, cmin >= maxt else { throw DecodeError(.invalid, offset: b.position, "chunk mint overflows") }
                        (maxt, ok) = cmin.addingReportingOverflow(Int64(bitPattern: dmax))
                        guard !ok, maxt >= cmin else { throw DecodeError(.invalid, offset: b.position, "chunk maxt overflows") }
                        ref = ref &+ UInt64(bitPattern: dref)
                        chunks.append(IndexChunkMeta(minTime: cmin, maxTime: maxt, ref: ref))
                    }
                }
            } catch {
                throw DecodeError(error.kind, offset: bodyStart + error.offset, "series record at \(offset): \(error.detail)")
            }
        }
    }
}
