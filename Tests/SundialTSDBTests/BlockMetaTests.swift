import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct BlockMetaTests {
    @Test func ulidRoundTripsAndSortsByTime() throws {
        var g = SplitMix64(seed: 1)
        let a = BlockID(timeMs: 1_700_000_000_000, using: &g)
        let b = BlockID(timeMs: 1_700_000_000_001, using: &g)
        #expect(a < b)
        #expect(a.string.count == 26)
        #expect(a.timeMs == 1_700_000_000_000)
        #expect(BlockID(a.string) == a)
        #expect(BlockID(a.string.lowercased()) == a)
        #expect(BlockID("not a ulid") == nil)
        #expect(BlockID("81M7ZBXXRZ4K3M05TXG8B5AN94") == nil)
        #expect(BlockID("01M7ZBXXRZ4K3M05TXG8B5ANUU") == nil)  // U is not Crockford
    }

    @Test func metaRoundTripsAndMatchesPrometheusShape() throws {
        let bytes = try Testdata.bytes("blocks/prom-2.42-small/meta.json")
        let m = try BlockMeta.decode(bytes, path: "meta.json")
        #expect(try BlockMeta.decode(m.encoded(), path: "x") == m)
        let text = String(decoding: try m.encoded(), as: UTF8.self)
        #expect(text.contains("\"numSamples\" : 882"))
        #expect(!text.contains("numTombstones"))
        #expect(!text.contains("parents"))
    }

    @Test func refusesBadMeta() {
        #expect(throws: BlockError.self) { try BlockMeta.decode(Array("{}".utf8), path: "m") }
        let v2 = #"{"ulid":"01M7ZBXXRZ4K3M05TXG8B5AN94","minTime":1,"maxTime":2,"stats":{},"compaction":{"level":1},"version":2}"#
        #expect(throws: BlockError.self) { try BlockMeta.decode(Array(v2.utf8), path: "m") }
        let inverted = #"{"ulid":"01M7ZBXXRZ4K3M05TXG8B5AN94","minTime":3,"maxTime":2,"stats":{},"compaction":{"level":1},"version":1}"#
        #expect(throws: BlockError.self) { try BlockMeta.decode(Array(inverted.utf8), path: "m") }
        let ok = #"{"ulid":"01M7ZBXXRZ4K3M05TXG8B5AN94","minTime":1,"maxTime":2,"stats":{},"compaction":{"level":1},"version":1}"#
        #expect((try? BlockMeta.decode(Array(ok.utf8), path: "m")) != nil)
    }
}
