import SundialCore
import SundialEncoding

/// Read access to a block's chunk segment files `chunks/000001…` (`tsdb/docs/format/chunks.md`).
/// Immutable after ``init(directory:)``; safe to share between threads.
///
/// Segments are read whole into memory when the block opens (the mmapped variant will replace
/// this once SundialFileIO provides read-only mappings); lookups copy nothing until the caller
/// decodes a chunk.
public struct ChunkReader: Sendable {
    /// The `chunks` directory.
    public let directory: String
    /// Segment bytes by index (file `000001` is index 0, as in chunk refs).
    let segments: [[UInt8]]

    /// Opens every segment file of `directory`, which must be numbered contiguously from 000001.
    /// - Throws: ``BlockError`` on a missing segment, bad header or I/O error.
    public init(directory: String) throws {
        self.directory = directory
        let names = BlockFiles.list(directory).filter { $0.utf8.count == 6 && $0.allSatisfy(\.isNumber) }.sorted()
        var segs: [[UInt8]] = []
        for (i, name) in names.enumerated() {
            guard Int(name) == i + 1 else {
                throw BlockError(.corrupt, path: directory, "chunk segments not contiguous: expected \(ChunkReader.segmentName(i + 1)), found \(name)")
            }
            let path = "\(directory)/\(name)"
            let b = try BlockFiles.read(path)
            do { try ChunkSegmentFormat.validateHeader(b) } catch { throw BlockError.corrupt(path, error) }
            segs.append(b)
        }
        segments = segs
    }

    /// `000001` for 1.
    public static func segmentName(_ seq: Int) -> String {
        let s = String(seq)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    /// Total bytes of all segments.
    public var size: Int { segments.reduce(0) { $0 + $1.count } }

    /// Calls `body(encoding, segmentBytes, dataRange)` for the chunk at `ref` after checking its
    /// bounds and CRC. The bytes are borrowed for the duration of the call.
    /// - Throws: ``BlockError`` `.corrupt` naming the segment and the offset.
    public func withChunk<R>(_ ref: ChunkRef, _ body: (UInt8, [UInt8], Range<Int>) throws -> R) throws -> R {
        // The ref's segment field is the 0-based index: file 000001 is segment 0.
        let index = Int(ref.segment)
        guard index < segments.count else {
            throw BlockError(.corrupt, path: directory, "chunk ref \(ref.rawValue) names segment index \(index) of \(segments.count)")
        }
        let seg = segments[index]
        let located: (encoding: UInt8, data: Range<Int>)
        do { located = try ChunkSegmentFormat.decodeChunk(seg, at: Int(ref.offset)) } catch {
            throw BlockError.corrupt("\(directory)/\(ChunkReader.segmentName(index + 1))", error)
        }
        return try body(located.encoding, seg, located.data)
    }

    /// A copy of the chunk's encoding and data bytes.
    public func chunk(_ ref: ChunkRef) throws -> (encoding: UInt8, data: [UInt8]) {
        try withChunk(ref) { enc, seg, range in (enc, Array(seg[range])) }
    }
}
