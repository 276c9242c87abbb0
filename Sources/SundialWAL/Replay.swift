import SundialEncoding
import SundialFileIO

/// What a replay read and repaired.
public struct ReplayStats: Sendable {
    /// Index of the checkpoint read first, if any.
    public var checkpoint: Int?
    /// Segments read after the checkpoint (closed range), if any.
    public var segments: ClosedRange<Int>?
    /// Records handed to the handler.
    public var records = 0
    /// Records of types Sundial does not decode (reported as ``WALRecord/unsupported(type:bytes:)``).
    public var unsupportedRecords = 0
    /// The corruption found and repaired, if any: the log was truncated at its segment and offset
    /// and every later segment removed. Nil in read-only replays (see ``damage``).
    public var repaired: WALError?
    /// The corruption that ended the replay, if any (repaired or not).
    public var damage: WALError?
    /// Segments removed by the repair (or, read-only, not read because of the damage).
    public var removedSegments: [Int] = []

    /// Zeroed statistics.
    public init() {}
}

/// Replays the WAL in `directory` and decodes each record (see ``replayRecords(directory:log:handler:)``
/// for the reading and repair rules). A record whose bytes pass the checksum but do not decode, or
/// whose type byte no Prometheus version writes (above 14), is treated as corruption at that record;
/// known types Sundial does not decode (5, 7–14) are handed over as ``WALRecord/unsupported(type:bytes:)``.
/// - Parameter handler: receives each record in log order; the arrays are reused between calls.
/// - Throws: what `handler` throws, or ``WALError`` for I/O failures and damage that cannot be
///   repaired (a corrupt checkpoint).
@discardableResult
public func replay(
    directory: String, repair: Bool = true, log: (String) -> Void = { _ in }, handler: (WALRecord) throws -> Void
) throws -> ReplayStats {
    var buffers = RecordDecoder.DecodeBuffers()
    return try replayRecords(directory: directory, repair: repair, log: log) { raw in
        try decodeAndDeliver(raw, &buffers, handler)
    }
}

/// Replays the WAL in `directory` as ``replay(directory:repair:log:handler:)`` does, except that
/// samples records go to `samples` as a ``SamplesRecord`` read in place (validated first, so a
/// record that does not decode is treated as damage before any of its samples is handed over)
/// instead of being decoded into a `[RefSample]`. Every other record goes to `handler`; the order
/// of all records is the log's order.
/// - Parameter samples: receives each samples record; its bytes are the replayer's reused buffer
///   (keeping the value past the call is correct but makes the next record allocate).
/// - Throws: what the closures throw, or ``WALError`` (see ``replayRecords(directory:repair:log:handler:)``).
@discardableResult
public func replay(
    directory: String, repair: Bool = true, log: (String) -> Void = { _ in },
    samples: (SamplesRecord) throws -> Void, handler: (WALRecord) throws -> Void
) throws -> ReplayStats {
    var buffers = RecordDecoder.DecodeBuffers()
    return try replayRecords(directory: directory, repair: repair, log: log) { raw in
        if raw.first == RecordType.samples.rawValue {
            let record: SamplesRecord
            do throws(DecodeError) {
                record = try SamplesRecord(validating: raw)
            } catch {
                throw RecordUndecodable(error: error)
            }
            try samples(record)
        } else {
            try decodeAndDeliver(raw, &buffers, handler)
        }
    }
}

/// Decodes one raw record with `buffers` and hands it to `handler` (the typed-record replay rules).
private func decodeAndDeliver(
    _ raw: [UInt8], _ buffers: inout RecordDecoder.DecodeBuffers, _ handler: (WALRecord) throws -> Void
) throws {
    let record: WALRecord
    do throws(DecodeError) {
        record = try RecordDecoder.decode(raw, buffers: &buffers)
    } catch {
        throw RecordUndecodable(error: error)
    }
    // No Prometheus version writes a type above `highestKnownRecordType`. Such a byte is what a
    // record looks like when the snappy flag of its fragment header (not covered by the CRC) is
    // flipped off: the payload then starts with snappy's length varint, always ≥ 15 or ≥ 0x80
    // because snappy output is kept only when shorter. Treat it as damage, not as data.
    if case .unsupported(let type, _) = record, type > highestKnownRecordType {
        throw RecordUndecodable(error: DecodeError(.invalid, offset: 0, "record type \(type) is written by no Prometheus version (damaged fragment header?)"))
    }
    // `record` shares its array with `buffers`; once the handler returns and `record` is gone,
    // the next decode refills the same storage (unless the handler kept a copy).
    try handler(record)
}

/// The highest record type any Prometheus version writes (3.x: 14, `MinValidTime`). Types between
/// Sundial's and this one are reported as unsupported; higher ones are damage.
let highestKnownRecordType: UInt8 = 14

/// Thrown by a raw-record handler to say "this record's content is corrupt": replay then treats
/// it like a checksum failure at that record (truncates there).
public struct RecordUndecodable: Error, Sendable {
    /// Why the record did not decode.
    public var error: DecodeError
    /// Wraps the decoding failure.
    public init(error: DecodeError) { self.error = error }
}

/// Replays the raw records of the WAL in `directory`: the newest checkpoint first (all its
/// segments), then the segments after it (or all segments if there is no checkpoint), in order.
///
/// Repair (Prometheus `wlog.Repair`, made stricter by ``SegmentReader``): the first damaged record
/// in a segment — torn write, bad CRC, bad length, garbage or bit flips — ends the replay. The
/// segment is truncated at that record's offset and zero-padded to its page end, every later
/// segment is removed, the directory fsynced, and `log` receives a line naming the segment file
/// and offset. Every record before the damage has been handed to `handler`; nothing after it is.
/// A handler throwing ``RecordUndecodable`` marks the current record as damaged.
///
/// Damage inside the checkpoint is not repaired (the head would lose series silently): it throws.
/// A missing directory replays nothing. Leftover `checkpoint.*.tmp` directories are removed.
///
/// With `repair: false` nothing on disk is changed (no truncation, no removal): use it to read a
/// directory a running WAL may be writing (a dump tool), where a batch being written looks torn.
/// The damage is then only reported in ``ReplayStats/damage``.
/// - Parameter handler: receives each record's bytes (type byte first); the array is reused.
/// - Throws: what `handler` throws (other than ``RecordUndecodable``), or ``WALError``.
@discardableResult
public func replayRecords(
    directory: String, repair: Bool = true, log: (String) -> Void = { _ in }, handler: ([UInt8]) throws -> Void
) throws -> ReplayStats {
    var stats = ReplayStats()
    guard FileSystem.isDirectory(directory) else { return stats }
    if repair { try WALDirectory.removeTemporaryCheckpoints(directory, log: log) }
    var record: [UInt8] = []

    var startSegment: Int? = nil
    if let (cpIndex, cpPath) = try WALDirectory.lastCheckpoint(directory) {
        stats.checkpoint = cpIndex
        startSegment = cpIndex + 1
        for seg in try WALDirectory.segmentIndexes(cpPath) {
            var reader = SegmentReader(data: try WALDirectory.readSegment(cpPath, seg))
            do {
                while try reader.next(into: &record) {
                    try deliver(record, &stats, handler)
                }
            } catch let c as SegmentCorruption {
                throw WALError(.corruption, directory: cpPath, segment: seg, offset: c.offset, "checkpoint is damaged and cannot be repaired: \(c.message)")
            } catch let u as RecordUndecodable {
                throw WALError(.corruption, directory: cpPath, segment: seg, offset: reader.recordStart, "checkpoint record does not decode: \(u.error)")
            }
        }
    }

    var indexes = try WALDirectory.segmentIndexes(directory)
    if let start = startSegment {
        if let first = indexes.first, first > start {
            log("WAL segments start at \(WALFormat.segmentName(first)) but checkpoint.\(WALFormat.segmentName(start - 1)) ends before \(WALFormat.segmentName(start)); records in between are missing")
        }
        indexes = indexes.filter { $0 >= start }
    }
    guard let firstIndex = indexes.first, let lastIndex = indexes.last else { return stats }
    stats.segments = firstIndex...lastIndex

    for seg in indexes {
        var reader = SegmentReader(data: try WALDirectory.readSegment(directory, seg))
        var damage: (offset: Int, message: String)? = nil
        do {
            while try reader.next(into: &record) {
                try deliver(record, &stats, handler)
            }
        } catch let c as SegmentCorruption {
            damage = (c.offset, c.message)
        } catch let u as RecordUndecodable {
            damage = (reader.recordStart, "record does not decode: \(u.error)")
        }
        if let damage {
            let error = WALError(.corruption, directory: directory, segment: seg, offset: damage.offset, damage.message)
            stats.damage = error
            stats.removedSegments = indexes.filter { $0 > seg }
            stats.segments = firstIndex...seg
            guard repair else {
                log("\(error); stopping the read-only replay there (\(stats.removedSegments.count) later segment(s) not read)")
                break
            }
            stats.repaired = error
            log("\(error); truncating segment \(directory)/\(WALFormat.segmentName(seg)) at offset \(damage.offset)"
                + (stats.removedSegments.isEmpty ? "" : " and removing \(stats.removedSegments.count) later segment(s)"))
            try repairSegment(directory: directory, segment: seg, offset: damage.offset, later: stats.removedSegments)
            break
        }
    }
    return stats
}

private func deliver(_ record: [UInt8], _ stats: inout ReplayStats, _ handler: ([UInt8]) throws -> Void) throws {
    if record.isEmpty { return }  // an empty record carries nothing (Prometheus can write one)
    if RecordDecoder.type(of: record) == nil
        || record[0] == RecordType.mmapMarkers.rawValue || record[0] == RecordType.histogramSamples.rawValue
        || record[0] == RecordType.floatHistogramSamples.rawValue
    {
        stats.unsupportedRecords += 1
    }
    stats.records += 1
    try handler(record)
}

/// Truncates segment `segment` at `offset`, zero-pads it to the end of that page (so the segment
/// stays page-aligned, as Prometheus's repair leaves it), fsyncs it, removes the `later` segments
/// and fsyncs the directory.
private func repairSegment(directory: String, segment: Int, offset: Int, later: [Int]) throws {
    do {
        for s in later.reversed() { try FileSystem.remove(directory + "/" + WALFormat.segmentName(s)) }
        let f = try DiskFile(path: directory + "/" + WALFormat.segmentName(segment), mode: .readWrite)
        defer { try? f.close() }
        try f.truncate(to: offset)
        let pad = (WALFormat.pageSize - offset % WALFormat.pageSize) % WALFormat.pageSize
        if pad > 0 { try f.truncate(to: offset + pad) }  // extends with zero bytes
        try f.sync()
        try FileSystem.syncDirectory(directory)
    } catch {
        throw WALError(.io, directory: directory, segment: segment, offset: offset, "repair failed", cause: error)
    }
}
