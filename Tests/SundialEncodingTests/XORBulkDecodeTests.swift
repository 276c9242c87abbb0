import Testing
import SundialEncoding
import SundialTestSupport

/// The whole-chunk decoder (`XORChunk+BulkDecode.swift`: padded scratch copy, branch-free
/// delta-of-delta and window selection, one truncation check per sample) against
/// ``XORChunkIterator``, the sample-at-a-time reference: the same samples, and on corrupt or
/// truncated input the same samples before the failure and the same error kind.
@Suite struct XORBulkDecodeTests {
    /// The iterator's samples in `[minTime, maxTime]` (stopping past `maxTime`) and its error.
    static func reference(_ bytes: [UInt8], _ minTime: Int64, _ maxTime: Int64)
        -> (ts: [Int64], vs: [UInt64], error: DecodeError.Kind?)
    {
        var it = XORChunkIterator(bytes)
        var ts: [Int64] = [], vs: [UInt64] = []
        while it.next() {
            if it.timestamp < minTime { continue }
            if it.timestamp > maxTime { return (ts, vs, nil) }
            ts.append(it.timestamp)
            vs.append(it.value.bitPattern)
        }
        return (ts, vs, it.error?.kind)
    }

    static func check(_ bytes: [UInt8], _ minTime: Int64 = .min, _ maxTime: Int64 = .max,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let want = reference(bytes, minTime, maxTime)
        var ts: [Int64] = [-1], vs: [Double] = [-1]
        var kind: DecodeError.Kind?
        do {
            try XORChunk.decode(bytes, minTime: minTime, maxTime: maxTime, timestamps: &ts, values: &vs)
        } catch {
            kind = error.kind
        }
        #expect(ts == [-1] + want.ts, sourceLocation: sourceLocation)
        #expect(vs.map(\.bitPattern) == [(-1.0).bitPattern] + want.vs, sourceLocation: sourceLocation)
        #expect(kind == want.error, sourceLocation: sourceLocation)
    }

    /// A chunk over every timestamp form (`0`, 14/17/20-bit and 64-bit delta of delta, negative
    /// ones) and every value form (equal, previous window, new window, 64 significant bits, NaN).
    static func chunk(_ rng: inout SplitMix64, samples: Int) -> (bytes: [UInt8], times: [Int64]) {
        var a = XORChunkAppender()
        var t: Int64 = 1_700_000_000_000
        var v = 0.0
        var times: [Int64] = []
        for _ in 0..<samples {
            switch rng.below(7) {
            case 0: t += 15_000
            case 1: t += Int64(rng.below(1 << 15)) + 1
            case 2: t += Int64(rng.below(1 << 19)) + 1
            case 3: t += Int64(rng.below(1 << 40)) + 1
            default: t += 15_000 + Int64(rng.below(5)) - 2
            }
            switch rng.below(6) {
            case 0: break
            case 1: v = Double(bitPattern: rng.next())
            case 2: v += 1
            case 3: v = .nan
            case 4: v = -Double(rng.below(1 << 30)) * 1e-3
            default: v = Double(rng.below(1000)) / 8
            }
            a.append(timestamp: t, value: v)
            times.append(t)
        }
        return (a.finish(), times)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomChunksAndRangesMatchTheIterator(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for samples in [1, 2, 3, 4, 17, 120, 500] {
            for _ in 0..<20 {
                let (bytes, times) = Self.chunk(&rng, samples: samples)
                Self.check(bytes)
                let a = times[rng.below(times.count)], b = times[rng.below(times.count)]
                Self.check(bytes, Swift.min(a, b), Swift.max(a, b))
                Self.check(bytes, Swift.min(a, b) + 1, Swift.max(a, b) - 1)
                Self.check(bytes, .min, times[0] - 1)
            }
        }
    }

    @Test func truncatedChunksStopWhereTheIteratorStops() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<10 {
            let (bytes, _) = Self.chunk(&rng, samples: 60)
            for cut in 0...bytes.count { Self.check(Array(bytes[..<cut])) }
        }
    }

    @Test func flippedBitsAndGarbageNeverTrapAndMatchTheIterator() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<300 {
            var (bytes, _) = Self.chunk(&rng, samples: 1 + rng.below(150))
            for _ in 0..<1 + rng.below(4) {
                let bit = rng.below(bytes.count * 8)
                bytes[bit >> 3] ^= UInt8(1) << UInt8(bit & 7)
            }
            Self.check(bytes)
        }
        for length in 0..<80 {
            for _ in 0..<20 {
                Self.check((0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            }
        }
    }

    @Test func aWindowWiderThan64BitsIsInvalidNotTruncated() {
        // Two samples, then a third whose value opens a window of 31 leading zeros and 40 bits.
        var w = BitWriter()
        w.writeBits(3, count: 16)  // header: 3 samples (byte-aligned, so via whole bytes)
        w.writeBits(0, count: 8)  // varint t0 = 0
        w.writeBits(0, count: 64)  // v0
        w.writeBits(10, count: 8)  // uvarint delta 10
        w.writeBits(0, count: 1)  // v1 == v0
        w.writeBits(0, count: 1)  // dod 0
        w.writeBits(0b11, count: 2)  // new window
        w.writeBits(31, count: 5)
        w.writeBits(40, count: 6)
        w.writeBits(0, count: 64)  // enough bits for the value either way
        var ts: [Int64] = [], vs: [Double] = []
        var kind: DecodeError.Kind?
        do { try XORChunk.decode(w.bytes, minTime: .min, maxTime: .max, timestamps: &ts, values: &vs) } catch { kind = error.kind }
        #expect(kind == .invalid)
        #expect(ts == [0, 10])
        Self.check(w.bytes)
    }
}
