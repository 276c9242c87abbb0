import Testing
import SundialCore
import SundialTSDB
import SundialWAL
import SundialTestSupport
import Synchronization

/// WAL replay into the head through the replay-private series states (`ReplaySeriesStates`),
/// with hand-written logs that exercise what a `DB` never writes itself: aliases (one label set
/// under two refs), repeated series records, refs above the dense table, samples
/// of refs never defined, out-of-order and duplicate samples inside the log, samples records
/// between series records, and records large enough for the parallel apply. Every replay
/// thread count must rebuild the same head as a simple model of the log.
@Suite struct DBReplayTests {
    static let t0: Int64 = 1_700_000_000_000

    /// One log entry of the model.
    enum Entry {
        case series([RefSeries])
        case samples([RefSample])
    }

    /// Writes `entries` as a WAL (snappy) into `dir`/wal.
    static func writeWAL(_ dir: String, _ entries: [Entry]) throws {
        let wal = try WAL.open(directory: DB.walDirectory(dir), options: WALOptions())
        for e in entries {
            var buf: [UInt8] = []
            switch e {
            case .series(let list): RecordEncoder.encodeSeries(list, into: &buf)
            case .samples(let list): RecordEncoder.encodeSamples(list, into: &buf)
            }
            try wal.append(buf)
        }
        try wal.close()
    }

    /// What the head must hold after replaying `entries`: per label set, its accepted samples
    /// (strictly increasing times; later equal or older times dropped), and the counts.
    static func model(_ entries: [Entry]) -> (series: [Labels: [(Int64, UInt64)]], applied: Int, dropped: Int, unknown: Int) {
        var labelsOfRef: [UInt64: Labels] = [:]
        var out: [Labels: [(Int64, UInt64)]] = [:]
        var applied = 0, dropped = 0, unknown = 0
        for e in entries {
            switch e {
            case .series(let list):
                for s in list {
                    labelsOfRef[s.ref.rawValue] = s.labels
                    if out[s.labels] == nil { out[s.labels] = [] }
                }
            case .samples(let list):
                for smp in list {
                    guard let l = labelsOfRef[smp.ref.rawValue] else {
                        unknown += 1
                        continue
                    }
                    if let last = out[l]!.last, last.0 >= smp.t {
                        dropped += 1
                        continue
                    }
                    out[l]!.append((smp.t, smp.v.bitPattern))
                    applied += 1
                }
            }
        }
        return (out, applied, dropped + unknown, unknown)
    }

    /// A log with every awkward case, ~`rounds` x 3000 samples.
    static func awkwardLog(rounds: Int) -> [Entry] {
        var entries: [Entry] = []
        let n = 3000
        entries.append(.series((1...UInt64(n)).map { RefSeries(ref: SeriesRef($0), labels: HeadTestHelpers.labels("m", ("s", "\($0)"))) }))
        // An alias (ref 5001 names series 7's labels), a sparse ref, a ref redefined later.
        entries.append(.series([
            RefSeries(ref: SeriesRef(5001), labels: HeadTestHelpers.labels("m", ("s", "7"))),
            RefSeries(ref: SeriesRef(1 << 40), labels: HeadTestHelpers.labels("sparse")),
        ]))
        for r in 0..<rounds {
            var list: [RefSample] = []
            for s in 1...UInt64(n) {
                let t = t0 + Int64(r) * 15_000 + Int64(s % 3)
                list.append(RefSample(ref: SeriesRef(s), t: t, v: Double(r) * 1.5 + Double(s)))
            }
            // Alias samples interleaved with the original's (some out of order), a duplicate, an
            // unknown ref, the sparse ref.
            list.append(RefSample(ref: SeriesRef(5001), t: t0 + Int64(r) * 15_000 + 5, v: -1))
            list.append(RefSample(ref: SeriesRef(5001), t: t0 + Int64(r) * 15_000 - 20_000, v: -2))
            list.append(RefSample(ref: SeriesRef(9), t: t0 + Int64(r) * 15_000, v: 99))
            list.append(RefSample(ref: SeriesRef(777_777), t: t0, v: 3))
            list.append(RefSample(ref: SeriesRef(1 << 40), t: t0 + Int64(r) * 15_000, v: .nan))
            list.append(RefSample(ref: SeriesRef(1 << 41), t: t0, v: 4))
            entries.append(.samples(list))
            if r == rounds / 2 {
                // Series records repeated (as a checkpoint and a segment both hold them), and a new
                // series named after samples have been gathered.
                entries.append(.series([
                    RefSeries(ref: SeriesRef(3), labels: HeadTestHelpers.labels("m", ("s", "3"))),
                    RefSeries(ref: SeriesRef(5001), labels: HeadTestHelpers.labels("m", ("s", "7"))),
                    RefSeries(ref: SeriesRef(6000), labels: HeadTestHelpers.labels("late")),
                ]))
                entries.append(.samples([RefSample(ref: SeriesRef(6000), t: t0, v: 5)]))
                // A small record (applied on the replaying thread) between large ones.
                entries.append(.samples([RefSample(ref: SeriesRef(3), t: t0 + Int64(r) * 15_000 + 1, v: 8)]))
            }
        }
        return entries
    }

    @Test(arguments: [1, 2, 3])
    func replayRebuildsTheModelExactly(threads: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let entries = Self.awkwardLog(rounds: 30)
        try Self.writeWAL(dir.path, entries)
        let expected = Self.model(entries)

        var options = DBOptions()
        options.replayThreads = threads
        let db = try DB.open(directory: dir.path, options: options)
        defer { try? db.close() }
        #expect(db.replayStats.samples == expected.applied)
        #expect(db.replayStats.droppedSamples == expected.dropped)
        #expect(db.replayStats.unknownRefSamples == expected.unknown)
        let dump = try HeadTestHelpers.dump(try db.querier(minTime: .min, maxTime: .max),
                                            matchers: [try LabelMatcher(.regexMatch, "__name__", ".+")])
        var got: [Labels: [(Int64, UInt64)]] = [:]
        for (l, ts, vs) in dump { got[l] = Array(zip(ts, vs)) }
        #expect(got.count == expected.series.filter { !$0.value.isEmpty }.count)
        for (l, samples) in expected.series where !samples.isEmpty {
            let g = got[l] ?? []
            #expect(g.count == samples.count, "\(l)")
            #expect(zip(g, samples).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }, "\(l)")
        }
        // Every state went back into its series: appends continue where the log ended.
        let app = db.appender()
        let l7 = HeadTestHelpers.labels("m", ("s", "7"))
        #expect(throws: AppendError.self) { _ = try app.append(ref: .none, labels: l7, timestamp: Self.t0, value: 1) }
        _ = try app.append(ref: .none, labels: l7, timestamp: Self.t0 + 10_000_000, value: 1)
        try app.commit()
    }

    /// A samples record whose bytes pass the checksum but do not decode ends the replay there, and
    /// none of its samples reach the head (the record is checked before it is applied).
    @Test func anUndecodableSamplesRecordIsNotAppliedInPart() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let wal = try WAL.open(directory: DB.walDirectory(dir.path), options: WALOptions())
        var buf: [UInt8] = []
        RecordEncoder.encodeSeries([RefSeries(ref: SeriesRef(1), labels: HeadTestHelpers.labels("a"))], into: &buf)
        try wal.append(buf)
        buf = []
        RecordEncoder.encodeSamples([RefSample(ref: SeriesRef(1), t: Self.t0, v: 1)], into: &buf)
        try wal.append(buf)
        buf = []
        RecordEncoder.encodeSamples((1...10).map { RefSample(ref: SeriesRef(1), t: Self.t0 + Int64($0), v: 2) }, into: &buf)
        buf.append(0x80)  // a truncated varint after ten good samples
        try wal.append(buf)
        try wal.close()
        let log = LockedLines()
        let db = try DB.open(directory: dir.path, options: DBOptions(log: log.sink))
        defer { try? db.close() }
        #expect(db.replayStats.samples == 1)
        #expect(db.replayStats.wal?.repaired != nil)
        #expect(db.head.maxTime == Self.t0)
    }
}

/// Collects log lines from any thread.
final class LockedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
}
