import Foundation
import SundialCore
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// Damaged copies of the Prometheus fixture block: every failure is a ``BlockError`` naming the
/// file, never a trap, and undamaged data still reads.
@Suite struct BlockCorruptionTests {
    static func copyFixture(to dir: TemporaryDirectory) throws -> String {
        let dst = dir.appending("01M7ZBXXRZ4K3M05TXG8B5AN94")
        try FileManager.default.copyItem(atPath: PromFixture.directory, toPath: dst)
        return dst
    }

    static func readAll(_ block: Block) throws -> Int {
        var n = 0
        var buf = SampleBuffer()
        for s in try BlockQuerier(block: block, minTime: .min, maxTime: .max).select(sorted: true, hints: nil, matchers: []) {
            buf.removeAll()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            n += buf.count
        }
        return n
    }

    /// Bytes of the chunk segment flipped in turn: the block reads all 882 samples or throws
    /// a BlockError naming the segment.
    @Test func everyChunkSegmentByteFlipIsCaughtOrHarmless() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try Self.copyFixture(to: dir)
        let segPath = "\(path)/chunks/000001"
        let good = try BlockFiles.read(segPath)
        var caught = 0, tried = 0
        // Every 11th byte keeps the test fast; the offsets cover headers, lengths, data and CRCs.
        for i in stride(from: 0, to: good.count, by: 11) {
            var b = good
            b[i] ^= 0x01
            tried += 1
            try Data(b).write(to: URL(fileURLWithPath: segPath))
            do {
                let n = try Self.readAll(try Block(directory: path))
                #expect(n == PromFixture.sampleCount, "flip at \(i) changed the data silently")
            } catch let e as BlockError {
                #expect(e.path.contains("chunks"))
                caught += 1
            }
        }
        // Only the 3 header padding bytes (offsets 5–7) are unchecked.
        #expect(caught >= tried - 1)
    }

    @Test func missingOrBrokenFilesAreNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try Self.copyFixture(to: dir)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: "\(path)/meta.json"))
        #expect { try Block(directory: path) } throws: { ($0 as? BlockError)?.path.hasSuffix("meta.json") ?? false }
        try FileManager.default.removeItem(atPath: "\(path)/meta.json")
        try FileManager.default.copyItem(atPath: "\(PromFixture.directory)/meta.json", toPath: "\(path)/meta.json")
        try FileManager.default.removeItem(atPath: "\(path)/index")
        #expect { try Block(directory: path) } throws: { ($0 as? BlockError)?.path.hasSuffix("index") ?? false }
        try FileManager.default.copyItem(atPath: "\(PromFixture.directory)/index", toPath: "\(path)/index")
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(path)/tombstones"))
        #expect { try Block(directory: path) } throws: { ($0 as? BlockError)?.path.hasSuffix("tombstones") ?? false }
        try FileManager.default.removeItem(atPath: "\(path)/tombstones")
        // A missing tombstones file means no tombstones, as in Prometheus.
        #expect(try Self.readAll(try Block(directory: path)) == PromFixture.sampleCount)
    }
}
