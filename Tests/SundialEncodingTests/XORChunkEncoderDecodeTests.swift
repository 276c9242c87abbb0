import Testing
import SundialEncoding
import SundialTestSupport

/// ``XORChunkEncoder/decode(minTime:maxTime:timestamps:values:)`` (an open chunk read without
/// building its bytes) returns exactly what ``XORChunk/decode`` returns over ``XORChunkEncoder/bytes``,
/// after every sample (every count of pending words and bits, the spare-byte case) and for
/// ranges cutting the chunk anywhere.
@Suite struct XORChunkEncoderDecodeTests {
    static func check(_ e: XORChunkEncoder, _ minTime: Int64, _ maxTime: Int64,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        var wantT: [Int64] = [], wantV: [Double] = []
        try XORChunk.decode(e.bytes, minTime: minTime, maxTime: maxTime, timestamps: &wantT, values: &wantV)
        var gotT: [Int64] = [7], gotV: [Double] = [7]  // appends after what is there
        try e.decode(minTime: minTime, maxTime: maxTime, timestamps: &gotT, values: &gotV)
        #expect(gotT == [7] + wantT, sourceLocation: sourceLocation)
        #expect(gotV.map(\.bitPattern) == ([7] + wantV).map(\.bitPattern), sourceLocation: sourceLocation)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func everyPrefixMatchesTheByteDecoder(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var e = XORChunkEncoder()
        try Self.check(e, .min, .max)
        var t: Int64 = 1_700_000_000_000
        var v = 0.0
        var times: [Int64] = []
        for _ in 0..<300 {
            switch rng.below(6) {
            case 0: t += 15_000
            case 1: t += Int64(rng.below(1 << 20)) + 1
            case 2: t += Int64(rng.below(1 << 40)) + 1
            default: t += 15_000 + Int64(rng.below(5)) - 2
            }
            switch rng.below(5) {
            case 0: break  // unchanged value: one bit
            case 1: v = Double(bitPattern: rng.next())
            case 2: v += 1
            case 3: v = .nan
            default: v = Double(rng.below(1000)) / 8
            }
            e.append(timestamp: t, value: v)
            times.append(t)
            try Self.check(e, .min, .max)
            let a = times[rng.below(times.count)], b = times[rng.below(times.count)]
            try Self.check(e, Swift.min(a, b), Swift.max(a, b))
            try Self.check(e, Swift.min(a, b) + 1, Swift.max(a, b) - 1)
        }
    }

    @Test func prefetchChangesNothing() throws {
        var e = XORChunkEncoder()
        e.prefetchBytes()  // a minimal buffer
        for k in 0..<50 { e.append(timestamp: Int64(k) * 15_000, value: Double(k)) }
        let copy = e
        e.prefetchBytes()
        copy.prefetchBytes()
        try Self.check(e, .min, .max)
        #expect(e.bytes == copy.bytes)
    }

    @Test func emptyEncoderAppendsNothing() throws {
        var ts: [Int64] = [], vs: [Double] = []
        try XORChunkEncoder().decode(minTime: .min, maxTime: .max, timestamps: &ts, values: &vs)
        #expect(ts.isEmpty && vs.isEmpty)
    }
}
