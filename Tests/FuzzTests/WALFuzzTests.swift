import Foundation
import SundialCore
import SundialTSDB
import SundialTestSupport
import SundialWAL
import Testing

/// Seeded mutation fuzzing of WAL segments (Prometheus 2.42's WAL and the torn/bit-flipped
/// fixtures) through ``replay(directory:repair:log:handler:)`` and through a whole `DB.open`
/// (head replay of the decoded records). Properties: no trap; failures are ``WALError`` naming
/// the segment and offset; a read-only replay changes no byte on disk; a repairing replay is
/// complete (a second replay finds no damage and the same records); the database opens over
/// any damaged segment and every series it reports reads back without error.
@Suite struct WALFuzzTests {
    static func seeds() throws -> [[UInt8]] {
        try ["wal/prometheus-2.42/wal/00000000", "wal/torn/00000000", "wal/bitflip/00000000"].map { try Testdata.bytes($0) }
    }

    /// One replay's outcome: the records (type byte and a digest of the decoded contents).
    struct Outcome: Equatable {
        var records: [Int] = []
        var damage: String?
    }

    static func digest(_ r: WALRecord) -> Int {
        var h = Hasher()
        switch r {
        case .series(let s):
            h.combine(1)
            for x in s { h.combine(x.ref); h.combine(x.labels) }
        case .samples(let s):
            h.combine(2)
            for x in s { h.combine(x.ref); h.combine(x.t); h.combine(x.v.bitPattern) }
        case .tombstones(let t): h.combine(3); h.combine(t.count)
        case .exemplars(let e): h.combine(4); h.combine(e.count)
        case .metadata(let m): h.combine(5); h.combine(m.count)
        case .unsupported(let type, let bytes): h.combine(6); h.combine(type); h.combine(bytes)
        }
        return h.finalize()
    }

    static func run(_ dir: String, repair: Bool) throws -> Outcome {
        var o = Outcome()
        let stats = try replay(directory: dir, repair: repair) { o.records.append(digest($0)) }
        o.damage = stats.damage.map { "\($0.segment ?? -1)@\($0.offset ?? -1)" }
        if stats.records != o.records.count { o.damage = "stats.records \(stats.records) != \(o.records.count) delivered" }
        return o
    }

    static func snapshot(_ dir: String) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (n, b) in Fuzz.files(in: dir) { out[n] = b }
        return out
    }

    /// Opens the database in `dir` and reads every series matching `matchers`: a structured
    /// `WALError` is an acceptable refusal; anything else (another error type, samples out of
    /// order, a failed read after a successful open) is a fuzz failure of `target`.
    /// - Returns: whether the database opened.
    static func openAndRead(_ dir: String, matchers: [LabelMatcher], target: String, iteration i: Int, input: [UInt8]) -> Bool {
        var opened = false
        do {
            let db = try DB.open(directory: dir)
            opened = true
            do {
                let q = try db.querier(minTime: .min, maxTime: .max)
                var buf = SampleBuffer()
                for s in try q.select(sorted: true, hints: nil, matchers: matchers) {
                    buf.removeAll()
                    try s.samples(minTime: .min, maxTime: .max, into: &buf)
                    if zip(buf.timestamps, buf.timestamps.dropFirst()).contains(where: { $0 >= $1 }) {
                        Fuzz.fail(target, iteration: i, input: input, "samples of \(s.labels) not strictly increasing")
                    }
                }
                q.close()
            } catch {
                Fuzz.fail(target, iteration: i, input: input, "reading the opened database failed: \(error)")
            }
            try db.close()
        } catch let e as WALError {
            if e.message.isEmpty { Fuzz.fail(target, iteration: i, input: input, "unstructured \(e)") }
        } catch {
            Fuzz.fail(target, iteration: i, input: input, "DB.open threw \(type(of: error)): \(error)")
        }
        return opened
    }

    @Test func mutatedSegments() throws {
        let seeds = try Self.seeds()
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-wal")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x5741_4c01)
        let n = Fuzz.iterations(200)
        var repaired = 0
        for i in 0..<n {
            let dir = tmp.appending("wal-\(i)")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let seed = seeds[rng.below(seeds.count)]
            let mutated = Mutator.mutate(seed, others: seeds, rng: &rng)
            // Layouts: the damaged segment alone, after an intact one, or before an intact one
            // (whose records a repair must drop).
            let layout = rng.below(3)
            var files: [(String, [UInt8])] = []
            switch layout {
            case 0: files = [("00000000", mutated)]
            case 1: files = [("00000000", seeds[0]), ("00000001", mutated)]
            default: files = [("00000000", mutated), ("00000001", seeds[0])]
            }
            for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(name)")) }

            // Read-only: nothing on disk changes.
            let before = Self.snapshot(dir)
            let readOnly: Outcome
            do { readOnly = try Self.run(dir, repair: false) } catch {
                Fuzz.fail("wal-readonly", iteration: i, input: mutated, "replay threw \(error)")
                continue
            }
            if Self.snapshot(dir) != before { Fuzz.fail("wal-readonly", iteration: i, input: mutated, "read-only replay changed files") }

            // Repairing replay, then a second one: nothing left to repair, same records.
            do {
                let first = try Self.run(dir, repair: true)
                if first.records != readOnly.records {
                    Fuzz.fail("wal-repair", iteration: i, input: mutated, "repairing replay read \(first.records.count) records, read-only \(readOnly.records.count)")
                }
                if first.damage != nil { repaired += 1 }
                let second = try Self.run(dir, repair: true)
                if second.damage != nil || second.records != first.records {
                    Fuzz.fail("wal-repair", iteration: i, input: mutated,
                              "after repair: damage \(second.damage ?? "none"), \(second.records.count) records vs \(first.records.count)")
                }
            } catch let e as WALError {
                if e.segment == nil || e.message.isEmpty { Fuzz.fail("wal-repair", iteration: i, input: mutated, "unstructured WALError \(e)") }
            } catch {
                Fuzz.fail("wal-repair", iteration: i, input: mutated, "replay threw a non-WAL error \(error)")
            }
        }
        Fuzz.report("wal segments (damage found and repaired)", inputs: n, accepted: repaired)
        #expect(repaired > n / 4, "only \(repaired) of \(n) mutations were detected as damage")
    }

    /// Damage inside a checkpoint cannot be repaired: replay must throw a ``WALError`` naming it.
    @Test func mutatedCheckpoints() throws {
        let seeds = try Self.seeds()
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-cp")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x5741_4c02)
        for i in 0..<Fuzz.iterations(120) {
            let dir = tmp.appending("wal-\(i)")
            let cp = "\(dir)/checkpoint.00000000"
            try FileManager.default.createDirectory(atPath: cp, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let mutated = Mutator.mutate(seeds[0], others: seeds, rng: &rng)
            try Data(mutated).write(to: URL(fileURLWithPath: "\(cp)/00000000"))
            try Data(seeds[0]).write(to: URL(fileURLWithPath: "\(dir)/00000001"))
            do {
                _ = try Self.run(dir, repair: true)
            } catch let e as WALError {
                if !(e.directory.hasSuffix("checkpoint.00000000")) || e.offset == nil {
                    Fuzz.fail("wal-checkpoint", iteration: i, input: mutated, "WALError does not locate the damage: \(e)")
                }
            } catch {
                Fuzz.fail("wal-checkpoint", iteration: i, input: mutated, "non-WAL error \(error)")
            }
        }
    }

    /// The whole database opens over a damaged WAL (head replay of whatever decodes) and every
    /// series it reports can be read.
    @Test func databaseOpensOverDamagedWAL() throws {
        let seeds = try Self.seeds()
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-db")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x5741_4c03)
        let all = [try LabelMatcher(.regexMatch, "__name__", ".+")]
        for i in 0..<Fuzz.iterations(60) {
            let dir = tmp.appending("db-\(i)")
            try FileManager.default.createDirectory(atPath: dir + "/wal", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let mutated = Mutator.mutate(seeds[0], others: seeds, rng: &rng)
            try Data(mutated).write(to: URL(fileURLWithPath: "\(dir)/wal/00000000"))
            _ = Self.openAndRead(dir, matchers: all, target: "wal-db", iteration: i, input: mutated)
        }
    }
    /// Records pass the WAL's CRCs when written through ``WAL`` itself: mutated record bodies
    /// (unknown series refs, duplicate refs, unsorted or empty labels, huge counts, timestamps
    /// out of order) reach the record decoder and the head's replay. The database must open (a
    /// record that does not decode is repaired away) and read back ordered samples.
    @Test func databaseOpensOverMutatedRecords() throws {
        var raw: [[UInt8]] = []
        try replayRecords(directory: Testdata.path("wal/prometheus-2.42/wal"), repair: false) { raw.append($0) }
        try #require(raw.count > 2)
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-rec")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x5741_4c04)
        let all = [try LabelMatcher(.regexMatch, "__name__", ".*")]
        let n = Fuzz.iterations(60)
        var opened = 0
        for i in 0..<n {
            let dir = tmp.appending("db-\(i)")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var records = raw
            for _ in 0..<(1 + rng.below(3)) {
                let k = rng.below(records.count)
                let r = records[k]
                // Mostly keep the type byte so the typed decoders are reached.
                records[k] = rng.chance(85) && r.count > 1 ? [r[0]] + Mutator.mutate(Array(r[1...]), others: [], rng: &rng)
                    : Mutator.mutate(r, others: raw, rng: &rng)
            }
            if rng.chance(30) { records.shuffle(using: &rng) }  // samples before their series
            let input = records.flatMap { $0 }
            let wal = try WAL.open(directory: dir + "/wal", options: WALOptions(syncMode: .interval(milliseconds: 60_000)))
            _ = try wal.append(records)
            try wal.close()
            if Self.openAndRead(dir, matchers: all, target: "wal-records", iteration: i, input: input) { opened += 1 }
        }
        Fuzz.report("wal records through DB.open (opened)", inputs: n, accepted: opened)
    }
}
