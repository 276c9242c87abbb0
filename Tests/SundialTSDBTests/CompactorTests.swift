import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct CompactorTests {
    static let h: Int64 = 3_600_000

    /// Samples of series `i` in `[from, to)`: one every 15 s.
    static func samples(_ i: Int, from: Int64, to: Int64) -> (ts: [Int64], vs: [Double]) {
        let ts = Array(stride(from: from + Int64(i), to: to, by: 15_000))
        return (ts, ts.map { Double($0 / 1000 % 977) + Double(i) })
    }

    static func writeBlock(_ dir: String, from: Int64, to: Int64, series: Range<Int>) throws -> Block {
        var input: [(labels: Labels, chunks: [BlockChunk])] = []
        for i in series {
            let s = samples(i, from: from, to: to)
            input.append((Labels(["__name__": "m", "i": String(i)]), BlockChunk.xorChunks(timestamps: s.ts, values: s.vs)))
        }
        let meta = try BlockWriter.write(parentDirectory: dir, minTime: from, maxTime: to, series: input)
        return try Block(directory: "\(dir)/\(meta.ulid)")
    }

    static func readAll(_ block: Block) throws -> [Labels: SampleBuffer] {
        var out: [Labels: SampleBuffer] = [:]
        for s in try BlockQuerier(block: block, minTime: .min, maxTime: .max).select(sorted: true, hints: nil, matchers: []) {
            var buf = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            out[s.labels] = buf
        }
        return out
    }

    @Test func adjacentBlocksMergeByCopyingChunks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try Self.writeBlock(dir.path, from: 0, to: 2 * Self.h, series: 0..<20)
        let b = try Self.writeBlock(dir.path, from: 2 * Self.h, to: 4 * Self.h, series: 10..<30)
        let c = try Self.writeBlock(dir.path, from: 4 * Self.h, to: 6 * Self.h, series: 0..<5)
        let meta = try #require(try Compactor.compact([b, c, a], into: dir.path))
        #expect(meta.minTime == 0 && meta.maxTime == 6 * Self.h)
        #expect(meta.compaction.level == 2)
        #expect(Set(meta.compaction.sources) == Set([a.id, b.id, c.id]))
        #expect(meta.compaction.parents.map(\.ulid) == [a.id, b.id, c.id])
        #expect(meta.stats.numSeries == 30)
        #expect(meta.stats.numChunks == a.meta.stats.numChunks + b.meta.stats.numChunks + c.meta.stats.numChunks)
        #expect(meta.stats.numSamples == a.meta.stats.numSamples + b.meta.stats.numSamples + c.meta.stats.numSamples)
        let merged = try Self.readAll(try Block(directory: "\(dir.path)/\(meta.ulid)"))
        for i in 0..<30 {
            var want = SampleBuffer()
            for (lo, hi, r) in [(0, 2 * Self.h, 0..<20), (2 * Self.h, 4 * Self.h, 10..<30), (4 * Self.h, 6 * Self.h, 0..<5)] where r.contains(i) {
                let s = Self.samples(i, from: lo, to: hi)
                want.timestamps += s.ts
                want.values += s.vs
            }
            let got = try #require(merged[Labels(["__name__": "m", "i": String(i)])])
            #expect(got.timestamps == want.timestamps)
            #expect(got.values == want.values)
        }
    }

    @Test func overlappingBlocksMergeVerticallyWithoutDuplicates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try Self.writeBlock(dir.path, from: 0, to: 2 * Self.h, series: 0..<10)
        let b = try Self.writeBlock(dir.path, from: Self.h, to: 3 * Self.h, series: 5..<15)
        let meta = try #require(try Compactor.compact([a, b], into: dir.path))
        #expect(meta.minTime == 0 && meta.maxTime == 3 * Self.h)
        let merged = try Self.readAll(try Block(directory: "\(dir.path)/\(meta.ulid)"))
        #expect(merged.count == 15)
        for i in 0..<15 {
            let lo: Int64 = i < 5 ? 0 : (i < 10 ? 0 : Self.h)
            let hi: Int64 = i < 5 ? 2 * Self.h : 3 * Self.h
            let want = Self.samples(i, from: lo, to: hi)
            let got = try #require(merged[Labels(["__name__": "m", "i": String(i)])])
            #expect(got.timestamps == want.ts, "series \(i)")
            #expect(got.values == want.vs)
        }
        #expect(meta.stats.numSamples == UInt64(merged.values.reduce(0) { $0 + $1.count }))
    }

    @Test func tombstonesAreCleanedAndEmptySeriesDropped() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let w = try BlockWriter(parentDirectory: dir.path, minTime: 0, maxTime: 2 * Self.h)
        try w.addSymbols(["__name__", "m", "i", "0", "1"])
        let s0 = Self.samples(0, from: 0, to: 2 * Self.h), s1 = Self.samples(1, from: 0, to: 2 * Self.h)
        let r0 = try #require(try w.addSeries(Labels(["__name__": "m", "i": "0"]), chunks: BlockChunk.xorChunks(timestamps: s0.ts, values: s0.vs)))
        let r1 = try #require(try w.addSeries(Labels(["__name__": "m", "i": "1"]), chunks: BlockChunk.xorChunks(timestamps: s1.ts, values: s1.vs)))
        w.tombstones.add(r0, .init(minTime: .min, maxTime: .max))
        w.tombstones.add(r1, .init(minTime: 0, maxTime: Self.h - 1))
        let m = try w.commit()
        let block = try Block(directory: "\(dir.path)/\(m.ulid)")
        let out = try #require(try Compactor.compact([block], into: dir.path))
        #expect(out.stats.numSeries == 1)
        #expect(out.stats.numTombstones == 0)
        let merged = try Self.readAll(try Block(directory: "\(dir.path)/\(out.ulid)"))
        let got = try #require(merged[Labels(["__name__": "m", "i": "1"])])
        #expect(got.timestamps == s1.ts.filter { $0 >= Self.h })
    }

    @Test func everythingDeletedWritesNoBlock() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let w = try BlockWriter(parentDirectory: dir.path, minTime: 0, maxTime: 2 * Self.h)
        try w.addSymbols(["a", "b"])
        let r = try #require(try w.addSeries(Labels(["a": "b"]), chunks: BlockChunk.xorChunks(timestamps: [1, 2], values: [1, 2])))
        w.tombstones.add(r, .init(minTime: 0, maxTime: 10))
        let m = try w.commit()
        #expect(try Compactor.compact([try Block(directory: "\(dir.path)/\(m.ulid)")], into: dir.path) == nil)
        #expect(BlockFiles.list(dir.path) == [m.ulid.string])
    }
}
