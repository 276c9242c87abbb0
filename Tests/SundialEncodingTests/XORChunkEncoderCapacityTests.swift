import Testing
import SundialEncoding

/// ``XORChunkEncoder/expectSamples(_:firstTimestamp:)``: no growth of the open-chunk buffer goes past the predicted size
/// (issue #6), and the prediction never changes the bytes.
@Suite struct XORChunkEncoderCapacityTests {
    /// A counter-like series: 15 s apart with a few ms of jitter, increments of a few units.
    static let t0: Int64 = 1_763_700_000_000

    static func samples(_ count: Int, seed: UInt64) -> [(Int64, Double)] {
        var rng = seed
        func next() -> UInt64 {
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var out: [(Int64, Double)] = []
        var t = t0
        var v = 1000.0
        for _ in 0..<count {
            out.append((t, v))
            t += 15_000 + Int64(next() % 5)
            v += Double(next() % 2000) / 100
        }
        return out
    }

    @Test func layoutUnchangedByTheCapacityField() {
        // The unit count sits in former padding: the encoder (inside every head series) stays 72 bytes.
        #expect(MemoryLayout<XORChunkEncoder>.size == 72)
    }

    @Test func predictionCapsTheLastGrowthAtAboutTheFinalSize() {
        let all = Self.samples(120, seed: 7)
        var plain = XORChunkEncoder()
        var hinted = XORChunkEncoder()
        var hintedGrowths = 0
        var lastCapacity = hinted.bufferCapacity
        for (i, (t, v)) in all.enumerated() {
            if i == 30 { hinted.expectSamples(120, firstTimestamp: Self.t0) }
            plain.append(timestamp: t, value: v)
            hinted.append(timestamp: t, value: v)
            if i >= 30 && hinted.bufferCapacity != lastCapacity { hintedGrowths += 1 }
            lastCapacity = hinted.bufferCapacity
            #expect(hinted.byteCount == plain.byteCount)
        }
        #expect(hinted.bytes == plain.bytes)
        let predicted = try! #require(hinted.predictedCapacity)
        // The flushed stream fits in the prediction; the prediction is within a few blocks of it.
        let flushed = hinted.byteCount - hinted.byteCount % 32
        #expect(predicted >= flushed - 32 && predicted <= flushed + 64, "predicted \(predicted), final \(hinted.byteCount)")
        #expect(hintedGrowths <= 8)
        #expect(hinted.bufferCapacity <= plain.bufferCapacity)
        #expect(hinted.bufferCapacity <= hinted.byteCount + 64, "capacity \(hinted.bufferCapacity), bytes \(hinted.byteCount)")
    }

    @Test func shortPredictionStillHoldsEverySample() {
        let all = Self.samples(240, seed: 9)
        var e = XORChunkEncoder()
        var reference = XORChunkAppender()
        for (i, (t, v)) in all.enumerated() {
            if i == 30 { e.expectSamples(40, firstTimestamp: Self.t0) }  // far too few: growth continues past the prediction
            e.append(timestamp: t, value: v)
            reference.append(timestamp: t, value: v)
        }
        #expect(e.bytes == reference.bytes)
        #expect(e.bufferCapacity >= e.byteCount - 32)
    }

    @Test func ignoredWhenEmptyNotLargerOrTooBig() {
        var e = XORChunkEncoder()
        e.expectSamples(120, firstTimestamp: Self.t0)
        #expect(e.predictedCapacity == nil)
        e.append(timestamp: Self.t0, value: 1)
        e.expectSamples(120, firstTimestamp: Self.t0)  // one sample: no rate yet
        #expect(e.predictedCapacity == nil)
        e = XORChunkEncoder()
        for (t, v) in Self.samples(30, seed: 1) { e.append(timestamp: t, value: v) }
        e.expectSamples(30, firstTimestamp: Self.t0)
        #expect(e.predictedCapacity == nil)
        e.expectSamples(-5, firstTimestamp: Self.t0)
        #expect(e.predictedCapacity == nil)
        e.expectSamples(60_000, firstTimestamp: Self.t0)  // beyond 8,160 predicted bytes: the quarter policy stays
        #expect(e.predictedCapacity == nil)
        e.expectSamples(120, firstTimestamp: Self.t0)
        #expect(e.predictedCapacity != nil)
    }

    @Test func resetsClearThePrediction() {
        var e = XORChunkEncoder()
        for (t, v) in Self.samples(30, seed: 3) { e.append(timestamp: t, value: v) }
        e.expectSamples(120, firstTimestamp: Self.t0)
        #expect(e.predictedCapacity != nil)
        _ = e.finishReleasingBuffer()
        #expect(e.predictedCapacity == nil)
        for (t, v) in Self.samples(30, seed: 3) { e.append(timestamp: t, value: v) }
        e.expectSamples(120, firstTimestamp: Self.t0)
        e.reset()
        #expect(e.predictedCapacity == nil)
    }
}
