import SundialEncoding
import SundialFileIO

/// Writes records into numbered segment files as pages of fragments (Prometheus `wlog.WL.log`,
/// docs/format/wal.md). Not thread-safe: the ``WAL`` calls it under its lock; a checkpoint owns one.
///
/// Page handling follows Prometheus exactly, so the bytes are what 2.42 expects: a record is
/// compressed first (kept uncompressed if that is not smaller); if it does not fit in the space
/// left in the segment, the segment is finished and the next one started; the record is then
/// split into fragments filling pages; a page with fewer than 7 bytes left is zero-padded and
/// written; after the last record of a batch the partially filled page is written (not padded).
final class SegmentWriter {
    /// The directory holding the segments.
    let directory: String
    /// Bytes per segment (a multiple of the page size).
    let segmentSize: Int
    /// Record compression.
    let compression: WALCompression
    /// The index of the segment being written.
    private(set) var index: Int
    /// The segment being written.
    private(set) var file: DiskFile
    /// Segments finished since the last ``takeFinished()``: written completely but not yet
    /// fsynced or closed. Their owner syncs and closes them.
    private var finished: [DiskFile] = []

    /// Pages of the current segment already written in full.
    private var donePages = 0
    /// The page being filled (always `pageSize` bytes; bytes past `alloc` are zero).
    private var page: [UInt8]
    /// Bytes of `page` in use.
    private var alloc = 0
    /// Bytes of `page` already written to the file.
    private var flushed = 0
    /// Reused compression output.
    private var compressed: [UInt8] = []

    /// Creates segment `index` in `directory` (which must exist) and fsyncs the directory.
    init(directory: String, segmentSize: Int, compression: WALCompression, index: Int) throws {
        precondition(segmentSize > 0 && segmentSize % WALFormat.pageSize == 0, "segment size must be a positive multiple of 32 KiB")
        self.directory = directory
        self.segmentSize = segmentSize
        self.compression = compression
        self.index = index
        self.page = [UInt8](repeating: 0, count: WALFormat.pageSize)
        self.file = try SegmentWriter.createSegment(directory: directory, index: index)
    }

    private static func createSegment(directory: String, index: Int) throws -> DiskFile {
        let f = try DiskFile(path: directory + "/" + WALFormat.segmentName(index), mode: .createNew)
        try FileSystem.syncDirectory(directory)
        return f
    }

    /// Byte offset in the current segment where the next fragment goes.
    var offset: Int { donePages * WALFormat.pageSize + alloc }

    private var pagesPerSegment: Int { segmentSize / WALFormat.pageSize }
    private var pageFull: Bool { WALFormat.pageSize - alloc < WALFormat.fragmentHeaderSize }

    /// Hands over the finished segments (to be fsynced and closed by the caller).
    func takeFinished() -> [DiskFile] {
        defer { finished.removeAll() }
        return finished
    }

    /// Writes one record. With `final`, the partially filled page is written to the file after it,
    /// so the record is in the OS once this returns.
    func log(_ record: [UInt8], final: Bool) throws {
        if pageFull { try flushPage(clear: true) }
        var flags: UInt8 = 0
        var useCompressed = false
        if !record.isEmpty {
            switch compression {
            case .none:
                break
            case .snappy:
                record.withUnsafeBytes { Snappy.compress($0, into: &compressed) }
                if compressed.count < record.count {
                    useCompressed = true
                    flags = WALFormat.snappyMask
                }
            case .zstd:
                compressed = record.withUnsafeBytes { Zstd.compress($0) }
                if !compressed.isEmpty && compressed.count < record.count {
                    useCompressed = true
                    flags = WALFormat.zstdMask
                }
            }
        }
        if useCompressed {
            try writeFragments(compressed, flags: flags)
        } else {
            try writeFragments(record, flags: 0)
        }
        if final && alloc > flushed { try flushPage(clear: false) }
    }

    private func writeFragments(_ payload: [UInt8], flags: UInt8) throws {
        let pageSize = WALFormat.pageSize, header = WALFormat.fragmentHeaderSize
        // Free payload space in the active page plus in the segment's remaining pages; a record
        // never crosses a segment boundary (wlog.go `log`).
        let left = (pageSize - alloc - header) + (pageSize - header) * (pagesPerSegment - donePages - 1)
        if payload.count > left { try cut() }
        var start = 0
        var i = 0
        // One pass at least, so an empty record is written as an empty full fragment.
        while i == 0 || start < payload.count {
            let l = min(payload.count - start, pageSize - alloc - header)
            let type: WALFormat.FragmentType
            if i == 0 && l == payload.count {
                type = .full
            } else if start + l == payload.count {
                type = .last
            } else if i == 0 {
                type = .first
            } else {
                type = .middle
            }
            let part = payload[start..<start + l]
            let crc = CRC32C.checksum(part)
            page[alloc] = type.rawValue | flags
            page[alloc + 1] = UInt8(truncatingIfNeeded: l >> 8)
            page[alloc + 2] = UInt8(truncatingIfNeeded: l)
            page[alloc + 3] = UInt8(truncatingIfNeeded: crc >> 24)
            page[alloc + 4] = UInt8(truncatingIfNeeded: crc >> 16)
            page[alloc + 5] = UInt8(truncatingIfNeeded: crc >> 8)
            page[alloc + 6] = UInt8(truncatingIfNeeded: crc)
            page.replaceSubrange(alloc + header..<alloc + header + l, with: part)
            alloc += header + l
            if pageFull { try flushPage(clear: true) }
            start += l
            i += 1
        }
    }

    /// Writes the unwritten part of the page; with `clear`, pads it to the full page, writes that
    /// and starts a new page.
    private func flushPage(clear: Bool) throws {
        let used = alloc
        if clear { alloc = WALFormat.pageSize }
        if alloc > flushed {
            try file.write(page[flushed..<alloc], at: donePages * WALFormat.pageSize + flushed)
            flushed = alloc
        }
        if clear {
            for k in 0..<used { page[k] = 0 }
            alloc = 0
            flushed = 0
            donePages += 1
        }
    }

    /// Finishes the current segment (padding its last page) and starts the next one.
    /// - Returns: the new segment's index.
    @discardableResult
    func cut() throws -> Int {
        if alloc > 0 { try flushPage(clear: true) }
        let next = try SegmentWriter.createSegment(directory: directory, index: index + 1)
        finished.append(file)
        file = next
        index += 1
        donePages = 0
        return index
    }

    /// Pads and writes the last partial page (as Prometheus does on close). Does not sync or
    /// close the file; the writer must not be used for logging afterwards.
    func finish() throws {
        if alloc > 0 { try flushPage(clear: true) }
    }
}
