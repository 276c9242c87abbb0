import SundialCore
import SundialEncoding
import SundialFileIO

/// What a checkpoint kept and dropped.
public struct CheckpointStats: Sendable, Hashable {
    /// The checkpoint's index (the last segment it covers).
    public var index = 0
    /// Series records' entries read / dropped (not kept alive by the caller).
    public var totalSeries = 0, droppedSeries = 0
    /// Samples read / dropped (older than the minimum time).
    public var totalSamples = 0, droppedSamples = 0
    /// Tombstones read / dropped (ending before the minimum time).
    public var totalTombstones = 0, droppedTombstones = 0
    /// Exemplars read / dropped.
    public var totalExemplars = 0, droppedExemplars = 0
    /// Metadata entries read / dropped (dead series or superseded).
    public var totalMetadata = 0, droppedMetadata = 0
    /// Segments removed after the checkpoint was written.
    public var removedSegments: [Int] = []
    /// Older checkpoints removed.
    public var removedCheckpoints: [Int] = []

    /// Zeroed statistics.
    public init() {}
}

/// Folds segments `segments` (and the previous checkpoint) of the WAL in `directory` into
/// `checkpoint.<segments.upperBound>/`, then deletes the folded segments and older checkpoints
/// (Prometheus `wlog.Checkpoint` followed by `WL.Truncate` and `DeleteCheckpoints`).
///
/// Kept: series records of series for which `keepSeries` is true; samples and exemplars with
/// `t >= minTime`; tombstones whose interval ends at or after `minTime`; the latest metadata of each
/// kept series (written last). Unsupported record types are dropped. The checkpoint is written to
/// `checkpoint.N.tmp`, fsynced, renamed into place and the directory fsynced, so a crash leaves
/// either the old state or the complete new checkpoint.
///
/// - Precondition (checked): the range must not include the segment a live ``WAL`` is writing
///   (use ``WAL/checkpoint(segments:keepSeries:minTime:)``, which checks it), and must start at or
///   before the segment after the previous checkpoint (segments below it are skipped).
/// - Throws: ``WALError``; damage in the folded segments is not repaired here (the head would
///   lose track of series): the checkpoint is abandoned and the error thrown.
@discardableResult
public func checkpoint(
    directory: String, segments: ClosedRange<Int>, keepSeries: (SeriesRef) -> Bool, minTime: Timestamp,
    compression: WALCompression = .snappy, log: (String) -> Void = { _ in }
) throws -> CheckpointStats {
    var stats = CheckpointStats()
    stats.index = segments.upperBound
    var from = segments.lowerBound
    var sources: [(dir: String, segment: Int)] = []
    let previous = try WALDirectory.lastCheckpoint(directory)
    if let previous {
        guard from <= previous.index + 1 else {
            throw WALError(.invalidArgument, directory: directory, "checkpoint range starts at \(from), after the gap following checkpoint \(previous.index)")
        }
        guard previous.index < segments.upperBound else {
            throw WALError(.invalidArgument, directory: directory, "checkpoint \(previous.index) already covers segment \(segments.upperBound)")
        }
        from = previous.index + 1
        for s in try WALDirectory.segmentIndexes(previous.path) { sources.append((previous.path, s)) }
    }
    let present = Set(try WALDirectory.segmentIndexes(directory))
    for s in from...segments.upperBound {
        guard present.contains(s) else {
            throw WALError(.invalidArgument, directory: directory, segment: s, "segment to checkpoint does not exist")
        }
        sources.append((directory, s))
    }
    log("creating checkpoint from segment \(from) to \(segments.upperBound), mint \(minTime)")

    try WALDirectory.removeTemporaryCheckpoints(directory, log: log)
    let finalPath = directory + "/" + WALFormat.checkpointName(segments.upperBound)
    let tmpPath = finalPath + WALFormat.temporarySuffix
    do {
        try FileSystem.createDirectory(tmpPath)
    } catch {
        throw WALError(.io, directory: directory, "cannot create \(tmpPath)", cause: error)
    }
    var succeeded = false
    defer { if !succeeded { try? FileSystem.removeTree(tmpPath) } }

    let writer: SegmentWriter
    do {
        writer = try SegmentWriter(directory: tmpPath, segmentSize: WALFormat.defaultSegmentSize, compression: compression, index: 0)
    } catch {
        throw WALError(.io, directory: tmpPath, "cannot create checkpoint segment", cause: error)
    }
    defer { try? writer.file.close() }

    var record: [UInt8] = []
    var out: [UInt8] = []
    var series: [RefSeries] = []
    var samples: [RefSample] = []
    var tombstones: [RefTombstone] = []
    var exemplars: [RefExemplar] = []
    var metadata: [RefMetadata] = []
    var latestMetadata: [SeriesRef: RefMetadata] = [:]

    func write(_ bytes: [UInt8], _ dir: String, _ seg: Int) throws {
        do {
            try writer.log(bytes, final: false)
        } catch {
            throw WALError(.io, directory: tmpPath, "cannot write checkpoint", cause: error)
        }
    }

    for (dir, seg) in sources {
        var reader = SegmentReader(data: try WALDirectory.readSegment(dir, seg))
        do {
            while try reader.next(into: &record) {
                out.removeAll(keepingCapacity: true)
                if let first = record.first, (7...10).contains(first) {
                    // Histogram samples (types 7-10): kept when at or after `minTime`.
                    stats.totalSamples += try checkpointHistograms(record, minTime: minTime, into: &out, dropped: &stats.droppedSamples)
                    if !out.isEmpty { try write(out, dir, seg) }
                    continue
                }
                guard let type = RecordDecoder.type(of: record) else { continue }
                switch type {
                case .series:
                    try RecordDecoder.decodeSeries(record, into: &series)
                    let before = series.count
                    series.removeAll { !keepSeries($0.ref) }
                    stats.totalSeries += before
                    stats.droppedSeries += before - series.count
                    if !series.isEmpty { RecordEncoder.encodeSeries(series, into: &out) }
                case .samples:
                    try RecordDecoder.decodeSamples(record, into: &samples)
                    let before = samples.count
                    samples.removeAll { $0.t < minTime }
                    stats.totalSamples += before
                    stats.droppedSamples += before - samples.count
                    if !samples.isEmpty { RecordEncoder.encodeSamples(samples, into: &out) }
                case .tombstones:
                    try RecordDecoder.decodeTombstones(record, into: &tombstones)
                    let before = tombstones.count
                    tombstones.removeAll { $0.maxTime < minTime }
                    stats.totalTombstones += before
                    stats.droppedTombstones += before - tombstones.count
                    if !tombstones.isEmpty { RecordEncoder.encodeTombstones(tombstones, into: &out) }
                case .exemplars:
                    try RecordDecoder.decodeExemplars(record, into: &exemplars)
                    let before = exemplars.count
                    exemplars.removeAll { $0.t < minTime }
                    stats.totalExemplars += before
                    stats.droppedExemplars += before - exemplars.count
                    if !exemplars.isEmpty { RecordEncoder.encodeExemplars(exemplars, into: &out) }
                case .metadata:
                    try RecordDecoder.decodeMetadata(record, into: &metadata)
                    stats.totalMetadata += metadata.count
                    for m in metadata where keepSeries(m.ref) { latestMetadata[m.ref] = m }
                case .mmapMarkers, .histogramSamples, .floatHistogramSamples:
                    continue
                }
                if !out.isEmpty { try write(out, dir, seg) }
            }
        } catch let c as SegmentCorruption {
            throw WALError(.corruption, directory: dir, segment: seg, offset: c.offset, "cannot checkpoint a damaged segment: \(c.message)")
        } catch let d as DecodeError {
            throw WALError(.corruption, directory: dir, segment: seg, offset: reader.recordStart, "cannot checkpoint an undecodable record: \(d)")
        }
    }
    if !latestMetadata.isEmpty {
        stats.droppedMetadata = stats.totalMetadata - latestMetadata.count
        let ordered = latestMetadata.values.sorted { $0.ref < $1.ref }
        out.removeAll(keepingCapacity: true)
        RecordEncoder.encodeMetadata(ordered, into: &out)
        try write(out, tmpPath, 0)
    } else {
        stats.droppedMetadata = stats.totalMetadata
    }

    do {
        try writer.finish()
        for f in writer.takeFinished() {
            try f.sync()
            try f.close()
        }
        try writer.file.sync()
        try writer.file.close()
        try FileSystem.moveDirectory(from: tmpPath, replacing: finalPath)
    } catch {
        throw WALError(.io, directory: tmpPath, "cannot finish checkpoint", cause: error)
    }
    succeeded = true

    // The checkpoint is durable; drop what it replaces.
    do {
        for s in try WALDirectory.segmentIndexes(directory) where s <= segments.upperBound {
            try FileSystem.remove(directory + "/" + WALFormat.segmentName(s))
            stats.removedSegments.append(s)
        }
        for cp in try WALDirectory.checkpoints(directory) where cp.index < segments.upperBound {
            try FileSystem.removeTree(directory + "/" + cp.name)
            stats.removedCheckpoints.append(cp.index)
        }
        try FileSystem.syncDirectory(directory)
    } catch let e as WALError {
        throw e
    } catch {
        throw WALError(.io, directory: directory, "checkpoint written, but removing old segments failed", cause: error)
    }
    log("checkpoint \(WALFormat.checkpointName(segments.upperBound)) done: kept \(stats.totalSeries - stats.droppedSeries) series, \(stats.totalSamples - stats.droppedSamples) samples; removed \(stats.removedSegments.count) segment(s)")
    return stats
}

extension WAL {
    /// Checkpoints segments `segments` of this WAL (see the free function
    /// ``checkpoint(directory:segments:keepSeries:minTime:compression:log:)``), refusing a range that
    /// reaches the segment being written. Appends may continue concurrently.
    @discardableResult
    public func checkpoint(segments: ClosedRange<Int>, keepSeries: (SeriesRef) -> Bool, minTime: Timestamp) throws -> CheckpointStats {
        let active = activeSegment
        guard segments.upperBound < active else {
            throw WALError(.invalidArgument, directory: directory, segment: segments.upperBound, "cannot checkpoint up to segment \(segments.upperBound): segment \(active) is being written; cut a segment first")
        }
        return try SundialWAL.checkpoint(
            directory: directory, segments: segments, keepSeries: keepSeries, minTime: minTime,
            compression: options.compression, log: log)
    }
}

/// Re-encodes the histogram samples of `record` (types 7–10) at or after `minTime` into `out`
/// (nothing when none is left). - Returns: the number of samples read; `dropped` grows by those left out.
func checkpointHistograms(_ record: [UInt8], minTime: Timestamp, into out: inout [UInt8], dropped: inout Int) throws(DecodeError) -> Int {
    let type = record[0]
    if type == 7 || type == 9 {
        var list: [RefHistogramSample] = []
        try RecordDecoder.decodeHistogramSamples(record, into: &list)
        let n = list.count
        list.removeAll { $0.t < minTime }
        dropped += n - list.count
        if !list.isEmpty { RecordEncoder.encodeHistogramSamples(list, customBuckets: type == 9, into: &out) }
        return n
    }
    var list: [RefFloatHistogramSample] = []
    try RecordDecoder.decodeFloatHistogramSamples(record, into: &list)
    let n = list.count
    list.removeAll { $0.t < minTime }
    dropped += n - list.count
    if !list.isEmpty { RecordEncoder.encodeFloatHistogramSamples(list, customBuckets: type == 10, into: &out) }
    return n
}
