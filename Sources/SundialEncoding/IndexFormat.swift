/// Byte layout of the Prometheus TSDB block index, format v2 (`tsdb/docs/format/index.md`).
///
/// Pure codecs over caller-owned `[UInt8]`: the writer side appends, the reader side takes the
/// whole index file's bytes and an offset and throws ``DecodeError`` (with the offset) on any
/// truncated, out-of-bounds or checksum-failing input. Nothing here traps on bad bytes.
///
/// File order as Prometheus 2.42 writes it (checked against testdata/blocks/prom-2.42-small):
/// header (magic, version), symbol table, series (16-byte aligned), label indices, postings,
/// label offset table, postings offset table, TOC. Zero padding may sit between sections.
public enum IndexFormat {
    /// `magic(0xBAAAD700) <4b>` at offset 0 (index.md, first diagram).
    public static let magic: UInt32 = 0xBAAA_D700
    /// The format byte after the magic. Prometheus ≥ 2.0 writes 2 (`FormatV2`); the docs' picture
    /// still says 1, which was the pre-2.0 format with offset-based symbol references.
    public static let formatV2: UInt8 = 2
    /// Magic plus format byte.
    public static let headerSize = 5
    /// Six 8-byte section offsets plus a CRC32 (index.md, "TOC").
    public static let tocSize = 6 * 8 + 4
    /// Series entries start on multiples of 16 and are referenced by `offset / 16` (index.md, "Series").
    public static let seriesAlignment = 16
    /// Label index and postings sections are aligned to 4 bytes, as Prometheus does for faster scans.
    public static let postingsAlignment = 4

    // MARK: Sections

    /// Reserves the 4-byte `len` of a section at the end of `buf` and returns where it is, to be
    /// passed to ``endSection(_:start:)`` once the body is appended.
    @inlinable
    public static func beginSection(_ buf: inout [UInt8]) -> Int {
        let start = buf.count
        buf.appendBE32(0)
        return start
    }

    /// Back-patches `len` (bytes after the length field) and appends the CRC32C of the body.
    /// - Precondition: the body is at most 4 GiB.
    @inlinable
    public static func endSection(_ buf: inout [UInt8], start: Int) {
        let bodyStart = start + 4
        let len = buf.count - bodyStart
        precondition(len <= Int(UInt32.max), "index section larger than 4 GiB")
        buf.putBE32(UInt32(len), at: start)
        let crc = CRC32C.checksum(buf[bodyStart..<buf.count])
        buf.appendBE32(crc)
    }

    /// Appends zero bytes until `buf.count` is a multiple of `alignment`.
    @inlinable
    public static func pad(_ buf: inout [UInt8], to alignment: Int) {
        let r = buf.count % alignment
        if r != 0 { buf.append(contentsOf: repeatElement(0, count: alignment - r)) }
    }

    /// The body of the `len <4b> | body | CRC32 <4b>` section at `offset`, after checking bounds and CRC.
    /// - Returns: the byte range of the body inside `bytes`.
    public static func sectionBody(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(DecodeError) -> Range<Int> {
        guard offset >= 0, offset <= bytes.count - 4 else { throw DecodeError(.truncated, offset: offset, "section length") }
        let len = Int(readBE32(bytes, offset))
        let bodyStart = offset + 4
        guard len <= bytes.count - bodyStart - 4 else {
            throw DecodeError(.truncated, offset: offset, "section of \(len) bytes runs past the end of the file")
        }
        let body = bodyStart..<(bodyStart + len)
        let want = readBE32(bytes, body.upperBound)
        let got = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[body]))
        guard want == got else {
            throw DecodeError(.checksum, offset: offset, "section CRC32C stored \(hex(want)), computed \(hex(got))")
        }
        return body
    }

    /// ``sectionBody(_:at:)`` over a byte array.
    public static func sectionBody(_ bytes: [UInt8], at offset: Int) throws(DecodeError) -> Range<Int> {
        try withBytes(bytes) { raw throws(DecodeError) in try sectionBody(raw, at: offset) }
    }

    /// Big-endian u32 at `i`. - Precondition: `i + 4 <= bytes.count` (callers check bounds first).
    @inlinable
    public static func readBE32(_ bytes: [UInt8], _ i: Int) -> UInt32 {
        UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
    }

    /// Big-endian u32 at `i` of borrowed bytes. - Precondition: `i + 4 <= bytes.count` (callers check bounds first).
    @inlinable
    public static func readBE32(_ bytes: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    // MARK: Header

    /// Appends the 5-byte header.
    public static func appendHeader(_ buf: inout [UInt8]) {
        buf.appendBE32(magic)
        buf.append(formatV2)
    }

    /// Checks the header: magic and format 2. Format 1 (pre-2.0) is refused with a clear message.
    public static func validateHeader(_ bytes: [UInt8]) throws(DecodeError) {
        try withBytes(bytes) { raw throws(DecodeError) in try validateHeader(raw) }
    }

    /// ``validateHeader(_:)`` over borrowed bytes (a memory-mapped index).
    public static func validateHeader(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        guard bytes.count >= headerSize + tocSize else {
            throw DecodeError(.truncated, offset: 0, "index of \(bytes.count) bytes is smaller than header + TOC")
        }
        let m = readBE32(bytes, 0)
        guard m == magic else { throw DecodeError(.invalid, offset: 0, "index magic \(hex(m)), want \(hex(magic))") }
        guard bytes[4] == formatV2 else {
            throw DecodeError(.invalid, offset: 4, "index format \(bytes[4]) unsupported (only v2, Prometheus ≥ 2.0)")
        }
    }

    // MARK: Symbols

    /// Appends the symbol table: `len | #symbols <4b> | (uvarint len, bytes)… | CRC32`.
    /// - Precondition: `symbols` sorted in byte order, distinct (v2 references are list indices).
    public static func appendSymbolTable(_ buf: inout [UInt8], symbols: some Collection<String>) {
        let start = beginSection(&buf)
        buf.appendBE32(UInt32(symbols.count))
        for s in symbols { buf.appendUVarintString(s) }
        endSection(&buf, start: start)
    }

    /// Decodes the whole symbol table at `offset` (index order = symbol reference).
    public static func decodeSymbolTable(_ bytes: [UInt8], at offset: Int) throws(DecodeError) -> [String] {
        try withBytes(bytes) { raw throws(DecodeError) in try decodeSymbolTable(raw, at: offset) }
    }

    /// ``decodeSymbolTable(_:at:)`` over borrowed bytes (a memory-mapped index).
    public static func decodeSymbolTable(_ raw: UnsafeRawBufferPointer, at offset: Int) throws(DecodeError) -> [String] {
        let body = try sectionBody(raw, at: offset)
        do {
            var r = UnsafeByteReader(UnsafeRawBufferPointer(rebasing: raw[body]))
            let n = Int(try r.readBE32())
            // Each symbol takes at least one byte: a count beyond that is corrupt, not a reason to allocate.
            guard n <= r.remaining else { throw DecodeError(.invalid, offset: offset, "symbol count \(n) exceeds section size") }
            var out: [String] = []
            out.reserveCapacity(n)
            for _ in 0..<n {
                do throws(DecodeError) { out.append(try r.readUVarintString()) } catch {
                    throw DecodeError(error.kind, offset: body.lowerBound + error.offset, "symbol table: \(error.detail)")
                }
            }
            return out
        }
    }

    // MARK: TOC

    /// Appends the TOC (six BE u64 offsets + CRC32 over them).
    public static func appendTOC(_ buf: inout [UInt8], _ toc: IndexTOC) {
        let start = buf.count
        for v in [toc.symbols, toc.series, toc.labelIndices, toc.labelIndicesTable, toc.postings, toc.postingsTable] {
            buf.appendBE64(v)
        }
        buf.appendBE32(CRC32C.checksum(buf[start..<buf.count]))
    }

    /// Reads and checks the TOC in the last 52 bytes; every offset must lie inside the file.
    public static func decodeTOC(_ bytes: [UInt8]) throws(DecodeError) -> IndexTOC {
        try withBytes(bytes) { raw throws(DecodeError) in try decodeTOC(raw) }
    }

    /// ``decodeTOC(_:)`` over borrowed bytes (a memory-mapped index).
    public static func decodeTOC(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> IndexTOC {
        guard bytes.count >= headerSize + tocSize else { throw DecodeError(.truncated, offset: 0, "no room for a TOC") }
        let start = bytes.count - tocSize
        let want = readBE32(bytes, start + 48)
        let got = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<start + 48]))
        guard want == got else {
            throw DecodeError(.checksum, offset: start, "TOC CRC32C stored \(hex(want)), computed \(hex(got))")
        }
        var v: [UInt64] = []
        for i in 0..<6 {
            let o = start + 8 * i
            v.append(UInt64(readBE32(bytes, o)) << 32 | UInt64(readBE32(bytes, o + 4)))
            guard v[i] < UInt64(start) else {
                throw DecodeError(.invalid, offset: o, "TOC entry \(i) points to \(v[i]), past the TOC at \(start)")
            }
        }
        return IndexTOC(symbols: v[0], series: v[1], labelIndices: v[2], labelIndicesTable: v[3], postings: v[4], postingsTable: v[5])
    }
}

/// The index's table of contents: byte offsets of each section from the file start; 0 = absent.
public struct IndexTOC: Sendable, Hashable {
    public var symbols: UInt64
    public var series: UInt64
    public var labelIndices: UInt64
    public var labelIndicesTable: UInt64
    public var postings: UInt64
    public var postingsTable: UInt64
    public init(symbols: UInt64, series: UInt64, labelIndices: UInt64, labelIndicesTable: UInt64,
                postings: UInt64, postingsTable: UInt64) {
        self.symbols = symbols
        self.series = series
        self.labelIndices = labelIndices
        self.labelIndicesTable = labelIndicesTable
        self.postings = postings
        self.postingsTable = postingsTable
    }
}

/// `bytes.withUnsafeBytes` with a typed-throws body (the standard library's is `rethrows`, which
/// erases the error type).
@inlinable
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(DecodeError) -> R) throws(DecodeError) -> R {
    let result: Result<R, DecodeError> = bytes.withUnsafeBytes { raw in
        Result { () throws(DecodeError) -> R in try body(raw) }
    }
    return try result.get()
}
