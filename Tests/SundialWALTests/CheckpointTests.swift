import SundialCore
import SundialFileIO
import SundialTestSupport
import Testing

@testable import SundialWAL

@Suite struct CheckpointTests {
    /// Series 1...20 with samples at t = 0, 1000, ... in every segment; a tombstone and metadata.
    static func fill(_ wal: WAL, segments: Int) throws {
        var buf: [UInt8] = []
        RecordEncoder.encodeSeries((1...20).map { RefSeries(ref: SeriesRef(UInt64($0)), labels: Labels(["__name__": "m", "i": "\($0)"])) }, into: &buf)
        try wal.append(buf)
        for seg in 0..<segments {
            for step in 0..<10 {
                buf.removeAll()
                let t = Int64(seg * 10 + step) * 1000
                RecordEncoder.encodeSamples((1...20).map { RefSample(ref: SeriesRef(UInt64($0)), t: t, v: Double($0) + Double(t)) }, into: &buf)
                try wal.append(buf)
            }
            buf.removeAll()
            RecordEncoder.encodeTombstones([RefTombstone(ref: SeriesRef(2), minTime: Int64(seg) * 10_000, maxTime: Int64(seg) * 10_000 + 500)], into: &buf)
            try wal.append(buf)
            buf.removeAll()
            RecordEncoder.encodeMetadata([RefMetadata(ref: SeriesRef(4), type: .gauge, unit: "u", help: "v\(seg)"), RefMetadata(ref: SeriesRef(5), type: .counter, unit: "", help: "")], into: &buf)
            try wal.append(buf)
            try wal.cutSegment()
        }
    }

    struct Replayed {
        var series: [RefSeries] = []
        var samples: [RefSample] = []
        var tombstones: [RefTombstone] = []
        var metadata: [RefMetadata] = []
    }

    static func replayAll(_ dir: String) throws -> (Replayed, ReplayStats) {
        var r = Replayed()
        let stats = try replay(directory: dir) { rec in
            switch rec {
            case .series(let x): r.series += x
            case .samples(let x): r.samples += x
            case .tombstones(let x): r.tombstones += x
            case .metadata(let x): r.metadata += x
            default: Issue.record("unexpected \(rec)")
            }
        }
        return (r, stats)
    }

    @Test func checkpointKeepsLiveSeriesAndRecentSamples() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        try Self.fill(wal, segments: 4)  // segments 0..3 full, 4 active
        let (before, _) = try Self.replayAll(tmp.path)
        // Refusing the active segment.
        #expect(throws: WALError.self) { try wal.checkpoint(segments: 0...4, keepSeries: { _ in true }, minTime: 0) }

        let mint: Int64 = 15_000
        let keep: (SeriesRef) -> Bool = { $0.rawValue % 2 == 0 }
        let stats = try wal.checkpoint(segments: 0...2, keepSeries: keep, minTime: mint)
        #expect(stats.removedSegments == [0, 1, 2])
        #expect(stats.droppedSeries == 10 && stats.totalSeries == 20)
        #expect(FileSystem.isDirectory(tmp.path + "/checkpoint.00000002"))
        #expect(!FileSystem.exists(tmp.path + "/checkpoint.00000002.tmp"))
        #expect(try wal.segments() == 3...4)

        // More data after the checkpoint, then replay: checkpoint first, then segments 3...
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples([RefSample(ref: SeriesRef(2), t: 99_000, v: 1)], into: &buf)
        try wal.append(buf)
        try wal.close()

        let (after, rstats) = try Self.replayAll(tmp.path)
        #expect(rstats.checkpoint == 2 && rstats.segments == 3...4)
        #expect(after.series == before.series.filter { keep($0.ref) })
        // Samples from segments 0...2 are filtered by mint; later ones (segment 3, the new one) are all there.
        let expectedSamples = before.samples.filter { $0.t >= mint } + [RefSample(ref: SeriesRef(2), t: 99_000, v: 1)]
        #expect(after.samples.count == expectedSamples.count)
        #expect(Set(after.samples) == Set(expectedSamples))
        // Tombstones ending before mint are dropped; metadata only for kept series, latest first-seen.
        #expect(after.tombstones.allSatisfy { $0.maxTime >= mint })
        #expect(after.tombstones.count == 2)  // segments 2 (20000...20500) and 3 (30000...30500)
        #expect(after.metadata.contains { $0.ref == SeriesRef(4) && $0.help == "v2" })
        // Series 5 is dead: its metadata from segments 0...2 is gone; only segment 3's copy remains.
        #expect(after.metadata.filter { $0.ref == SeriesRef(5) }.count == 1)

        // A second checkpoint folds the first one and removes it.
        let wal2 = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        let s2 = try wal2.checkpoint(segments: 3...4, keepSeries: keep, minTime: mint)
        #expect(s2.removedCheckpoints == [2])
        #expect(s2.removedSegments == [3, 4])
        try wal2.close()
        let (after2, rstats2) = try Self.replayAll(tmp.path)
        #expect(rstats2.checkpoint == 4)
        #expect(after2.series == after.series)
        #expect(Set(after2.samples) == Set(after.samples))
    }

    @Test func interruptedCheckpointLeavesOldStateAndIsCleanedUp() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        try Self.fill(wal, segments: 2)
        try wal.close()
        let (before, _) = try Self.replayAll(tmp.path)
        // A crash mid-checkpoint leaves a .tmp directory with a partial segment.
        try FileSystem.createDirectory(tmp.path + "/checkpoint.00000001.tmp")
        try DiskFile(path: tmp.path + "/checkpoint.00000001.tmp/00000000", mode: .createNew).write([9, 9, 9], at: 0)
        var lines: [String] = []
        let stats = try replay(directory: tmp.path, log: { lines.append($0) }) { _ in }
        #expect(stats.checkpoint == nil)
        #expect(!FileSystem.exists(tmp.path + "/checkpoint.00000001.tmp"))
        #expect(lines.contains { $0.contains("unfinished checkpoint") })
        let (again, _) = try Self.replayAll(tmp.path)
        #expect(again.samples == before.samples)
    }

    @Test func damagedCheckpointIsAnErrorNotSilentLoss() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        try Self.fill(wal, segments: 3)
        try wal.checkpoint(segments: 0...1, keepSeries: { _ in true }, minTime: 0)
        try wal.close()
        let seg = tmp.path + "/checkpoint.00000001/00000000"
        let f = try DiskFile(path: seg, mode: .readWrite)
        var b = try f.read(count: 1, at: 20)
        b[0] ^= 0xff
        try f.write(b, at: 20)
        try f.close()
        #expect(throws: WALError.self) { try Self.replayAll(tmp.path) }
    }
}


extension CheckpointTests {
    /// Checkpointing every segment of a closed WAL, then reopening: new segments are numbered above
    /// the checkpoint, so replay does not skip them.
    @Test func reopenAfterCheckpointOfAllSegmentsStartsAboveIt() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        var wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        try Self.fill(wal, segments: 2)
        try wal.close()
        let last = try #require(try WALDirectory.segmentRange(tmp.path)).upperBound
        try checkpoint(directory: tmp.path, segments: 0...last, keepSeries: { _ in true }, minTime: 0)
        #expect(try WALDirectory.segmentRange(tmp.path) == nil)
        wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        #expect(wal.activeSegment == last + 1)
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples([RefSample(ref: SeriesRef(1), t: 1_000_000, v: 42)], into: &buf)
        try wal.append(buf)
        try wal.close()
        let (r, _) = try Self.replayAll(tmp.path)
        #expect(r.samples.last == RefSample(ref: SeriesRef(1), t: 1_000_000, v: 42))
    }
}
