import SundialCore
import SundialEncoding
import SundialFileIO

/// Read access to a block's chunk segment files `chunks/000001…` (`tsdb/docs/format/chunks.md`).
/// Immutable after ``init(directory:)``; safe to share between threads.
///
/// Segments are memory-mapped read-only (SundialFileIO `MappedFile`): opening costs no reads,
/// decoding reads straight from the mapping (zero-copy), and the mappings go away with the last
/// reference to the reader (the block). Every access is bounds- and CRC-checked.
public struct ChunkReader: Sendable {
    /// The `chunks` directory.
    public let directory: String
    /// Mapped segments by index (file `000001` is index 0, as in chunk refs).
    let segments: [MappedFile]

    /// Maps every segment file of `directory`, which must be numbered contiguously from 000001.
    /// - Throws: ``BlockError`` on a missing segment, bad header or I/O error.
    public init(directory: String) throws {
        self.directory = directory
        let names = BlockFiles.list(directory).filter { $0.utf8.count == 6 && $0.allSatisfy(\.isNumber) }.sorted()
        var segs: [MappedFile] = []
        for (i, name) in names.enumerated() {
            guard Int(name) == i + 1 else {
                throw BlockError(.corrupt, path: directory, "chunk segments not contiguous: expected \(ChunkReader.segmentName(i + 1)), found \(name)")
            }
            let path = "\(directory)/\(name)"
            let file: MappedFile
            do { file = try MappedFile(path: path) } catch { throw BlockError(.io, path: path, "map: \(error)") }
            do { try file.withBytes { raw throws(DecodeError) in try ChunkSegmentFormat.validateHeader(raw: raw) } } catch {
                throw BlockError.corrupt(path, error)
            }
            segs.append(file)
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

    func segment(_ ref: ChunkRef) throws -> MappedFile {
        // The ref's segment field is the 0-based index: file 000001 is segment 0.
        let index = Int(ref.segment)
        guard index < segments.count else {
            throw BlockError(.corrupt, path: directory, "chunk ref \(ref.rawValue) names segment index \(index) of \(segments.count)")
        }
        return segments[index]
    }

    /// A copy of the chunk's encoding and data bytes, after checking bounds and CRC.
    /// - Throws: ``BlockError`` `.corrupt` naming the segment and the offset.
    public func chunk(_ ref: ChunkRef) throws -> (encoding: UInt8, data: [UInt8]) {
        let seg = try segment(ref)
        do {
            return try seg.withBytes { raw throws(DecodeError) in
                let (enc, range) = try ChunkSegmentFormat.decodeChunk(raw: raw, at: Int(ref.offset))
                return (enc, [UInt8](raw[range]))
            }
        } catch { throw BlockError.corrupt(seg.path, error) }
    }

    /// Decodes the XOR chunk at `ref` straight from the mapping, appending its samples with
    /// `minTime <= t <= maxTime` (closed, ms) to `buffer`.
    /// - Throws: ``BlockError`` `.corrupt` naming the segment (bad record, CRC, encoding or chunk).
    public func decodeSamples(_ ref: ChunkRef, minTime: Int64, maxTime: Int64, into buffer: inout SampleBuffer) throws {
        let seg = try segment(ref)
        do {
            try seg.withBytes { raw throws(DecodeError) in
                try ChunkSegmentFormat.decodeXORChunk(raw: raw, at: Int(ref.offset), minTime: minTime, maxTime: maxTime,
                                                      timestamps: &buffer.timestamps, values: &buffer.values)
            }
        } catch { throw BlockError.corrupt("\(seg.path) (chunk ref \(ref.rawValue))", error) }
    }
}
