import Testing
import Synchronization
import SundialCore
import SundialEncoding
@testable import SundialTSDB

/// ``MemSeries`` and ``SeriesState`` memory (issue #6: peak RSS at 100k series): layout sizes,
/// the newest sample parked in the empty open chunk, and the open chunk's buffer prediction.
@Suite struct MemSeriesTests {
    @Test func layoutSizes() {
        // 112 + the lock word (padded to 8): a series object of 153 bytes, a 176-byte malloc chunk
        // (it was 169 / 192 with the parked sample's 16 bytes stored beside the encoder).
        #expect(MemoryLayout<SeriesState>.size <= 112)
        #expect(MemoryLayout<Mutex<SeriesState>>.size <= 120)
    }

    @Test func newestSampleIsParkedAcrossCutAndTruncation() {
        var st = SeriesState()
        #expect(st.maxTime == .min)
        #expect(st.check(-5, 0) == .ok)  // an empty series accepts any time, also before 0
        let range: Int64 = 1000
        for t in stride(from: Int64(0), to: 1500, by: 100) {
            _ = st.append(t, Double(t), chunkRange: range, samplesPerChunk: 120)
        }
        #expect(st.full.count == 1 && st.open.count == 5)
        // Truncating the open chunk parks its newest sample: order and duplicate checks still see it.
        _ = st.truncateChunks(before: 1450)
        #expect(st.open.count == 0 && st.full.isEmpty)
        #expect(st.maxTime == 1400)
        #expect(st.check(1400, Double(1400).bitPattern) == .exactDuplicate)
        #expect(st.check(1400, Double(1).bitPattern) == .duplicateTimestamp)
        #expect(st.check(1300, 0) == .outOfOrder)
        #expect(st.append(1400, 1, chunkRange: range, samplesPerChunk: 120) == .rejected)
        #expect(st.append(1500, 1, chunkRange: range, samplesPerChunk: 120) == .appendedNewChunk)
        #expect(st.maxTime == 1500 && st.open.count == 1)
    }

    @Test func expectedSamplesFollowsTheMeanInterval() {
        // 30 samples 15 s apart, cut predicted 30 min after the start: 120 samples.
        #expect(SeriesState.expectedSamples(start: 0, current: 29 * 15_000, count: 30, end: 1_800_000, limit: 240) == 120)
        #expect(SeriesState.expectedSamples(start: 0, current: 29 * 15_000, count: 30, end: 1_800_001, limit: 240) == 121)
        #expect(SeriesState.expectedSamples(start: 0, current: 29 * 15_000, count: 30, end: 7_200_000, limit: 240) == 240)
        #expect(SeriesState.expectedSamples(start: 5, current: 5, count: 30, end: 100, limit: 240) == 0)
        #expect(SeriesState.expectedSamples(start: 0, current: 10, count: 1, end: 100, limit: 240) == 0)
        #expect(SeriesState.expectedSamples(start: .min, current: .max, count: 30, end: .max, limit: 240) == 0)
        #expect(SeriesState.expectedSamples(start: 0, current: 1, count: 30, end: .max, limit: 240) == 240)
    }

    @Test func openChunkBufferEndsNearItsSizeAtTheCut() {
        // 15 s samples with a few ms of jitter and noisy values, one 2 h range: chunks of 120.
        var st = SeriesState()
        var capacities: [Int] = []
        var sizes: [Int] = []
        var v = 0.0
        for i in 0..<479 {
            let t = Int64(i) * 15_000 + Int64(i * 7 % 5)
            v += Double(i * 31 % 17) / 10
            _ = st.append(t, v, chunkRange: 7_200_000, samplesPerChunk: 120)
            if st.open.count == 120 {
                capacities.append(st.open.bufferCapacity)
                sizes.append(st.open.byteCount)
            }
        }
        #expect(capacities.count == 3)
        for (c, s) in zip(capacities, sizes) {
            #expect(c <= s + 64, "capacity \(c) for a \(s)-byte chunk")
        }
    }
}
