import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Seeded random mutations of valid bodies: decoding must either succeed or throw
/// ``IngestError``, never trap, and the write path must stay consistent. Bounded (a fixed number
/// of iterations, well under a few seconds in debug builds).
@Suite struct RemoteWriteFuzzTests {
    /// SplitMix64: a small deterministic generator so failures reproduce.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func seedBodies() throws -> [(RemoteWriteVersion, [UInt8])] {
        var series: [RemoteWriteRequest.Series] = []
        for i in 0..<8 {
            var s = RemoteWriteRequest.Series(labels: [Label("__name__", "m\(i % 3)"), Label("i", "\(i)"), Label("job", "fuzz")])
            for k in 0..<3 { s.samples.append(.init(value: Double(k) * 1.5, timestamp: Int64(k * 1000 + i))) }
            if i == 2 { s.exemplars = [.init(labels: [Label("t", "x")], value: 1, timestamp: 1)] }
            if i == 3 { s.histograms = [.init(timestamp: 5, count: 2, sum: 1, schema: 1, positiveSpans: [(0, 1)], positiveDeltas: [2])] }
            if i == 4 { s.metadata = .init(type: .counter, help: "h", unit: "u") }
            series.append(s)
        }
        let req = RemoteWriteRequest(series: series, metadata: [MetricMetadata(metricFamily: "m0", type: .gauge, help: "help", unit: "")])
        var out: [(RemoteWriteVersion, [UInt8])] = [(RemoteWriteVersion.v1, req.encoded(.v1)), (RemoteWriteVersion.v2, req.encoded(.v2))]
        for name in ["prometheus-2.42-samples-0", "prometheus-2.42-metadata"] {
            out.append((.v1, try Snappy.decompress(Testdata.bytes("remote-write/\(name).bin"))))
        }
        return out
    }

    static func mutate(_ body: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var b = body
        let ops = Int.random(in: 1...4, using: &rng)
        for _ in 0..<ops {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !b.isEmpty:  // flip a bit
                let i = Int.random(in: 0..<b.count, using: &rng)
                b[i] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !b.isEmpty:  // random byte
                b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 2 where !b.isEmpty:  // truncate
                b.removeLast(Int.random(in: 1...min(b.count, 64), using: &rng))
            case 3:  // insert garbage
                let at = Int.random(in: 0...b.count, using: &rng)
                b.insert(contentsOf: (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: at)
            case 4 where b.count > 2:  // duplicate a slice
                let i = Int.random(in: 0..<b.count - 1, using: &rng)
                let j = Int.random(in: i + 1...min(b.count, i + 32), using: &rng)
                b.insert(contentsOf: b[i..<j], at: Int.random(in: 0...b.count, using: &rng))
            default:  // huge varint
                let at = Int.random(in: 0...b.count, using: &rng)
                b.insert(contentsOf: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], at: at)
            }
        }
        return b
    }

    @Test func mutatedBodiesNeverTrap() throws {
        var rng = Rng(state: 0x5EED)
        let seeds = try Self.seedBodies()
        let storage = MemoryStorage()
        let ing = RemoteWriteIngester(storage: storage, now: { 1_000_000 })
        let decoder = RemoteWriteDecoder()
        var ok = 0, failed = 0
        for i in 0..<1500 {
            let (version, seed) = seeds[i % seeds.count]
            let body = Self.mutate(seed, &rng)
            do {
                try decoder.decode(uncompressed: body, version: version)
                _ = decoder.inspect()
                ok += 1
            } catch {
                #expect(!error.description.isEmpty)
                failed += 1
            }
            // Every fourth body also goes through the whole path, compressed or not.
            if i % 4 == 0 {
                do {
                    let r = i % 8 == 0 ? try ing.write(Snappy.compress(body), version: version) : try ing.write(uncompressed: body, version: version)
                    #expect(r.samplesWritten + r.rejectedCount >= 0)
                } catch {
                    #expect(error.kind != .storage)
                }
            }
        }
        #expect(ok + failed == 1500)
        #expect(failed > 0)
    }

    @Test func garbageCompressedBodiesNeverTrap() throws {
        var rng = Rng(state: 42)
        let ing = RemoteWriteIngester(storage: MemoryStorage(), now: { 0 })
        let seed = try Testdata.bytes("remote-write/prometheus-2.42-samples-1.bin")
        // 100 rounds: each decompresses up to ~200 KB, which unoptimised debug builds do slowly.
        for _ in 0..<100 {
            let body = Self.mutate(seed, &rng)
            _ = try? ing.write(body, version: .v1)
            _ = try? ing.write(body, version: .v2)
            _ = try? RemoteReadRequest.decode(body)
        }
    }
}
