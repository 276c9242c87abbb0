import Testing
@testable import SundialTSDB
import SundialTestSupport

@Suite struct CompactionPlannerTests {
    static let h: Int64 = 3_600_000
    static let ranges = CompactionPlanner.exponentialRanges(min: 2 * h, steps: 4, factor: 3)

    static func meta(_ minH: Int64, _ maxH: Int64, level: Int = 1, tombstones: UInt64 = 0, series: UInt64 = 10) -> BlockMeta {
        var g = SplitMix64(seed: UInt64(minH * 1000 + maxH))
        let id = BlockID(timeMs: 1_000 + minH, using: &g)
        return BlockMeta(ulid: id, minTime: minH * h, maxTime: maxH * h,
                         stats: .init(numSamples: 1, numSeries: series, numChunks: 1, numTombstones: tombstones),
                         compaction: .init(level: level, sources: [id]))
    }

    func times(_ ms: [BlockMeta]) -> [[Int64]] { ms.map { [$0.minTime / Self.h, $0.maxTime / Self.h] } }

    @Test func rangesAreExponential() {
        #expect(Self.ranges == [2, 6, 18, 54].map { $0 * Self.h })
        #expect(CompactionPlanner.defaultRanges(retentionMs: 15 * 24 * Self.h) == [2, 6, 18].map { $0 * Self.h })
        #expect(CompactionPlanner.defaultRanges(retentionMs: Self.h) == [2 * Self.h])
    }

    @Test func nothingToDoForFewBlocks() {
        #expect(CompactionPlanner.plan([], ranges: Self.ranges).isEmpty)
        #expect(CompactionPlanner.plan([Self.meta(0, 2)], ranges: Self.ranges).isEmpty)
        // Two blocks of a 6 h window: the newest is held back, so one candidate: nothing.
        #expect(CompactionPlanner.plan([Self.meta(0, 2), Self.meta(2, 4)], ranges: Self.ranges).isEmpty)
    }

    @Test func fullWindowIsCompacted() {
        let ms = [Self.meta(0, 2), Self.meta(2, 4), Self.meta(4, 6), Self.meta(6, 8)]
        #expect(times(CompactionPlanner.plan(ms, ranges: Self.ranges)) == [[0, 2], [2, 4], [4, 6]])
    }

    @Test func partialWindowBeforeNewestBlockIsCompacted() {
        // [0,2) and [2,4) of window [0,6); the newest starts at 8, after the window ended.
        let ms = [Self.meta(0, 2), Self.meta(2, 4), Self.meta(8, 10)]
        #expect(times(CompactionPlanner.plan(ms, ranges: Self.ranges)) == [[0, 2], [2, 4]])
    }

    @Test func higherLevelsCompactToo() {
        let ms = [Self.meta(0, 6, level: 2), Self.meta(6, 12, level: 2), Self.meta(12, 18, level: 2), Self.meta(18, 20)]
        #expect(times(CompactionPlanner.plan(ms, ranges: Self.ranges)) == [[0, 6], [6, 12], [12, 18]])
    }

    @Test func overlappingBlocksComeFirst() {
        let ms = [Self.meta(0, 2), Self.meta(2, 4), Self.meta(3, 5), Self.meta(4, 6), Self.meta(8, 10)]
        #expect(times(CompactionPlanner.plan(ms, ranges: Self.ranges)) == [[2, 4], [3, 5], [4, 6]])
    }

    @Test func tombstoneHeavyBigBlockIsRewritten() {
        let ms = [Self.meta(0, 18, level: 3, tombstones: 5, series: 10), Self.meta(18, 20)]
        #expect(times(CompactionPlanner.plan(ms, ranges: Self.ranges)) == [[0, 18]])
    }

    @Test func retentionByTimeIsRelativeToNewestBlock() {
        let ms = [Self.meta(0, 2), Self.meta(2, 4), Self.meta(4, 6), Self.meta(100, 102)]
        #expect(times(Retention.beyondTime(ms, retentionMs: 97 * Self.h)) == [[0, 2], [2, 4]])
        #expect(Retention.beyondTime(ms, retentionMs: 1000 * Self.h).isEmpty)
        #expect(Retention.beyondTime([Self.meta(0, 2)], retentionMs: 1).isEmpty)
    }

    @Test func retentionBySizeDropsOldestOnceBudgetExceeded() {
        let ms = [(Self.meta(0, 2), UInt64(100)), (Self.meta(2, 4), 100), (Self.meta(4, 6), 100)]
        #expect(times(Retention.beyondSize(ms, maxBytes: 250)) == [[0, 2]])
        #expect(times(Retention.beyondSize(ms, maxBytes: 250, otherBytes: 60)) == [[2, 4], [0, 2]])
        #expect(Retention.beyondSize(ms, maxBytes: 300).isEmpty)
        #expect(Retention.beyondSize(ms, maxBytes: 0).isEmpty)
    }
}
