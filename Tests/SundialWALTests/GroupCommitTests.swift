import SundialCore
import SundialFileIO
import SundialTestSupport
import Synchronization
import Testing

@testable import SundialWAL

@Suite struct GroupCommitTests {
    /// Many concurrent committers share fsyncs: the number of fsync rounds stays well below the
    /// number of commits, and every commit is durable (and replayable) when its wait returns.
    @Test func concurrentCommittersShareFsyncs() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .always))
        let committers = 32, commitsEach = 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<committers {
                group.addTask {
                    for k in 0..<commitsEach {
                        var buf: [UInt8] = []
                        RecordEncoder.encodeSamples([RefSample(ref: SeriesRef(UInt64(c)), t: Int64(k), v: Double(k))], into: &buf)
                        let p = try wal.append(buf)
                        try await wal.waitDurable(p)
                        #expect(wal.durableSequence.load(ordering: .acquiring) >= p.sequence)
                    }
                }
            }
            try await group.waitForAll()
        }
        let commits = committers * commitsEach
        let rounds = wal.fsyncCount
        #expect(rounds >= 1)
        #expect(rounds < commits / 2, "\(rounds) fsync rounds for \(commits) commits: no sharing")
        try wal.close()
        var n = 0
        try replay(directory: tmp.path) { if case .samples(let s) = $0 { n += s.count } }
        #expect(n == commits)
    }

    /// Blocking committers on plain threads (the CLI path) also share fsyncs.
    @Test func blockingCommittersShareFsyncs() throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path, options: WALOptions(syncMode: .always))
        let threads = 8, commitsEach = 25
        let failures = Atomic<Int>(0)
        var workers: [DedicatedThread] = []
        for t in 0..<threads {
            workers.append(try DedicatedThread(name: "committer-\(t)") {
                for k in 0..<commitsEach {
                    do {
                        let p = try wal.append(testRecord(id: t * 1000 + k, size: 64))
                        try wal.waitDurableBlocking(p)
                    } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            })
        }
        for w in workers { w.join() }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(wal.fsyncCount < threads * commitsEach)
        try wal.close()
        #expect(try readAllRecords(tmp.path).records.count == threads * commitsEach)
    }

    @Test func waitAfterCloseAndFailureIsAnError() async throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let wal = try WAL.open(directory: tmp.path)
        let p = try wal.append([1, 2, 3])
        try wal.close()
        // Appended before close: durable after close's final fsync.
        try await wal.waitDurable(p)
        try wal.sync()  // nothing left to sync
        #expect(throws: WALError.self) { try wal.append([4]) }
    }
}

