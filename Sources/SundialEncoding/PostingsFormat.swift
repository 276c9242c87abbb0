/// Codecs of the index's postings, postings offset table, label index and label offset table
/// sections (`tsdb/docs/format/index.md`, "Postings", "Postings Offset Table", "Label Index",
/// "Label Offset Table"). Every section is `len <4b> | body | CRC32 <4b>`.
public enum PostingsFormat {
    /// Appends a postings list: `len | #entries <4b> | ref <4b>… | CRC32`, 4-byte aligned first.
    /// - Returns: the section's offset (where `len` starts), for the postings offset table.
    /// - Precondition: `refs` strictly increasing.
    @discardableResult
    public static func appendPostings(_ buf: inout [UInt8], refs: some Collection<UInt32>) -> Int {
        IndexFormat.pad(&buf, to: IndexFormat.postingsAlignment)
        let start = IndexFormat.beginSection(&buf)
        buf.appendBE32(UInt32(refs.count))
        for r in refs { buf.appendBE32(r) }
        IndexFormat.endSection(&buf, start: start)
        return start
    }

    /// Decodes the postings list at `offset` into `out` (cleared first), checking CRC and order.
    public static func decodePostings(_ bytes: [UInt8], at offset: Int, into out: inout [UInt32]) throws(DecodeError) {
        try withBytes(bytes) { raw throws(DecodeError) in try decodePostings(raw, at: offset, into: &out) }
    }

    /// ``decodePostings(_:at:into:)`` over borrowed bytes (a memory-mapped index).
    public static func decodePostings(_ bytes: UnsafeRawBufferPointer, at offset: Int, into out: inout [UInt32]) throws(DecodeError) {
        out.removeAll(keepingCapacity: true)
        let body = try IndexFormat.sectionBody(bytes, at: offset)
        guard body.count >= 4 else { throw DecodeError(.truncated, offset: offset, "postings without a count") }
        let n = Int(IndexFormat.readBE32(bytes, body.lowerBound))
        guard n == (body.count - 4) / 4, (body.count - 4) % 4 == 0 else {
            throw DecodeError(.invalid, offset: offset, "postings count \(n) does not match section size \(body.count)")
        }
        out.reserveCapacity(n)
        var i = body.lowerBound + 4
        var prev: UInt32 = 0
        for k in 0..<n {
            let v = IndexFormat.readBE32(bytes, i)
            if k > 0 && v <= prev { throw DecodeError(.invalid, offset: i, "postings not strictly increasing") }
            out.append(v)
            prev = v
            i += 4
        }
    }

    /// Appends the postings offset table: `len | #entries <4b> | (n=2 <1b>, name, value, offset <uvarint64>)… | CRC32`.
    /// - Precondition: entries sorted by (name, value) in byte order.
    public static func appendPostingsOffsetTable(_ buf: inout [UInt8], entries: [(name: String, value: String, offset: UInt64)]) {
        let start = IndexFormat.beginSection(&buf)
        buf.appendBE32(UInt32(entries.count))
        for e in entries {
            buf.append(2)
            buf.appendUVarintString(e.name)
            buf.appendUVarintString(e.value)
            buf.appendUVarint(e.offset)
        }
        IndexFormat.endSection(&buf, start: start)
    }

    /// Calls `body(name, value, offset)` for every postings offset table entry, in file order.
    public static func forEachPostingsOffset(_ bytes: [UInt8], at offset: Int,
                                             _ body: (String, String, UInt64) throws(DecodeError) -> Void) throws(DecodeError) {
        try withBytes(bytes) { raw throws(DecodeError) in try forEachPostingsOffset(raw, at: offset, body) }
    }

    /// ``forEachPostingsOffset(_:at:_:)`` over borrowed bytes (a memory-mapped index).
    public static func forEachPostingsOffset(_ raw: UnsafeRawBufferPointer, at offset: Int,
                                             _ body: (String, String, UInt64) throws(DecodeError) -> Void) throws(DecodeError) {
        let range = try IndexFormat.sectionBody(raw, at: offset)
        do {
            var r = UnsafeByteReader(UnsafeRawBufferPointer(rebasing: raw[range]))
            do throws(DecodeError) {
                let n = Int(try r.readBE32())
                guard n <= r.remaining else { throw DecodeError(.invalid, offset: 0, "entry count \(n) exceeds section") }
                for _ in 0..<n {
                    let keys = try r.readByte()
                    guard keys == 2 else { throw DecodeError(.invalid, offset: r.position - 1, "postings offset entry with \(keys) keys, want 2") }
                    let name = try r.readUVarintString()
                    let value = try r.readUVarintString()
                    let off = try r.readUVarint()
                    try body(name, value, off)
                }
            } catch {
                throw DecodeError(error.kind, offset: range.lowerBound + error.offset, "postings offset table: \(error.detail)")
            }
        }
    }

    /// Appends a label index for one name: `len | #names=1 <4b> | #entries <4b> | value ref <4b>… | CRC32`,
    /// 4-byte aligned first. Legacy (the docs say "no longer used") but still written by Prometheus.
    /// - Returns: the section's offset, for the label offset table.
    @discardableResult
    public static func appendLabelIndex(_ buf: inout [UInt8], valueRefs: [UInt32]) -> Int {
        IndexFormat.pad(&buf, to: IndexFormat.postingsAlignment)
        let start = IndexFormat.beginSection(&buf)
        buf.appendBE32(1)
        buf.appendBE32(UInt32(valueRefs.count))
        for r in valueRefs { buf.appendBE32(r) }
        IndexFormat.endSection(&buf, start: start)
        return start
    }

    /// Appends the label offset table: `len | #entries <4b> | (n=1 <1b>, name, offset <uvarint64>)… | CRC32`.
    public static func appendLabelOffsetTable(_ buf: inout [UInt8], entries: [(name: String, offset: UInt64)]) {
        let start = IndexFormat.beginSection(&buf)
        buf.appendBE32(UInt32(entries.count))
        for e in entries {
            buf.append(1)
            buf.appendUVarintString(e.name)
            buf.appendUVarint(e.offset)
        }
        IndexFormat.endSection(&buf, start: start)
    }
}
