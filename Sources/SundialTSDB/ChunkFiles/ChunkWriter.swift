import SundialCore
import SundialEncoding

/// Writes chunk segment files `000001…` into a directory (`tsdb/docs/format/chunks.md`), cutting a
/// new segment before one would exceed ``ChunkSegmentFormat/maxSegmentSize``. Not thread-safe:
/// one writer per block being written.
public final class ChunkWriter {
    public let directory: String
    let maxSegmentSize: Int
    private var file: BlockFiles.Writer?
    private var seq = 0
    /// Bytes written to the current segment (header included).
    private var segmentSize = 0
    /// Pending bytes not yet handed to the file; flushed every ``flushThreshold`` bytes.
    private var buffer: [UInt8] = []
    /// Large enough to amortise write(2), small enough to keep compaction memory flat.
    static let flushThreshold = 4 << 20

    /// Total bytes written over all segments.
    public private(set) var bytesWritten = 0

    /// - Parameter maxSegmentSize: segment cut size in bytes (tests use small ones).
    public init(directory: String, maxSegmentSize: Int = ChunkSegmentFormat.maxSegmentSize) throws {
        self.directory = directory
        self.maxSegmentSize = maxSegmentSize
        try BlockFiles.makeDirectory(directory)
        buffer.reserveCapacity(ChunkWriter.flushThreshold + 4096)
    }

    /// Appends one chunk and returns its reference (`segment index << 32 | offset`, file 000001 = index 0).
    /// - Throws: ``BlockError`` on I/O errors or a chunk larger than a segment.
    public func write(encoding: UInt8, data: [UInt8]) throws -> ChunkRef {
        let size = ChunkSegmentFormat.encodedSize(dataCount: data.count)
        guard size + ChunkSegmentFormat.headerSize <= maxSegmentSize else {
            throw BlockError(.invalidInput, path: directory, "chunk of \(data.count) bytes exceeds the segment size")
        }
        if file == nil || segmentSize + size > maxSegmentSize { try cut() }
        // Refs carry the 0-based segment index (file 000001 is 0), as Prometheus's `BlockChunkRef`.
        let ref = ChunkRef(segment: UInt32(seq - 1), offset: UInt32(segmentSize))
        ChunkSegmentFormat.appendChunk(&buffer, encoding: encoding, data: data)
        segmentSize += size
        bytesWritten += size
        if buffer.count >= ChunkWriter.flushThreshold { try flush() }
        return ref
    }

    private func flush() throws {
        guard let f = file, !buffer.isEmpty else { return }
        try f.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private func cut() throws {
        try flush()
        if let f = file { try f.syncAndClose() }
        seq += 1
        let f = try BlockFiles.Writer("\(directory)/\(ChunkReader.segmentName(seq))")
        file = f
        ChunkSegmentFormat.appendHeader(&buffer)
        segmentSize = ChunkSegmentFormat.headerSize
        bytesWritten += ChunkSegmentFormat.headerSize
    }

    /// Flushes, fsyncs and closes the current segment. A block with no chunks gets no segment,
    /// as Prometheus does.
    public func close() throws {
        try flush()
        if let f = file { try f.syncAndClose() }
        file = nil
    }
}
