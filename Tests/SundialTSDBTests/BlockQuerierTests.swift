import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct BlockQuerierTests {
    /// The querier returns exactly the samples sent to Prometheus, bit for bit (NaN payloads and
    /// stale markers included), for every series of the fixture.
    @Test func fixtureQueryReturnsExactlyTheSamplesSent() throws {
        let block = try PromFixture.open()
        let q = BlockQuerier(block: block, minTime: .min, maxTime: .max)
        let series = try q.select(sorted: true, hints: nil, matchers: [])
        #expect(series.count == PromFixture.samples.count)
        var buf = SampleBuffer()
        for s in series {
            buf.removeAll()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            let sent = try #require(PromFixture.samples[s.labels.description])
            #expect(buf.timestamps == sent.map(\.t), "\(s.labels)")
            #expect(buf.values.map(\.bitPattern) == sent.map(\.bits), "\(s.labels)")
        }
    }

    @Test func fixtureTimeRangeAndMatchers() throws {
        let block = try PromFixture.open()
        let t0: Int64 = 1_700_000_000_000
        let q = BlockQuerier(block: block, minTime: t0 + 60_000, maxTime: t0 + 120_000)
        let up = try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "fixture_up")])
        #expect(up.count == 1)
        var buf = SampleBuffer()
        try up[0].samples(minTime: .min, maxTime: .max, into: &buf)
        #expect(buf.timestamps == [60_000, 75_000, 90_000, 105_000, 120_000].map { t0 + $0 })
        buf.removeAll()
        try up[0].samples(minTime: t0 + 70_000, maxTime: t0 + 100_000, into: &buf)
        #expect(buf.values == [5, 6])
        // The info series has its only sample at t0+5: outside this range, so not selected.
        #expect(try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "fixture_info")]).isEmpty)
        let outside = BlockQuerier(block: block, minTime: 0, maxTime: t0 - 1)
        #expect(try outside.select(sorted: true, hints: nil, matchers: []).isEmpty)
        #expect(try outside.labelNames(matchers: []).isEmpty)
        let all = BlockQuerier(block: block, minTime: .min, maxTime: .max)
        #expect(try all.labelValues(name: "code", matchers: [.equal("__name__", "fixture_requests_total")]) == ["200", "500"])
        #expect(try all.labelNames(matchers: [.equal("__name__", "fixture_up")]) == ["__name__", "instance", "job"])
        #expect(try all.labelValues(name: "job", matchers: []) == ["api", "fixture"])
    }

    @Test func writtenBlockRoundTripsAndHonoursTombstones() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var input: [(labels: Labels, chunks: [BlockChunk])] = []
        var expected: [Labels: [(Int64, Double)]] = [:]
        for i in 0..<50 {
            let ls = Labels(["__name__": "m", "i": String(i), "even": i % 2 == 0 ? "yes" : "no"])
            let ts = (0..<(i * 7 + 1)).map { Int64($0) * 15_000 + Int64(i) }
            let vs = ts.map { Double($0 % 1000) / 7 }
            expected[ls] = Array(zip(ts, vs))
            input.append((ls, BlockChunk.xorChunks(timestamps: ts, values: vs)))
        }
        let w = try BlockWriter(parentDirectory: dir.path, minTime: 0, maxTime: 7_200_000)
        var symbols = Set<String>()
        for s in input { for l in s.labels { symbols.insert(l.name); symbols.insert(l.value) } }
        try w.addSymbols(symbols)
        var refOf: [Labels: UInt64] = [:]
        for s in input.sorted(by: { $0.labels < $1.labels }) { refOf[s.labels] = try w.addSeries(s.labels, chunks: s.chunks) }
        let victim = Labels(["__name__": "m", "i": "49", "even": "no"])
        let gone = Labels(["__name__": "m", "i": "0", "even": "yes"])
        w.tombstones.add(refOf[victim]!, DeletedInterval(minTime: 30_000, maxTime: 60_049))
        w.tombstones.add(refOf[gone]!, DeletedInterval(minTime: .min, maxTime: .max))
        let meta = try w.commit()
        #expect(meta.stats.numSeries == 50)
        #expect(meta.stats.numSamples == UInt64(expected.values.reduce(0) { $0 + $1.count }))
        #expect(meta.stats.numTombstones == 2)
        #expect(BlockFiles.list(dir.path) == [meta.ulid.string])

        let block = try Block(directory: "\(dir.path)/\(meta.ulid.string)")
        #expect(block.meta == meta)
        let q = BlockQuerier(block: block, minTime: .min, maxTime: .max)
        let series = try q.select(sorted: true, hints: nil, matchers: [])
        #expect(series.count == 49)  // "gone" is fully deleted
        var buf = SampleBuffer()
        for s in series {
            buf.removeAll()
            try s.samples(minTime: .min, maxTime: .max, into: &buf)
            var want = expected[s.labels]!
            if s.labels == victim { want.removeAll { $0.0 >= 30_000 && $0.0 <= 60_049 } }
            #expect(buf.timestamps == want.map(\.0))
            #expect(buf.values == want.map(\.1))
        }
        #expect(try q.select(sorted: true, hints: nil, matchers: [.equal("even", "yes")]).count == 24)
    }

    @Test func writerRefusesChunksOutsideItsRangeAndLeavesNoDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let chunks = BlockChunk.xorChunks(timestamps: [5, 10], values: [1, 2])
        #expect(throws: BlockError.self) {
            _ = try BlockWriter.write(parentDirectory: dir.path, minTime: 0, maxTime: 10, series: [(Labels(["a": "b"]), chunks)])
        }
        #expect(BlockFiles.list(dir.path).isEmpty)
    }

    @Test func mergeQuerierDeduplicatesOverlappingBlocks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = Labels(["__name__": "x", "k": "a"]), b = Labels(["__name__": "x", "k": "b"])
        let m1 = try BlockWriter.write(parentDirectory: dir.path, minTime: 0, maxTime: 100, series: [
            (a, BlockChunk.xorChunks(timestamps: [0, 10, 20, 30], values: [0, 1, 2, 3])),
        ])
        let m2 = try BlockWriter.write(parentDirectory: dir.path, minTime: 15, maxTime: 200, series: [
            (a, BlockChunk.xorChunks(timestamps: [20, 25, 150], values: [99, 2.5, 15])),
            (b, BlockChunk.xorChunks(timestamps: [16], values: [7])),
        ])
        let q = MergeQuerier([
            BlockQuerier(block: try Block(directory: "\(dir.path)/\(m1.ulid)"), minTime: 0, maxTime: 1000),
            BlockQuerier(block: try Block(directory: "\(dir.path)/\(m2.ulid)"), minTime: 0, maxTime: 1000),
        ])
        let s = try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "x")])
        #expect(s.map(\.labels) == [a, b])
        var buf = SampleBuffer()
        try s[0].samples(minTime: 0, maxTime: 1000, into: &buf)
        #expect(buf.timestamps == [0, 10, 20, 25, 30, 150])
        #expect(buf.values == [0, 1, 2, 2.5, 3, 15])
        #expect(try q.labelValues(name: "k", matchers: []) == ["a", "b"])
        #expect(try q.labelNames(matchers: []) == ["__name__", "k"])
    }

    /// The hints' `[start, end]` narrows a block select: series without a chunk there are not
    /// selected, and samples are clipped to it whatever range the caller asks for.
    @Test func hintsNarrowTheRange() throws {
        let block = try PromFixture.open()
        let t0: Int64 = 1_700_000_000_000
        let q = BlockQuerier(block: block, minTime: .min, maxTime: .max)
        let hints = SelectHints(start: t0 + 60_000, end: t0 + 120_000)
        let up = try q.select(sorted: true, hints: hints, matchers: [.equal("__name__", "fixture_up")])
        #expect(up.count == 1)
        var buf = SampleBuffer()
        try up[0].samples(minTime: .min, maxTime: .max, into: &buf)
        #expect(buf.timestamps == [60_000, 75_000, 90_000, 105_000, 120_000].map { t0 + $0 })
        #expect(try q.select(sorted: true, hints: hints, matchers: [.equal("__name__", "fixture_info")]).isEmpty)
        #expect(try q.select(sorted: true, hints: SelectHints(start: 0, end: t0 - 1), matchers: []).isEmpty)
        // Series-only selects the same series as a full select over the same range.
        let seriesOnly = SelectHints(start: hints.start, end: hints.end, function: SelectHints.seriesOnlyFunction)
        #expect(try q.select(sorted: true, hints: seriesOnly, matchers: []).map(\.labels)
                == q.select(sorted: true, hints: hints, matchers: []).map(\.labels))
    }
}
