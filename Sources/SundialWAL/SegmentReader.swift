import SundialEncoding

/// Why a segment could not be read past some point: the offset where the first unreadable
/// record (or padding) starts, and what was wrong. Everything before `offset` is intact.
struct SegmentCorruption: Error, Sendable {
    /// Byte offset in the segment of the first bad record; truncating there keeps every good record.
    var offset: Int
    /// What was wrong.
    var message: String
}

/// Reads the records of one segment's bytes (Prometheus `wlog.Reader.next`, docs/format/wal.md),
/// validating more strictly than Prometheus so that damage is caught early:
/// - padding (fragment type 0) must be all zero up to the page end (or the end of a short segment,
///   which counts as zero-padded, as Prometheus's `segmentBufReader` treats it);
/// - a fragment must fit in its page and in the data, its CRC32-C must match, its unused type bits
///   must be zero, and its type must follow the full | first middle* last grammar;
/// - all fragments of a record carry the same compression flag, and the record must decompress.
/// The data may end only at a record boundary.
struct SegmentReader {
    /// The segment's bytes.
    let data: [UInt8]
    /// Offset of the next byte to read.
    private(set) var offset = 0
    /// Offset of the first fragment of the record last returned.
    private(set) var recordStart = 0
    /// Compressed fragments of the record being assembled.
    private var scratch: [UInt8] = []

    /// The largest decompressed record accepted (guards against a corrupt length header): 1 GiB.
    static let maxRecordSize = 1 << 30

    init(data: [UInt8]) { self.data = data }

    /// Reads the next record into `record` (replacing its contents, keeping its capacity).
    /// - Returns: false at the clean end of the data.
    /// - Throws: ``SegmentCorruption`` locating the first unreadable record.
    mutating func next(into record: inout [UInt8]) throws(SegmentCorruption) -> Bool {
        let pageSize = WALFormat.pageSize, header = WALFormat.fragmentHeaderSize
        record.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        var fragments = 0
        var flags: UInt8 = 0
        // A compressed record in one fragment is decompressed straight from `data` (no copy
        // into `scratch`).
        var single: Range<Int>? = nil
        while true {
            if offset >= data.count {
                if fragments == 0 { return false }
                throw SegmentCorruption(offset: recordStart, message: "data ends inside a record after \(fragments) fragment(s)")
            }
            let hdr = data[offset]
            let typeBits = hdr & WALFormat.fragmentTypeMask
            let pageEnd = (offset / pageSize + 1) * pageSize
            if typeBits == WALFormat.FragmentType.pageTerm.rawValue {
                let end = min(pageEnd, data.count)
                var k = offset
                while k < end && data[k] == 0 { k += 1 }
                if k < end {
                    throw SegmentCorruption(
                        offset: fragments == 0 ? offset : recordStart,
                        message: "unexpected non-zero byte 0x\(String(data[k], radix: 16)) at offset \(k) in page padding")
                }
                offset = end
                continue
            }
            let start = offset
            if fragments == 0 { recordStart = start }
            func bad(_ message: String) -> SegmentCorruption {
                SegmentCorruption(offset: recordStart, message: message + " (fragment at offset \(start))")
            }
            guard hdr & ~(WALFormat.fragmentTypeMask | WALFormat.snappyMask | WALFormat.zstdMask) == 0 else {
                throw bad("unused bits set in fragment type byte 0x\(String(hdr, radix: 16))")
            }
            guard let type = WALFormat.FragmentType(rawValue: typeBits) else {
                throw bad("unknown fragment type \(typeBits)")
            }
            switch type {
            case .full, .first:
                if fragments != 0 { throw bad("unexpected \(type) fragment inside a record") }
            case .middle, .last:
                if fragments == 0 { throw bad("unexpected \(type) fragment at the start of a record") }
            case .pageTerm:
                break
            }
            let f = hdr & (WALFormat.snappyMask | WALFormat.zstdMask)
            if f == WALFormat.snappyMask | WALFormat.zstdMask { throw bad("both snappy and zstd flags set") }
            if fragments == 0 {
                flags = f
            } else if f != flags {
                throw bad("compression flags differ between fragments of one record")
            }
            guard start + header <= data.count else { throw bad("truncated fragment header") }
            let length = Int(data[start + 1]) << 8 | Int(data[start + 2])
            let crc = UInt32(data[start + 3]) << 24 | UInt32(data[start + 4]) << 16 | UInt32(data[start + 5]) << 8
                | UInt32(data[start + 6])
            let payloadEnd = start + header + length
            guard payloadEnd <= pageEnd else { throw bad("fragment length \(length) crosses the page boundary") }
            guard payloadEnd <= data.count else { throw bad("truncated fragment: length \(length), \(data.count - start - header) bytes left") }
            let payload = data[start + header..<payloadEnd]
            let actual = CRC32C.checksum(payload)
            guard actual == crc else {
                throw bad("checksum mismatch: stored 0x\(String(crc, radix: 16)), computed 0x\(String(actual, radix: 16))")
            }
            if flags == 0 {
                record.append(contentsOf: payload)
            } else if type == .full {
                single = start + header..<payloadEnd
            } else {
                scratch.append(contentsOf: payload)
            }
            offset = payloadEnd
            fragments += 1
            if type == .full || type == .last { break }
        }
        if flags == WALFormat.snappyMask {
            func inflate(_ raw: UnsafeRawBufferPointer, _ record: inout [UInt8]) -> Result<Void, DecodeError> {
                do throws(DecodeError) {
                    try Snappy.decompress(raw, into: &record, maxLength: SegmentReader.maxRecordSize)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            let result: Result<Void, DecodeError>
            if let single {
                result = data.withUnsafeBytes { inflate(UnsafeRawBufferPointer(rebasing: $0[single]), &record) }
            } else {
                result = scratch.withUnsafeBytes { inflate($0, &record) }
            }
            if case .failure(let error) = result {
                throw SegmentCorruption(offset: recordStart, message: "record does not decompress: \(error)")
            }
        } else if flags == WALFormat.zstdMask {
            if let single { scratch.append(contentsOf: data[single]) }
            let result: Result<[UInt8], DecodeError> = scratch.withUnsafeBytes { raw in
                do throws(DecodeError) {
                    return .success(try Zstd.decompress(raw, maxLength: SegmentReader.maxRecordSize))
                } catch {
                    return .failure(error)
                }
            }
            switch result {
            case .success(let bytes): record = bytes
            case .failure(let error):
                throw SegmentCorruption(offset: recordStart, message: "record does not decompress: \(error)")
            }
        }
        return true
    }
}
