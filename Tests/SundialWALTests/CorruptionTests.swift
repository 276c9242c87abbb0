import SundialCore
import SundialFileIO
import SundialTestSupport
import Testing

@testable import SundialWAL

/// Crash and corruption tests: a pristine WAL is damaged at many offsets (truncated there, or one
/// byte changed there), replayed, repaired and reopened. Every case requires: no trap, no throw,
/// every record lying wholly before the damage delivered intact, nothing invented (the replayed
/// records are a prefix of the written ones), a second replay identical with no further repair, and
/// a WAL reopened after the repair that appends and replays cleanly.
@Suite struct CorruptionTests {
    /// A decoded record, comparable (samples compare values by bits).
    enum Rec: Equatable {
        case series([RefSeries])
        case samples([RefSample])
        case tombstones([RefTombstone])
        case metadata([RefMetadata])
    }

    /// The pristine WAL: its records, each segment's bytes, and where each record ends.
    struct Pristine {
        var records: [Rec] = []
        var segments: [[UInt8]] = []
        /// For record i: (segment, end offset) — the record is wholly before any damage at or after it.
        var ends: [(segment: Int, offset: Int)] = []
    }

    static func encode(_ r: Rec) -> [UInt8] {
        var b: [UInt8] = []
        switch r {
        case .series(let x): RecordEncoder.encodeSeries(x, into: &b)
        case .samples(let x): RecordEncoder.encodeSamples(x, into: &b)
        case .tombstones(let x): RecordEncoder.encodeTombstones(x, into: &b)
        case .metadata(let x): RecordEncoder.encodeMetadata(x, into: &b)
        }
        return b
    }

    /// Writes a WAL of one-page segments (so there are many segment boundaries) with records from a
    /// few bytes to several pages, snappy-compressed where that helps.
    static func makePristine(compression: WALCompression) throws -> Pristine {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        var rng = SplitMix64(seed: 99)
        var p = Pristine()
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(segmentSize: WALFormat.pageSize, compression: compression, syncMode: .never))
        for i in 0..<30 {
            let rec: Rec
            switch i % 5 {
            case 0:
                let n = Int(rng.next() % 30) + 1
                rec = .series((0..<n).map { k in
                    RefSeries(ref: SeriesRef(UInt64(i * 100 + k)), labels: Labels(["__name__": "m\(i)", "k": "\(k)", "rnd": String(rng.next(), radix: 36)]))
                })
            case 4:
                rec = i % 2 == 0
                    ? .tombstones([RefTombstone(ref: SeriesRef(UInt64(i)), minTime: -Int64(i), maxTime: Int64(i) * 1000)])
                    : .metadata([RefMetadata(ref: SeriesRef(UInt64(i)), type: .counter, unit: "bytes", help: "help \(i)")])
            default:
                // Sizes from one sample to ~6 pages (multi-page records become their own segment).
                let n = i % 13 == 0 ? 2500 : Int(rng.next() % 300) + 1
                rec = .samples((0..<n).map { k in
                    RefSample(ref: SeriesRef(rng.next() % 5000), t: 1_700_000_000_000 + Int64(k) * 15_000, v: k % 50 == 0 ? StaleMarker.value : Double(bitPattern: rng.next() >> 2))
                })
            }
            p.records.append(rec)
            let pos = try wal.append(encode(rec))
            p.ends.append((pos.segment, pos.offset))
        }
        try wal.close()
        for s in try #require(try WALDirectory.segmentRange(tmp.path)) {
            p.segments.append(try DiskFile(path: tmp.path + "/" + WALFormat.segmentName(s), mode: .read).readAll())
        }
        return p
    }

    static func replayTyped(_ dir: String, log: (String) -> Void) throws -> ([Rec], ReplayStats) {
        var out: [Rec] = []
        let stats = try replay(directory: dir, log: log) { r in
            switch r {
            case .series(let x): out.append(.series(x))
            case .samples(let x): out.append(.samples(x))
            case .tombstones(let x): out.append(.tombstones(x))
            case .metadata(let x): out.append(.metadata(x))
            case .exemplars, .unsupported: Issue.record("unexpected record \(r)")
            }
        }
        return (out, stats)
    }

    enum Damage: CustomStringConvertible {
        case truncate(segment: Int, at: Int)
        case change(segment: Int, at: Int, xor: UInt8)
        var segment: Int {
            switch self {
            case .truncate(let s, _), .change(let s, _, _): s
            }
        }
        var offset: Int {
            switch self {
            case .truncate(_, let o), .change(_, let o, _): o
            }
        }
        var description: String {
            switch self {
            case .truncate(let s, let o): "truncate segment \(s) at \(o)"
            case .change(let s, let o, let x): "xor 0x\(String(x, radix: 16)) at segment \(s) offset \(o)"
            }
        }
    }

    /// Applies `damage` to a copy of the pristine WAL, replays and checks the invariants.
    static func check(_ p: Pristine, _ damage: Damage, reopen: Bool) throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        for (i, bytes) in p.segments.enumerated() {
            var b = bytes
            switch damage {
            case .truncate(let s, let at) where s == i: b.removeSubrange(at...)
            case .change(let s, let at, let x) where s == i: b[at] ^= x
            default: break
            }
            try DiskFile(path: tmp.path + "/" + WALFormat.segmentName(i), mode: .createNew).write(b, at: 0)
        }
        var lines: [String] = []
        let (got, stats) = try replayTyped(tmp.path) { lines.append($0) }
        // Nothing invented, order kept.
        // Everything wholly before the damage is there, in order.
        let before = p.ends.filter { $0.segment < damage.segment || ($0.segment == damage.segment && $0.offset <= damage.offset) }.count
        let keepsBefore = got.count >= before && Array(got.prefix(before)) == Array(p.records.prefix(before))
        #expect(keepsBefore, "\(damage): lost records before the damage (got \(got.count), need \(before))")
        if case .truncate(let s, _) = damage, s < p.segments.count - 1 {
            // A non-last segment cut short at a record boundary cannot be told apart from one a
            // crashed process left behind (Prometheus writes those too): the later segments are
            // still read. Required: an order-preserving subsequence, nothing invented.
            var k = 0
            for r in got {
                while k < p.records.count && p.records[k] != r { k += 1 }
                k += 1
            }
            #expect(k <= p.records.count, "\(damage): replayed records are not a subsequence of the written ones")
        } else {
            let isPrefix = got.count <= p.records.count && Array(p.records.prefix(got.count)) == got
            #expect(isPrefix, "\(damage): replayed records (\(got.count)) are not a prefix of the written ones")
        }
        if let repaired = stats.repaired {
            #expect(repaired.segment != nil && repaired.offset != nil)
            #expect(lines.contains { $0.contains(WALFormat.segmentName(repaired.segment ?? -1)) && $0.contains("offset \(repaired.offset ?? -1)") },
                    "\(damage): no log line naming the segment and offset")
        }
        // The repair is complete: a second replay finds the same and repairs nothing.
        let (again, stats2) = try replayTyped(tmp.path) { _ in }
        let same = again == got
        #expect(same && stats2.repaired == nil, "\(damage): second replay differs (\(again.count) records, \(String(describing: stats2.repaired)))")
        if reopen {
            let wal = try WAL.open(directory: tmp.path, options: WALOptions(segmentSize: WALFormat.pageSize, syncMode: .never))
            let extra = Rec.samples([RefSample(ref: SeriesRef(1), t: 1, v: 1)])
            try wal.append(encode(extra))
            try wal.close()
            let (after, stats3) = try replayTyped(tmp.path) { _ in }
            let ok = after == got + [extra]
            #expect(ok && stats3.repaired == nil, "\(damage): appending after the repair broke the WAL")
        }
    }

    /// Offsets to damage in a segment of `count` bytes: the first bytes (fragment headers), around
    /// every page boundary, the end, and a deterministic sample of the rest.
    static func offsets(count: Int, step: Int, rng: inout SplitMix64) -> [Int] {
        var o = Set<Int>()
        for k in 0..<min(count, 16) { o.insert(k) }
        var b = 0
        while b <= count {
            for d in [-8, -7, -1, 0, 1, 6, 7] where b + d >= 0 && b + d < count { o.insert(b + d) }
            b += WALFormat.pageSize
        }
        for k in max(0, count - 8)..<count { o.insert(k) }
        var k = 0
        while k < count {
            o.insert(k)
            k += step + Int(rng.next() % UInt64(step))
        }
        return o.sorted()
    }

    @Test(arguments: [WALCompression.snappy, .none])
    func truncationAtManyOffsets(compression: WALCompression) throws {
        let p = try Self.makePristine(compression: compression)
        #expect(p.segments.count >= 4)
        var rng = SplitMix64(seed: 1)
        var cases = 0
        for (s, bytes) in p.segments.enumerated() {
            for at in Self.offsets(count: bytes.count, step: 2500, rng: &rng) {
                try Self.check(p, .truncate(segment: s, at: at), reopen: cases % 10 == 0)
                cases += 1
            }
        }
        #expect(cases > 100)
    }

    @Test(arguments: [WALCompression.snappy, .none])
    func byteChangesAtManyOffsets(compression: WALCompression) throws {
        let p = try Self.makePristine(compression: compression)
        var rng = SplitMix64(seed: 2)
        var cases = 0
        let masks: [UInt8] = [0x01, 0x08, 0x10, 0x80, 0xff]
        for (s, bytes) in p.segments.enumerated() {
            for at in Self.offsets(count: bytes.count, step: 1800, rng: &rng) {
                let mask = masks[cases % masks.count]
                try Self.check(p, .change(segment: s, at: at, xor: mask), reopen: cases % 10 == 0)
                cases += 1
            }
        }
        #expect(cases > 100)
    }

    @Test func garbagePageAndMissingMiddleSegment() throws {
        let p = try Self.makePristine(compression: .snappy)
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        // A page of random garbage appended to the last segment (a torn, never-completed write).
        var rng = SplitMix64(seed: 5)
        for (i, bytes) in p.segments.enumerated() {
            var b = bytes
            if i == p.segments.count - 1 { b += (0..<WALFormat.pageSize).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            try DiskFile(path: tmp.path + "/" + WALFormat.segmentName(i), mode: .createNew).write(b, at: 0)
        }
        let (got, stats) = try Self.replayTyped(tmp.path) { _ in }
        let all = got == p.records
        #expect(all)
        #expect(stats.repaired?.segment == p.segments.count - 1)
        // A missing segment in the middle is not silently skipped.
        try FileSystem.remove(tmp.path + "/" + WALFormat.segmentName(2))
        #expect(throws: WALError.self) { try Self.replayTyped(tmp.path) { _ in } }
    }

    @Test func zeroFilledTailIsClean() throws {
        // A segment whose last page was preallocated/zero-filled past the data: padding, not damage.
        let p = try Self.makePristine(compression: .snappy)
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        for (i, bytes) in p.segments.enumerated() {
            var b = bytes
            if i == p.segments.count - 1 { b += [UInt8](repeating: 0, count: 3 * WALFormat.pageSize) }
            try DiskFile(path: tmp.path + "/" + WALFormat.segmentName(i), mode: .createNew).write(b, at: 0)
        }
        let (got, stats) = try Self.replayTyped(tmp.path) { _ in }
        let all = got == p.records
        #expect(all && stats.repaired == nil)
    }
}

extension CorruptionTests {
    /// A read-only replay (for dump tools on a live directory) reports damage and changes nothing.
    @Test func readOnlyReplayReportsDamageWithoutTouchingFiles() throws {
        let p = try Self.makePristine(compression: .snappy)
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        for (i, bytes) in p.segments.enumerated() {
            var b = bytes
            if i == 1 { b[100] ^= 0x40 }
            try DiskFile(path: tmp.path + "/" + WALFormat.segmentName(i), mode: .createNew).write(b, at: 0)
        }
        var got = 0
        let stats = try replay(directory: tmp.path, repair: false) { _ in got += 1 }
        #expect(stats.damage?.segment == 1 && stats.repaired == nil)
        for (i, bytes) in p.segments.enumerated() {
            let now = try DiskFile(path: tmp.path + "/" + WALFormat.segmentName(i), mode: .read).readAll()
            #expect(now.count == bytes.count, "segment \(i) changed size")
        }
        // The repairing replay then fixes it and delivers the same records.
        var again = 0
        let fixed = try replay(directory: tmp.path) { _ in again += 1 }
        #expect(fixed.repaired?.segment == 1 && again == got)
    }
}
