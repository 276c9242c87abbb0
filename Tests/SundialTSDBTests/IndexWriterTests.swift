import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct IndexWriterTests {
    /// Deterministic synthetic series: job × handler × code × instance, some labels missing.
    static func syntheticSeries(count: Int, seed: UInt64 = 7) -> [Labels] {
        var rng = SplitMix64(seed: seed)
        var set = Set<Labels>()
        let handlers = ["/api/v1/query", "/api/v1/series", "/metrics", "/-/ready", "/api/v2/x", "ünï"]
        while set.count < count {
            var ls = [Label("__name__", ["http_requests_total", "up", "process_cpu_seconds_total"][Int(rng.next() % 3)])]
            ls.append(Label("job", "job\(rng.next() % 5)"))
            if rng.next() % 4 != 0 { ls.append(Label("handler", handlers[Int(rng.next() % UInt64(handlers.count))])) }
            if rng.next() % 3 != 0 { ls.append(Label("code", ["200", "404", "500", "503"][Int(rng.next() % 4)])) }
            ls.append(Label("instance", "host-\(rng.next() % 50):9100"))
            set.insert(Labels(ls))
        }
        return set.sorted()
    }

    static func write(_ series: [Labels], to path: String) throws -> [UInt64] {
        let w = IndexWriter(path: path)
        try w.addSymbols(series.flatMap { $0.flatMap { [$0.name, $0.value] } })
        var refs: [UInt64] = []
        for (i, ls) in series.enumerated() {
            let c = [IndexChunkMeta(minTime: Int64(i) * 10, maxTime: Int64(i) * 10 + 5, ref: UInt64(8 + i * 100)),
                     IndexChunkMeta(minTime: Int64(i) * 10 + 6, maxTime: Int64(i) * 10 + 9, ref: UInt64(1 << 32 | (8 + i * 100)))]
            refs.append(try w.addSeries(ls, chunks: c))
        }
        try w.close()
        return refs
    }

    @Test func roundTripSeriesPostingsAndValues() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let series = Self.syntheticSeries(count: 500)
        let path = dir.appending("index")
        let refs = try Self.write(series, to: path)
        let idx = try IndexReader(path: path)
        #expect(try idx.allPostings().map(UInt64.init) == refs)
        var chunks: [IndexChunkMeta] = []
        for (i, ref) in refs.enumerated() {
            #expect(try idx.series(ref, chunks: &chunks) == series[i])
            #expect(chunks.count == 2)
            #expect(chunks[1].ref == UInt64(1 << 32 | (8 + i * 100)))
            #expect(chunks[1].maxTime == Int64(i) * 10 + 9)
        }
        let names = Set(series.flatMap { $0.map(\.name) })
        #expect(idx.labelNames == names.sorted(by: byteOrderLess))
        for name in names {
            let vals = Set(series.compactMap { $0.get(name) })
            #expect(idx.labelValues(name) == vals.sorted(by: byteOrderLess))
            for v in vals {
                let want = refs.indices.filter { series[$0].get(name) == v }.map { UInt32(refs[$0]) }
                #expect(try idx.postings(name, v) == want)
            }
        }
    }

    /// Postings for random matcher sets equal a brute-force filter over all series.
    @Test func matchersAgreeWithLinearScan() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let series = Self.syntheticSeries(count: 400, seed: 3)
        let path = dir.appending("index")
        let refs = try Self.write(series, to: path)
        let idx = try IndexReader(path: path)
        let candidates: [LabelMatcher] = try [
            .equal("job", "job1"), .equal("handler", ""), .equal("nope", ""), .equal("nope", "x"),
            LabelMatcher(.notEqual, "code", "200"), LabelMatcher(.notEqual, "code", ""),
            LabelMatcher(.regexMatch, "handler", "/api/.*"), LabelMatcher(.regexMatch, "handler", "/api/v1/query|/metrics"),
            LabelMatcher(.regexMatch, "handler", ".*"), LabelMatcher(.regexMatch, "handler", ".+"),
            LabelMatcher(.regexMatch, "handler", "|/metrics"), LabelMatcher(.regexMatch, "instance", "host-1.*"),
            LabelMatcher(.regexMatch, "code", "5.."), LabelMatcher(.regexNoMatch, "code", "5.."),
            LabelMatcher(.regexNoMatch, "handler", "/api/.*"), LabelMatcher(.regexNoMatch, "job", ".*"),
            LabelMatcher(.regexMatch, "__name__", "up|http_.*"), LabelMatcher(.regexMatch, "handler", "ü.*"),
        ]
        var rng = SplitMix64(seed: 11)
        for _ in 0..<300 {
            let n = Int(rng.next() % 3) + 1
            let ms = (0..<n).map { _ in candidates[Int(rng.next() % UInt64(candidates.count))] }
            let want = refs.indices.filter { i in ms.allSatisfy { $0.matches(series[i].get($0.name) ?? "") } }.map { UInt32(refs[$0]) }
            #expect(try idx.postings(for: ms) == want, "\(ms)")
        }
    }

    @Test func emptyIndexOpens() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let w = IndexWriter(path: dir.appending("index"))
        try w.close()
        let idx = try IndexReader(path: dir.appending("index"))
        #expect(try idx.allPostings().isEmpty)
        #expect(idx.labelNames.isEmpty)
        #expect(try idx.postings(for: [.equal("a", "b")]).isEmpty)
    }

    @Test func refusesUnsortedSeriesAndMissingSymbols() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let w = IndexWriter(path: dir.appending("index"))
        try w.addSymbols(["a", "b", "c"])
        try w.addSeries(Labels(["a": "c"]), chunks: [])
        #expect(throws: BlockError.self) { try w.addSeries(Labels(["a": "b"]), chunks: []) }
        #expect(throws: BlockError.self) { try w.addSeries(Labels(["b": "zzz"]), chunks: []) }
    }

    @Test func postingsSetOperations() {
        #expect(Postings.intersect([1, 3, 5, 7, 9], [2, 3, 4, 9, 10]) == [3, 9])
        #expect(Postings.intersect([[1, 2, 3], [2, 3], [3, 4]]) == [3])
        #expect(Postings.merge([[1, 5], [2, 5, 9], [], [0]]) == [0, 1, 2, 5, 9])
        #expect(Postings.subtract([1, 2, 3, 4, 5], [2, 4, 6]) == [1, 3, 5])
        let long = Array(UInt32(0)..<10_000)
        #expect(Postings.intersect([5, 4097, 9999, 20_000], long) == [5, 4097, 9999])
    }
}

