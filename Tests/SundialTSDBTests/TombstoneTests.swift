import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct TombstoneTests {
    @Test func fixtureFileIsEmptyTombstones() throws {
        let bytes = try Testdata.bytes("blocks/prom-2.42-small/tombstones")
        #expect(try Tombstones.decode(bytes, path: "t").isEmpty)
        #expect(Tombstones().encoded() == bytes)
    }

    @Test func addMergesOverlappingAndAdjacentIntervals() {
        var t = Tombstones()
        t.add(1, .init(minTime: 10, maxTime: 20))
        t.add(1, .init(minTime: 30, maxTime: 40))
        t.add(1, .init(minTime: 21, maxTime: 25))
        #expect(t.deleted(1) == [.init(minTime: 10, maxTime: 25), .init(minTime: 30, maxTime: 40)])
        t.add(1, .init(minTime: 0, maxTime: 100))
        #expect(t.deleted(1) == [.init(minTime: 0, maxTime: 100)])
        t.add(2, .init(minTime: 5, maxTime: 4))
        #expect(t.deleted(2).isEmpty)
        t.add(2, .init(minTime: -5, maxTime: 4))
        #expect(t.count == 2)
    }

    @Test func extremeIntervalsMergeWithoutOverflow() throws {
        var t = Tombstones()
        t.add(1, .init(minTime: .min, maxTime: -10))
        t.add(1, .init(minTime: .min, maxTime: .min))
        t.add(1, .init(minTime: 10, maxTime: .max))
        t.add(1, .init(minTime: .max, maxTime: .max))
        #expect(t.deleted(1) == [.init(minTime: .min, maxTime: -10), .init(minTime: 10, maxTime: .max)])
        t.add(1, .init(minTime: -9, maxTime: 9))
        #expect(t.deleted(1) == [.init(minTime: .min, maxTime: .max)])
        // The same from disk: repeated extreme entries of one series decode, never trap.
        let bytes = TombstonesFormat.encode([
            .init(seriesRef: 5, minTime: .min, maxTime: 0), .init(seriesRef: 5, minTime: .min, maxTime: .min),
            .init(seriesRef: 5, minTime: .max, maxTime: .max), .init(seriesRef: 5, minTime: 1, maxTime: .max),
        ])
        #expect(try Tombstones.decode(bytes, path: "t").deleted(5) == [.init(minTime: .min, maxTime: .max)])
    }

    @Test func truncateAndRemove() {
        var t = Tombstones()
        t.add(1, .init(minTime: 0, maxTime: 10))
        t.add(1, .init(minTime: 20, maxTime: 30))
        t.add(2, .init(minTime: 0, maxTime: 5))
        t.add(3, .init(minTime: 0, maxTime: 100))
        t.truncate(before: 15)
        #expect(t.deleted(1) == [.init(minTime: 20, maxTime: 30)])
        #expect(t.deleted(2).isEmpty)
        #expect(t.deleted(3) == [.init(minTime: 0, maxTime: 100)])
        t.remove([3, 99])
        #expect(t.deleted(3).isEmpty)
        #expect(t.count == 1)
        t.truncate(before: 31)
        #expect(t.isEmpty)
    }

    @Test func roundTripAndCorruption() throws {
        var t = Tombstones()
        t.add(7, .init(minTime: -100, maxTime: 100))
        t.add(3, .init(minTime: Int64.min, maxTime: Int64.max))
        t.add(7, .init(minTime: 500, maxTime: 600))
        let bytes = t.encoded()
        #expect(try Tombstones.decode(bytes, path: "t") == t)
        for i in bytes.indices {
            var b = bytes
            b[i] ^= 0x4
            #expect(throws: BlockError.self) { try Tombstones.decode(b, path: "t") }
        }
        for n in 0..<bytes.count {
            #expect(throws: BlockError.self) { try Tombstones.decode(Array(bytes[0..<n]), path: "t") }
        }
    }
}
