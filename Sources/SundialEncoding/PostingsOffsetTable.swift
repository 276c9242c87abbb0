/// The postings offset table of an index grouped by label name (`tsdb/docs/format/index.md`,
/// "Postings Offset Table": `len | #entries <4b> | (n=2 <1b>, name, value, offset <uvarint64>)… | CRC32`,
/// entries sorted by name, then value, in byte order). Value type.
public struct PostingsOffsetTable: Sendable {
    /// Label names in byte order (the all-postings key `""=""` is not among them).
    public var names: [String] = []
    /// Per name (same order as ``names``): its values in byte order.
    public var values: [[String]] = []
    /// Per name: the file offset of each value's postings list (parallel to ``values``).
    public var offsets: [[Int]] = []
    /// Offset of the all-postings list (key `""=""`), if present.
    public var allPostings: Int?

    public init() {}
}

extension PostingsFormat {
    /// Decodes the postings offset table at `offset` in one pass over the borrowed bytes: CRC and
    /// bounds checked, byte order of names and values checked on the raw bytes, each name turned
    /// into a `String` once (not once per entry), each value validated as UTF-8.
    /// - Parameter limit: postings offsets must be below it (the index size).
    /// - Throws: ``DecodeError`` with the file offset of the section on any violation.
    public static func decodePostingsOffsetTable(_ raw: UnsafeRawBufferPointer, at offset: Int,
                                                 limit: UInt64) throws(DecodeError) -> PostingsOffsetTable {
        let range = try IndexFormat.sectionBody(raw, at: offset)
        var out = PostingsOffsetTable()
        var r = UnsafeByteReader(UnsafeRawBufferPointer(rebasing: raw[range]))
        do throws(DecodeError) {
            let n = Int(try r.readBE32())
            guard n <= r.remaining else { throw DecodeError(.invalid, offset: 0, "entry count \(n) exceeds section") }
            var prevName: UnsafeRawBufferPointer?
            var prevValue = UnsafeRawBufferPointer(start: nil, count: 0)
            var values: [String] = []
            var offsets: [Int] = []
            for _ in 0..<n {
                let at = r.position
                let keys = try r.readByte()
                guard keys == 2 else { throw DecodeError(.invalid, offset: at, "postings offset entry with \(keys) keys, want 2") }
                let nameLen = try r.readUVarint()
                guard nameLen <= UInt64(r.remaining) else { throw DecodeError(.truncated, offset: at) }
                let name = try r.readBytes(Int(nameLen))
                let valueLen = try r.readUVarint()
                guard valueLen <= UInt64(r.remaining) else { throw DecodeError(.truncated, offset: at) }
                let value = try r.readBytes(Int(valueLen))
                let off = try r.readUVarint()
                guard off < limit else { throw DecodeError(.invalid, offset: at, "postings offset \(off) past the end") }
                if name.isEmpty && value.isEmpty {
                    out.allPostings = Int(off)
                    continue
                }
                if let p = prevName, bytesEqual(p, name) {
                    guard bytesLess(prevValue, value) else { throw DecodeError(.invalid, offset: at, "values not sorted") }
                } else {
                    if let p = prevName {
                        guard bytesLess(p, name) else { throw DecodeError(.invalid, offset: at, "label names not sorted") }
                        out.values.append(values)
                        out.offsets.append(offsets)
                        values = []
                        offsets = []
                    }
                    guard let s = String(validating: name, as: UTF8.self) else {
                        throw DecodeError(.invalid, offset: at, "invalid UTF-8 in label name")
                    }
                    out.names.append(s)
                    prevName = name
                }
                guard let v = String(validating: value, as: UTF8.self) else {
                    throw DecodeError(.invalid, offset: at, "invalid UTF-8 in label value")
                }
                values.append(v)
                offsets.append(Int(off))
                prevValue = value
            }
            if prevName != nil {
                out.values.append(values)
                out.offsets.append(offsets)
            }
        } catch {
            throw DecodeError(error.kind, offset: range.lowerBound + error.offset, "postings offset table: \(error.detail)")
        }
        return out
    }

    @inline(__always)
    static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }

    /// Byte-order comparison (Go's `<` on strings).
    @inline(__always)
    static func bytesLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = Swift.min(a.count, b.count)
        var i = 0
        while i < n {
            let x = a[i], y = b[i]
            if x != y { return x < y }
            i += 1
        }
        return a.count < b.count
    }
}
