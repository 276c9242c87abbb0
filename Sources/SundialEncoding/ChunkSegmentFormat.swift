/// Byte layout of a block's chunk segment files `chunks/000001…` (`tsdb/docs/format/chunks.md`):
///
/// ```
/// magic(0x85BD40DD) <4b> | version(1) <1b> | padding(0) <3b> | chunk… 
/// chunk = len <uvarint> | encoding <1b> | data <len bytes> | CRC32C <4b> (over encoding and data)
/// ```
/// A chunk reference is `(segment index << 32) | offset of the chunk's len field`, where file
/// `000001` has index 0 (Prometheus `BlockChunkRef`; verified on a 2.42 block).
public enum ChunkSegmentFormat {
    /// Segment file magic (chunks.md).
    public static let magic: UInt32 = 0x85BD_40DD
    /// Segment format version written and accepted.
    public static let version: UInt8 = 1
    /// Magic, version and 3 bytes of padding.
    public static let headerSize = 8
    /// Prometheus's `DefaultChunkSegmentSize`: a writer starts a new file before exceeding it.
    public static let maxSegmentSize = 512 * 1024 * 1024
    /// Encoding byte of float XOR chunks (`tsdb/chunkenc/chunk.go` `EncXOR`).
    public static let encodingXOR: UInt8 = 1

    /// Appends the 8-byte segment header.
    public static func appendHeader(_ buf: inout [UInt8]) {
        buf.appendBE32(magic)
        buf.append(version)
        buf.append(contentsOf: [0, 0, 0])
    }

    /// Checks magic and version of a segment file's bytes.
    public static func validateHeader(_ bytes: [UInt8]) throws(DecodeError) {
        guard bytes.count >= headerSize else { throw DecodeError(.truncated, offset: 0, "chunk segment shorter than its header") }
        let m = IndexFormat.readBE32(bytes, 0)
        guard m == magic else { throw DecodeError(.invalid, offset: 0, "chunk segment magic \(IndexFormat.hex(m)), want \(IndexFormat.hex(magic))") }
        guard bytes[4] == version else { throw DecodeError(.invalid, offset: 4, "chunk segment version \(bytes[4]), want \(version)") }
    }

    /// Bytes ``appendChunk(_:encoding:data:)`` will append for `dataCount` data bytes.
    @inlinable public static func encodedSize(dataCount: Int) -> Int {
        uvarintSize(UInt64(dataCount)) + 1 + dataCount + 4
    }

    /// Appends one chunk record.
    public static func appendChunk(_ buf: inout [UInt8], encoding: UInt8, data: [UInt8]) {
        buf.appendUVarint(UInt64(data.count))
        let crcStart = buf.count
        buf.append(encoding)
        buf.append(contentsOf: data)
        buf.appendBE32(CRC32C.checksum(buf[crcStart..<buf.count]))
    }

    /// Locates the chunk record at `offset`: its encoding byte and the byte range of its data.
    /// - Parameter verifyChecksum: check the CRC32C (Prometheus's reader skips it; ours can afford it).
    public static func decodeChunk(_ bytes: [UInt8], at offset: Int, verifyChecksum: Bool = true)
        throws(DecodeError) -> (encoding: UInt8, data: Range<Int>) {
        guard offset >= headerSize, offset < bytes.count else {
            throw DecodeError(.truncated, offset: offset, "chunk offset outside the segment of \(bytes.count) bytes")
        }
        let (len, start) = try withBytes(bytes) { raw throws(DecodeError) -> (UInt64, Int) in
            var r = UnsafeByteReader(raw, position: offset)
            let n = try r.readUVarint()
            return (n, r.position)
        }
        guard len <= UInt64(bytes.count - start), bytes.count - start - Int(len) >= 5 else {
            throw DecodeError(.truncated, offset: offset, "chunk of \(len) bytes runs past the end of the segment")
        }
        let dataEnd = start + 1 + Int(len)
        if verifyChecksum {
            let want = IndexFormat.readBE32(bytes, dataEnd)
            let got = CRC32C.checksum(bytes[start..<dataEnd])
            guard want == got else {
                throw DecodeError(.checksum, offset: offset, "chunk CRC32C stored \(IndexFormat.hex(want)), computed \(IndexFormat.hex(got))")
            }
        }
        return (bytes[start], (start + 1)..<dataEnd)
    }
}

/// Byte layout of a block's `tombstones` file (`tsdb/docs/format/tombstones.md`):
/// `magic(0x0130BA30) <4b> | version(1) <1b> | (series ref <uvarint64>, mint <varint64>, maxt <varint64>)… | CRC32 <4b>`,
/// the CRC covering the entries only (an empty file ends in CRC 0, as Prometheus writes it).
public enum TombstonesFormat {
    public static let magic: UInt32 = 0x0130_BA30
    public static let version: UInt8 = 1

    /// One deleted interval of one series: `[minTime, maxTime]`, closed, ms.
    public struct Entry: Sendable, Hashable {
        public var seriesRef: UInt64
        public var minTime: Int64
        public var maxTime: Int64
        public init(seriesRef: UInt64, minTime: Int64, maxTime: Int64) {
            self.seriesRef = seriesRef
            self.minTime = minTime
            self.maxTime = maxTime
        }
    }

    /// The whole file's bytes for `entries` (written in the given order; Prometheus sorts by ref).
    public static func encode(_ entries: [Entry]) -> [UInt8] {
        var buf: [UInt8] = []
        buf.appendBE32(magic)
        buf.append(version)
        for e in entries {
            buf.appendUVarint(e.seriesRef)
            buf.appendVarint(e.minTime)
            buf.appendVarint(e.maxTime)
        }
        buf.appendBE32(CRC32C.checksum(buf[5..<buf.count]))
        return buf
    }

    /// Decodes a tombstones file, checking magic, version and CRC.
    public static func decode(_ bytes: [UInt8]) throws(DecodeError) -> [Entry] {
        guard bytes.count >= 9 else { throw DecodeError(.truncated, offset: 0, "tombstones file of \(bytes.count) bytes") }
        let m = IndexFormat.readBE32(bytes, 0)
        guard m == magic else { throw DecodeError(.invalid, offset: 0, "tombstones magic \(IndexFormat.hex(m))") }
        guard bytes[4] == version else { throw DecodeError(.invalid, offset: 4, "tombstones version \(bytes[4])") }
        let end = bytes.count - 4
        let want = IndexFormat.readBE32(bytes, end)
        let got = CRC32C.checksum(bytes[5..<end])
        guard want == got else { throw DecodeError(.checksum, offset: end, "tombstones CRC32C mismatch") }
        return try withBytes(bytes) { raw throws(DecodeError) -> [Entry] in
            var r = UnsafeByteReader(UnsafeRawBufferPointer(rebasing: raw[0..<end]), position: 5)
            var out: [Entry] = []
            while !r.isAtEnd {
                let ref = try r.readUVarint()
                let mint = try r.readVarint()
                let maxt = try r.readVarint()
                out.append(Entry(seriesRef: ref, minTime: mint, maxTime: maxt))
            }
            return out
        }
    }
}

extension ChunkSegmentFormat {
    /// Decodes the XOR chunk whose data occupies `range` of a segment's bytes, appending samples
    /// with `minTime <= t <= maxTime` (closed) to the columns, without copying the chunk.
    /// - Throws: ``DecodeError`` for a corrupt chunk or a range outside `segment`.
    @inlinable
    public static func decodeXOR(_ segment: [UInt8], range: Range<Int>, minTime: Int64, maxTime: Int64,
                                 timestamps: inout [Int64], values: inout [Double]) throws(DecodeError) {
        guard range.lowerBound >= 0, range.upperBound <= segment.count else {
            throw DecodeError(.truncated, offset: range.lowerBound, "chunk range outside the segment")
        }
        try withBytes(segment) { raw throws(DecodeError) in
            try XORChunk.decode(UnsafeRawBufferPointer(rebasing: raw[range]), minTime: minTime, maxTime: maxTime,
                                timestamps: &timestamps, values: &values)
        }
    }
}
