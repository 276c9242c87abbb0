import SundialFileIO

/// Listing of a WAL directory's segments and checkpoints (Prometheus `wlog.Segments`,
/// `listSegments`, `LastCheckpoint`). Stateless; thread-safe.
enum WALDirectory {
    /// Segment indexes present in `directory`, ascending. Names that are not all digits are ignored.
    /// - Throws: ``WALError`` (`.invalidDirectory`) if the indexes are not consecutive.
    static func segmentIndexes(_ directory: String) throws -> [Int] {
        let names: [String]
        do {
            names = try FileSystem.listDirectory(directory)
        } catch {
            throw WALError(.io, directory: directory, "cannot list the WAL directory", cause: error)
        }
        var indexes = names.compactMap { WALFormat.segmentIndex(ofName: $0) }.filter { !FileSystem.isDirectory(directory + "/" + WALFormat.segmentName($0)) }
        indexes.sort()
        for i in indexes.indices.dropFirst() where indexes[i] != indexes[i - 1] + 1 {
            throw WALError(
                .invalidDirectory, directory: directory,
                "segments are not consecutive: \(WALFormat.segmentName(indexes[i - 1])) is followed by \(WALFormat.segmentName(indexes[i]))")
        }
        return indexes
    }

    /// The range of segment indexes, or nil if there are none.
    static func segmentRange(_ directory: String) throws -> ClosedRange<Int>? {
        let idx = try segmentIndexes(directory)
        guard let first = idx.first, let last = idx.last else { return nil }
        return first...last
    }

    /// Checkpoint directories (`checkpoint.NNNNNNNN`, not `.tmp`), ascending by index.
    static func checkpoints(_ directory: String) throws -> [(index: Int, name: String)] {
        let names: [String]
        do {
            names = try FileSystem.listDirectory(directory)
        } catch {
            throw WALError(.io, directory: directory, "cannot list the WAL directory", cause: error)
        }
        var out: [(index: Int, name: String)] = []
        for n in names {
            guard let i = WALFormat.checkpointIndex(ofName: n) else { continue }
            guard FileSystem.isDirectory(directory + "/" + n) else {
                throw WALError(.invalidDirectory, directory: directory, "checkpoint \(n) is not a directory")
            }
            out.append((i, n))
        }
        out.sort { $0.index < $1.index }
        return out
    }

    /// The newest checkpoint, or nil.
    static func lastCheckpoint(_ directory: String) throws -> (index: Int, path: String)? {
        try checkpoints(directory).last.map { ($0.index, directory + "/" + $0.name) }
    }

    /// Removes `checkpoint.*.tmp` leftovers of an interrupted checkpoint.
    static func removeTemporaryCheckpoints(_ directory: String, log: (String) -> Void) throws {
        let names = (try? FileSystem.listDirectory(directory)) ?? []
        for n in names where n.hasPrefix(WALFormat.checkpointPrefix) && n.hasSuffix(WALFormat.temporarySuffix) {
            log("removing unfinished checkpoint \(directory)/\(n)")
            do {
                try FileSystem.removeTree(directory + "/" + n)
            } catch {
                throw WALError(.io, directory: directory, "cannot remove unfinished checkpoint \(n)", cause: error)
            }
        }
    }

    /// Reads a whole segment file.
    static func readSegment(_ directory: String, _ index: Int) throws -> [UInt8] {
        let path = directory + "/" + WALFormat.segmentName(index)
        do {
            let f = try DiskFile(path: path, mode: .read)
            defer { try? f.close() }
            return try f.readAll()
        } catch {
            throw WALError(.io, directory: directory, segment: index, "cannot read segment", cause: error)
        }
    }
}
