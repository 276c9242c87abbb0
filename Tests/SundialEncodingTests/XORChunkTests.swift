import Foundation
import Testing
import SundialEncoding
import SundialTestSupport

@Suite struct XORChunkTests {
    typealias Sample = (t: Int64, v: Double)

    static func encode(_ samples: [Sample]) -> [UInt8] {
        var a = XORChunkAppender()
        for s in samples { a.append(timestamp: s.t, value: s.v) }
        return a.bytes
    }

    static func decodeAll(_ bytes: [UInt8]) throws -> [Sample] {
        var ts: [Int64] = []
        var vs: [Double] = []
        try XORChunk.decode(bytes, minTime: .min, maxTime: .max, timestamps: &ts, values: &vs)
        return Array(zip(ts, vs)).map { ($0.0, $0.1) }
    }

    static func expectSame(_ a: [Sample], _ b: [Sample], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) {
            #expect(x.t == y.t && x.v.bitPattern == y.v.bitPattern, "\(x) vs \(y)", sourceLocation: sourceLocation)
        }
    }

    /// Round trip through decode, the iterator, and a resumed appender.
    static func roundTrip(_ samples: [Sample], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = encode(samples)
        expectSame(try decodeAll(bytes), samples, sourceLocation: sourceLocation)
        var it = XORChunkIterator(bytes)
        var got: [Sample] = []
        while it.next() { got.append((it.timestamp, it.value)) }
        #expect(it.error == nil, sourceLocation: sourceLocation)
        expectSame(got, samples, sourceLocation: sourceLocation)
        // Resuming after any prefix gives the same bytes as one appender.
        for cut in [0, 1, 2, 3, samples.count / 2, samples.count] where cut <= samples.count {
            var a = try XORChunkAppender(resuming: encode(Array(samples[0..<cut])))
            for s in samples[cut...] { a.append(timestamp: s.t, value: s.v) }
            #expect(a.bytes == bytes, "resume at \(cut)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Compatibility with Prometheus 2.42

    /// Every chunk of a segment file promtool 2.42 wrote decodes to exactly the samples
    /// `promtool tsdb dump` printed, and re-encoding them gives the same bytes.
    @Test func prometheusChunkFileDecodesAndReencodesExactly() throws {
        let file = try Testdata.bytes("xor/prometheus-2.42-chunks-000001")
        let dump = try String(contentsOfFile: Testdata.path("xor/prometheus-2.42-dump.txt"), encoding: .utf8)
        var expected: [Sample] = []
        for line in dump.split(separator: "\n") {
            let parts = line.split(separator: " ")
            let t = try #require(Int64(parts[parts.count - 1]))
            let v = try #require(Double(String(parts[parts.count - 2])))
            expected.append((t, v))
        }
        #expect(file.prefix(8) == [0x85, 0xbd, 0x40, 0xdd, 0x01, 0, 0, 0])
        var decoded: [Sample] = []
        var chunks = 0
        try file.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw, position: 8)
            while !r.isAtEnd {
                let len = Int(try r.readUVarint())
                let enc = try r.readByte()
                #expect(enc == XORChunk.encoding)
                let data = [UInt8](try r.readBytes(len))
                _ = try r.readBE32()
                let samples = try Self.decodeAll(data)
                #expect(Self.encode(samples) == data, "chunk \(chunks) re-encodes to different bytes")
                decoded += samples
                chunks += 1
            }
        }
        #expect(chunks == 11)
        #expect(decoded.count == expected.count)
        for (d, e) in zip(decoded, expected) {
            #expect(d.t == e.t)
            if e.v.isNaN { #expect(d.v.isNaN) } else { #expect(d.v.bitPattern == e.v.bitPattern) }
        }
    }

    /// A small chunk copied from the fixture above (series `f_small`), as golden bytes.
    @Test func goldenBytesForASmallSeries() throws {
        let samples: [Sample] = [(1_700_000_000_005, 7), (1_700_000_000_006, 8), (1_700_001_000_006, 8.5)]
        let golden: [UInt8] = [
            0x00, 0x03, 0x8a, 0xa0, 0xab, 0xfe, 0xf9, 0x62, 0x40, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01, 0xd4, 0x27, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x11, 0xfe, 0xf0, 0x60,
        ]
        #expect(Self.encode(samples) == golden)
        Self.expectSame(try Self.decodeAll(golden), samples)
        #expect(Self.encode([]) == [0, 0])
        // One sample: varint timestamp, 64 value bits, and the spare byte Prometheus's writeByte leaves.
        #expect(Self.encode([(1, 1)]) == [0, 1, 2, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0])
    }

    // MARK: - Round trips

    @Test func constantCounterAndGauge() throws {
        let t0: Int64 = 1_700_000_000_000
        try Self.roundTrip((0..<240).map { (t0 + Int64($0) * 15_000, 42) })
        try Self.roundTrip((0..<240).map { (t0 + Int64($0) * 15_000, Double($0 * $0)) })
        var rng = SplitMix64(seed: 1)
        try Self.roundTrip((0..<240).map { _ in (0, 0) }.enumerated().map { i, _ in
            (t0 + Int64(i) * 15_000 + Int64(rng.next() % 7) - 3, Double.random(in: -1e9...1e9, using: &rng))
        })
    }

    @Test func specialValuesKeepTheirBits() throws {
        let specials: [Double] = [
            .nan, Double(bitPattern: 0x7ff0_0000_0000_0002), Double(bitPattern: 0x7ff8_0000_0000_0001),
            .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNonzeroMagnitude, .leastNormalMagnitude, 1, 1, Double(bitPattern: 0x7ff0_0000_0000_0002),
            Double(bitPattern: ~0), Double(bitPattern: 1), Double(bitPattern: 1 << 63 | 1),
        ]
        var samples: [Sample] = []
        for (i, v) in (specials + specials.reversed() + specials).enumerated() { samples.append((Int64(i) * 1000, v)) }
        try Self.roundTrip(samples)
        let decoded = try Self.decodeAll(Self.encode(samples))
        #expect(decoded[1].v.bitPattern == 0x7ff0_0000_0000_0002)
    }

    @Test func extremeTimestampsAndDeltas() throws {
        try Self.roundTrip([(.min, 1), (.max, 2), (.min, 3), (0, 4), (.max, 5), (-1, 6)])
        try Self.roundTrip([(0, 1), (-5, 1), (-1_000_000_000_000, 1), (7, 1), (7, 1), (7, 2)])
        // Every delta-of-delta bucket and its exact edges.
        var t: Int64 = 1000
        var delta: Int64 = 100
        var samples: [Sample] = [(0, 0), (t, 0)]
        let dods: [Int64] = [0, 1, -1, 8191, 8192, 8193, -8191, -8192, 65535, 65536, 65537, -65535, -65536,
                             524287, 524288, 524289, -524287, -524288, -524289, 1 << 40, -(1 << 40), 0, 0]
        for dod in dods {
            delta += dod
            t += delta
            samples.append((t, Double(samples.count)))
        }
        try Self.roundTrip(samples)
    }

    @Test func randomSeries() throws {
        var rng = SplitMix64(seed: 99)
        for _ in 0..<200 {
            let n = Int(rng.next() % 300)
            var t = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)
            var samples: [Sample] = []
            for _ in 0..<n {
                switch rng.next() % 4 {
                case 0: t &+= 15_000
                case 1: t &+= Int64(rng.next() % 100_000)
                case 2: t &+= Int64(bitPattern: rng.next()) >> 20
                default: t = Int64(bitPattern: rng.next())
                }
                let v: Double
                switch rng.next() % 5 {
                case 0: v = Double(bitPattern: rng.next())
                case 1: v = samples.last?.v ?? 0
                case 2: v = Double(rng.next() % 1000)
                case 3: v = (samples.last?.v ?? 0) + 0.5
                default: v = Double(bitPattern: rng.next() & 0xffff_0000_0000_0000)
                }
                samples.append((t, v))
            }
            try Self.roundTrip(samples)
        }
    }

    // MARK: - Reading

    @Test func decodeRestrictsToAClosedRange() throws {
        let bytes = Self.encode((0..<100).map { (Int64($0) * 10, Double($0)) })
        var ts: [Int64] = [-1]
        var vs: [Double] = [-1]
        try XORChunk.decode(bytes, minTime: 200, maxTime: 300, timestamps: &ts, values: &vs)
        #expect(ts == [-1] + Array(stride(from: 200, through: 300, by: 10)))
        #expect(vs.count == ts.count)
    }

    @Test func iteratorSeeks() {
        let bytes = Self.encode((0..<120).map { (Int64($0) * 10, Double($0)) })
        var it = XORChunkIterator(bytes)
        let found = it.seek(to: 55)
        #expect(found && it.timestamp == 60 && it.value == 6)
        let stays = it.seek(to: 10)  // already past: stays
        #expect(stays && it.timestamp == 60)
        let advanced = it.next()
        #expect(advanced && it.timestamp == 70)
        let beyond = it.seek(to: 5000)
        #expect(!beyond && it.error == nil)
        it.reset(bytes)
        let first = it.seek(to: .min)
        #expect(first && it.timestamp == 0)
        #expect(it.sampleCount == 120)
    }

    // MARK: - Corruption never traps

    @Test func truncatedChunksThrow() throws {
        var rng = SplitMix64(seed: 5)
        let samples: [Sample] = (0..<150).map { (Int64($0) * 15_000 + Int64(rng.next() % 50), Double(rng.next() % 100)) }
        let bytes = Self.encode(samples)
        // The stream may end with padding (or Prometheus's spare zero byte): a prefix either
        // holds every meaningful bit and decodes completely, or throws.
        var complete = 0
        for cut in 0..<bytes.count {
            let prefix = Array(bytes[0..<cut])
            if let got = try? Self.decodeAll(prefix) {
                Self.expectSame(got, samples)
                complete += 1
                continue
            }
            var it = XORChunkIterator(prefix)
            var n = 0
            while it.next() { n += 1 }
            #expect(it.error != nil && n < samples.count)
        }
        #expect(complete <= 1)
    }

    @Test func corruptedChunksNeverTrap() {
        var rng = SplitMix64(seed: 6)
        let samples: [Sample] = (0..<200).map { (Int64($0) * 15_000 + Int64(rng.next() % 5000), Double(bitPattern: rng.next())) }
        let bytes = Self.encode(samples)
        for _ in 0..<3000 {
            var b = bytes
            for _ in 0..<(1 + rng.next() % 3) {
                let i = Int(rng.next() % UInt64(b.count))
                b[i] ^= UInt8(truncatingIfNeeded: 1 << (rng.next() % 8))
            }
            _ = try? Self.decodeAll(b)
            var it = XORChunkIterator(b)
            while it.next() {}
            _ = try? XORChunkAppender(resuming: b)
        }
        // Arbitrary garbage, including a header claiming many samples.
        for _ in 0..<2000 {
            var b = [UInt8](repeating: 0, count: Int(rng.next() % 40))
            for i in b.indices { b[i] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? Self.decodeAll(b)
        }
    }
}
