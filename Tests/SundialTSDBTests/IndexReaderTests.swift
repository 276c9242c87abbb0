import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct IndexReaderTests {
    @Test func fixtureSeriesMatchTheSamplesSent() throws {
        let idx = try IndexReader(path: "\(PromFixture.directory)/index")
        let all = try idx.allPostings()
        #expect(all.count == 19)
        var seen: [String] = []
        var chunks: [IndexChunkMeta] = []
        var totalChunks = 0
        var previous: Labels?
        for ref in all {
            let ls = try idx.series(UInt64(ref), chunks: &chunks)
            if let p = previous { #expect(p < ls) }
            previous = ls
            seen.append(ls.description)
            totalChunks += chunks.count
            let sent = try #require(PromFixture.samples[ls.description])
            #expect(chunks.first?.minTime == sent.first?.t)
            #expect(chunks.last?.maxTime == sent.last?.t)
        }
        #expect(Set(seen) == Set(PromFixture.samples.keys))
        #expect(totalChunks == 21)
    }

    @Test func fixtureLabelNamesAndValues() throws {
        let idx = try IndexReader(path: "\(PromFixture.directory)/index")
        #expect(idx.labelNames == ["__name__", "code", "handler", "instance", "job", "kind", "room", "version"])
        #expect(idx.labelValues("handler") == ["/-/ready", "/api/v1/query", "/api/v1/query_range", "/metrics"])
        #expect(idx.labelValues("job") == ["api", "fixture"])
        #expect(idx.labelValues("nope") == [])
        #expect(try idx.postings("job", "api").count == 12)
        #expect(try idx.postings("job", "nope").isEmpty)
    }

    @Test func fixtureMatchers() throws {
        let idx = try IndexReader(path: "\(PromFixture.directory)/index")
        func count(_ ms: [LabelMatcher]) throws -> Int { try idx.postings(for: ms).count }
        #expect(try count([.equal("job", "api")]) == 12)
        #expect(try count([.equal("job", "api"), LabelMatcher(.regexMatch, "handler", "/api/.*"), LabelMatcher(.notEqual, "code", "200")]) == 4)
        #expect(try count([LabelMatcher(.regexMatch, "handler", "/metrics|/-/ready")]) == 6)
        // Matchers accepting "" select series without the label.
        #expect(try count([.equal("handler", "")]) == 7)
        #expect(try count([LabelMatcher(.notEqual, "handler", "/metrics")]) == 16)
        #expect(try count([LabelMatcher(.regexNoMatch, "handler", "/api/.*")]) == 13)
        #expect(try count([LabelMatcher(.regexMatch, "handler", ".*")]) == 19)
        #expect(try count([LabelMatcher(.regexMatch, "handler", ".+")]) == 12)
        #expect(try count([LabelMatcher(.notEqual, "handler", "")]) == 12)
        #expect(try count([.equal("__name__", "fixture_up"), .equal("job", "api")]) == 0)
        #expect(try count([]) == 19)
    }

    /// Every single-bit flip and every truncation of the fixture index either opens and reads or
    /// throws; nothing traps.
    @Test func corruptIndexNeverTraps() throws {
        let good = try Testdata.bytes("blocks/prom-2.42-small/index")
        let toc = try IndexFormat.decodeTOC(good)
        // Bytes every reader path checks: symbols, postings lists, postings offset table, TOC.
        // (Alignment padding and the legacy label indices, which nothing reads, are not.)
        let checked = Int(toc.symbols)..<Int(toc.series)
        let checked2 = Int(toc.postings)..<Int(toc.labelIndicesTable)
        let checked3 = Int(toc.postingsTable)..<good.count
        for i in 0..<good.count {
            var b = good
            b[i] ^= 0x10
            let ok = readEverything(b)
            if checked.contains(i) || checked2.contains(i) || checked3.contains(i) {
                #expect(!ok, "flip at \(i) went unnoticed")
            }
        }
        for n in 0..<good.count {
            #expect(!readEverything(Array(good[0..<n])))
        }
    }

    func readEverything(_ bytes: [UInt8]) -> Bool {
        do {
            let idx = try IndexReader(bytes: bytes, path: "corrupt")
            var chunks: [IndexChunkMeta] = []
            for ref in try idx.allPostings() { _ = try idx.series(UInt64(ref), chunks: &chunks) }
            for name in idx.labelNames {
                for v in idx.labelValues(name) { _ = try idx.postings(name, v) }
            }
            _ = try idx.postings(for: [try LabelMatcher(.regexMatch, "handler", "/api.*")])
            return true
        } catch {
            #expect(error is BlockError)
            return false
        }
    }
}
