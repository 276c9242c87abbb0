import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// The lazy postings evaluation (block index: lists searched in place in the mapping; head:
/// lists searched without merging) against the obvious oracle, a linear scan applying every
/// matcher to every series, over random matcher sets with all four matcher types, empty-matching
/// matchers, absent labels, literal alternations and prefix regexes.
@Suite struct PostingsForMatchersTests {
    /// 1,200 series: `a` (12 values), `b` (120 values, absent on every 7th series), `c` (3 values).
    static let series: [Labels] = (0..<1200).map { i in
        var ls = [Label("__name__", "m\(i % 4)"), Label("a", "a\(i % 12)"), Label("c", ["x", "y", "zz"][i % 3]), Label("i", String(i))]
        if i % 7 != 0 { ls.append(Label("b", "/api/v\(i % 120)")) }
        return Labels(ls)
    }

    static let pool: [LabelMatcher] = [
        .equal("a", "a3"), .equal("c", "x"), .equal("b", "/api/v5"), .equal("b", ""), .equal("nope", ""), .equal("nope", "v"),
        try! LabelMatcher(.notEqual, "c", "x"), try! LabelMatcher(.notEqual, "b", ""), try! LabelMatcher(.notEqual, "a", "a1"),
        try! LabelMatcher(.regexMatch, "b", "/api/v1.*"), try! LabelMatcher(.regexMatch, "a", "a1|a2|a11"),
        try! LabelMatcher(.regexMatch, "b", ".*"), try! LabelMatcher(.regexMatch, "b", ".+"), try! LabelMatcher(.regexMatch, "c", "x|"),
        try! LabelMatcher(.regexMatch, "__name__", "m[12]"), try! LabelMatcher(.regexMatch, "i", "1.*0"),
        try! LabelMatcher(.regexNoMatch, "c", "y"), try! LabelMatcher(.regexNoMatch, "b", "/api/v[0-4].*"),
        try! LabelMatcher(.regexNoMatch, "a", ".*"), try! LabelMatcher(.regexNoMatch, "nope", "x"),
    ]

    static func matches(_ ls: Labels, _ ms: [LabelMatcher]) -> Bool { ms.allSatisfy { $0.matches(ls.get($0.name) ?? "") } }

    static func randomSets(_ n: Int) -> [[LabelMatcher]] {
        var rng = SplitMix64(seed: 7)
        return (0..<n).map { _ in (0..<(1 + Int(rng.next() % 3))).map { _ in pool[Int(rng.next() % UInt64(pool.count))] } }
    }

    @Test func blockIndexAgreesWithALinearScan() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sorted = Self.series.sorted()
        let w = IndexWriter(path: dir.appending("index"))
        try w.addSymbols(sorted.flatMap { $0.flatMap { [$0.name, $0.value] } })
        for s in sorted { try w.addSeries(s, chunks: [IndexChunkMeta(minTime: 0, maxTime: 1, ref: 8)]) }
        try w.close()
        let idx = try IndexReader(path: dir.appending("index"))
        var chunks: [IndexChunkMeta] = []
        let all = try idx.allPostings()
        let labelsByRef = Dictionary(uniqueKeysWithValues: try all.map { ($0, try idx.series(UInt64($0), chunks: &chunks)) })
        for round in 0..<2 {  // the second round reads lists whose checksum was verified already
            for ms in Self.randomSets(120) {
                let got = try idx.postings(for: ms)
                #expect(got == got.sorted() && Set(got).count == got.count)
                let want = all.filter { Self.matches(labelsByRef[$0]!, ms) }
                #expect(got == want, "round \(round) \(ms): \(got.count) refs, want \(want.count)")
            }
        }
    }

    @Test func headAgreesWithALinearScan() throws {
        let head = Head()
        let app = head.appender()
        for s in Self.series { _ = try app.append(ref: .none, labels: s, timestamp: 1000, value: 1) }
        try app.commit()
        let q = HeadQuerier(head: head, minTime: .min, maxTime: .max)
        for ms in Self.randomSets(120) {
            let got = try q.selectHeadSeries(sorted: true, hints: nil, matchers: ms).map(\.labels)
            let want = Self.series.filter { Self.matches($0, ms) }.sorted()
            #expect(got == want, "\(ms): \(got.count) series, want \(want.count)")
        }
    }

    @Test func corruptPostingsAreErrorsNotTraps() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let sorted = Self.series.prefix(120).sorted()
        let w = IndexWriter(path: dir.appending("index"))
        try w.addSymbols(sorted.flatMap { $0.flatMap { [$0.name, $0.value] } })
        for s in sorted { try w.addSeries(s, chunks: [IndexChunkMeta(minTime: 0, maxTime: 1, ref: 8)]) }
        try w.close()
        let clean = try BlockFiles.read(dir.appending("index"))
        let idx0 = try IndexReader(bytes: clean, path: "clean")
        let ms: [LabelMatcher] = [.equal("c", "x"), try LabelMatcher(.notEqual, "a", "a1")]
        let want = try idx0.postings(for: ms)
        // Flip one byte at a time across the postings section: never a trap, and either an error
        // or (a flip outside the lists this query reads) the clean answer.
        let start = Int(idx0.toc.postings), end = Int(idx0.toc.postingsTable)
        var errors = 0
        for off in stride(from: start, to: end, by: 5) {
            var bytes = clean
            bytes[off] ^= 0x5A
            guard let idx = try? IndexReader(bytes: bytes, path: "flipped") else { continue }
            do {
                #expect(try idx.postings(for: ms) == want, "flip at \(off) changed the answer silently")
            } catch let e as BlockError {
                errors += 1
                #expect(e.path == "flipped")
            }
        }
        #expect(errors > 0)
    }
}
