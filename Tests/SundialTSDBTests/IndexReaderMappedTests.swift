import SundialCore
import SundialEncoding
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// The memory-mapped index (``IndexReader/init(path:)``) and the in-memory one
/// (``IndexReader/init(bytes:path:)``) decode the same file identically, and a damaged file
/// opened by path fails as a ``BlockError`` naming it.
@Suite struct IndexReaderMappedTests {
    @Test func mappedAndInMemoryReadersAgreeOnThePrometheusFixture() throws {
        let path = "\(PromFixture.directory)/index"
        let mapped = try IndexReader(path: path)
        let inMemory = try IndexReader(bytes: BlockFiles.read(path), path: path)
        #expect(mapped.size == inMemory.size)
        #expect(mapped.symbolCount == inMemory.symbolCount)
        #expect(mapped.labelNames == inMemory.labelNames)
        let all = try mapped.allPostings()
        #expect(all == (try inMemory.allPostings()))
        for name in mapped.labelNames {
            #expect(mapped.labelValues(name) == inMemory.labelValues(name))
            for value in mapped.labelValues(name) {
                #expect(try mapped.postings(name, value) == (try inMemory.postings(name, value)))
            }
        }
        var a: [IndexChunkMeta] = []
        var b: [IndexChunkMeta] = []
        for ref in all {
            let la = try mapped.series(UInt64(ref), chunks: &a)
            let lb = try inMemory.series(UInt64(ref), chunks: &b)
            #expect(la == lb)
            #expect(a == b)
        }
    }

    @Test func damagedMappedIndexIsABlockErrorNamingTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var bytes = try BlockFiles.read("\(PromFixture.directory)/index")
        // Break the TOC's CRC (the last 4 bytes).
        bytes[bytes.count - 1] ^= 0xff
        let path = dir.appending("index")
        try BlockFiles.writeDurably(path, bytes)
        do {
            _ = try IndexReader(path: path)
            Issue.record("a damaged index opened")
        } catch let e as BlockError {
            #expect("\(e)".contains(path))
        }
        // Missing and empty files fail the same way, without trapping.
        #expect(throws: BlockError.self) { try IndexReader(path: dir.appending("missing")) }
        try BlockFiles.writeDurably(dir.appending("empty"), [])
        #expect(throws: BlockError.self) { try IndexReader(path: dir.appending("empty")) }
    }
}
