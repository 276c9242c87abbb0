import SundialCore
import SundialEncoding
import SundialFileIO
import SundialTestSupport
import Testing

@testable import SundialWAL

@Suite struct WALTests {
    @Test(arguments: [WALCompression.none, .snappy, .zstd])
    func recordsRoundTripAcrossPagesAndSegments(compression: WALCompression) throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let dir = tmp.appending("wal")
        // 4 pages per segment: large records span pages and force segment cuts.
        let wal = try WAL.open(directory: dir, options: WALOptions(segmentSize: 4 * WALFormat.pageSize, compression: compression, syncMode: .never))
        var written: [[UInt8]] = []
        var rng = SplitMix64(seed: 7)
        var sizes = [0, 1, 6, 7, 8, WALFormat.maxFragmentPayload - 1, WALFormat.maxFragmentPayload, WALFormat.maxFragmentPayload + 1, 3 * WALFormat.pageSize, 5 * WALFormat.pageSize]
        for _ in 0..<300 { sizes.append(Int(rng.next() % 3000)) }
        var batch: [[UInt8]] = []
        for (i, size) in sizes.enumerated() {
            let r = size == 0 ? [] : testRecord(id: i, size: size)
            batch.append(r)
            if batch.count == Int(rng.next() % 4) + 1 {
                try wal.append(batch)
                written += batch
                batch.removeAll()
            }
        }
        if !batch.isEmpty {
            try wal.append(batch)
            written += batch
        }
        try wal.close()
        let range = try #require(try WALDirectory.segmentRange(dir))
        #expect(range.count > 3)
        for s in range {
            // Every finished segment is page-aligned (last page padded on cut and close).
            #expect(try FileSystem.fileSize(dir + "/" + WALFormat.segmentName(s)) % WALFormat.pageSize == 0)
        }
        let (records, stats) = try readAllRecords(dir)
        #expect(stats.repaired == nil)
        #expect(records == written.filter { !$0.isEmpty })
    }

    @Test func aRecordLargerThanASegmentGetsItsOwnSegment() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(segmentSize: 2 * WALFormat.pageSize, compression: .none, syncMode: .never))
        let big = testRecord(id: 1, size: 5 * WALFormat.pageSize)
        try wal.append(testRecord(id: 0, size: 100))
        try wal.append(big)
        try wal.append(testRecord(id: 2, size: 100))
        try wal.close()
        #expect(try readAllRecords(tmp.path).records == [testRecord(id: 0, size: 100), big, testRecord(id: 2, size: 100)])
    }

    @Test func reopenStartsANewSegmentAndReplayReadsAll() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        var wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        try wal.append(testRecord(id: 1, size: 50))
        try wal.close()
        wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        #expect(wal.activeSegment == 1)
        try wal.append(testRecord(id: 2, size: 50))
        // Without close: the partial page is already in the OS (as after a process crash).
        #expect(try readAllRecords(tmp.path).records == [testRecord(id: 1, size: 50), testRecord(id: 2, size: 50)])
        try wal.close()
        #expect(try wal.segments() == 0...1)
    }

    @Test func typedReplayDecodesRecords() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path)
        var buf: [UInt8] = []
        let series = [RefSeries(ref: SeriesRef(1), labels: Labels(["__name__": "up"]))]
        RecordEncoder.encodeSeries(series, into: &buf)
        let s = buf
        buf.removeAll()
        let samples = (0..<1000).map { RefSample(ref: SeriesRef(1), t: Int64($0) * 15_000, v: $0 == 999 ? StaleMarker.value : Double($0)) }
        RecordEncoder.encodeSamples(samples, into: &buf)
        let p = try wal.append([s, buf, [7, 1, 2, 3]])
        try wal.waitDurableBlocking(p)
        try wal.close()
        var gotSeries: [RefSeries] = [], gotSamples: [RefSample] = [], unsupported = 0
        let stats = try replay(directory: tmp.path) { rec in
            switch rec {
            case .series(let x): gotSeries += x
            case .samples(let x): gotSamples += x
            case .unsupported: unsupported += 1
            default: Issue.record("unexpected record \(rec)")
            }
        }
        #expect(gotSeries == series)
        #expect(gotSamples == samples)
        #expect(unsupported == 1 && stats.unsupportedRecords == 1 && stats.records == 3)
    }

    @Test func appendAfterCloseFails() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path)
        try wal.close()
        try wal.close()  // idempotent
        #expect(throws: WALError.self) { try wal.append([1, 2, 3]) }
    }

    @Test func cutSegmentAndSegmentsRange() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .never))
        try wal.append(testRecord(id: 1, size: 10))
        #expect(try wal.cutSegment() == 1)
        try wal.append(testRecord(id: 2, size: 10))
        #expect(try wal.cutSegment() == 2)
        #expect(try wal.segments() == 0...2)
        try wal.close()
        #expect(try readAllRecords(tmp.path).records.count == 2)
        #expect(throws: WALError.self) { _ = try WAL.open(directory: tmp.path, options: WALOptions(segmentSize: 1000)) }
    }

    @Test func syncModesAcknowledge() async throws {
        for mode in [WALSyncMode.always, .interval(milliseconds: 5), .never] {
            let tmp = try TemporaryDirectory()
            defer { tmp.remove() }
            let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: mode))
            let p = try wal.append(testRecord(id: 1, size: 100))
            try await wal.waitDurable(p)
            try wal.sync()
            #expect(wal.fsyncCount >= 1)
            try wal.close()
        }
    }
}
