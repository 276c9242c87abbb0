import SundialCore
import SundialEncoding
import SundialFileIO
import SundialTestSupport
import Testing
@testable import SundialTSDB

@Suite struct ChunkFileTests {
    /// Every chunk the fixture's index references decodes as an XOR chunk with a valid CRC, and
    /// their header sample counts add up to the samples sent.
    @Test func fixtureChunksDecode() throws {
        let b = try PromFixture.open()
        var chunks: [IndexChunkMeta] = []
        var samples = 0
        for ref in try b.index.allPostings() {
            _ = try b.index.series(UInt64(ref), chunks: &chunks)
            for c in chunks {
                let (enc, data) = try b.chunks.chunk(ChunkRef(rawValue: c.ref))
                #expect(enc == ChunkSegmentFormat.encodingXOR)
                samples += Int(data[0]) << 8 | Int(data[1])
            }
        }
        #expect(samples == PromFixture.sampleCount)
    }

    @Test func writerCutsSegmentsAndReaderFindsEveryChunk() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let w = try ChunkWriter(directory: dir.appending("chunks"), maxSegmentSize: 1000)
        var written: [(ChunkRef, [UInt8])] = []
        var rng = SplitMix64(seed: 5)
        for i in 0..<100 {
            let data = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } + [UInt8(i)]
            written.append((try w.write(encoding: 1, data: data), data))
        }
        try w.close()
        let r = try ChunkReader(directory: dir.appending("chunks"))
        #expect(r.segments.count > 5)
        #expect(r.segments.allSatisfy { $0.count <= 1000 })
        #expect(written.first?.0 == ChunkRef(segment: 0, offset: 8))
        for (ref, data) in written {
            let got = try r.chunk(ref)
            #expect(got.encoding == 1)
            #expect(got.data == data)
        }
    }

    @Test func corruptChunkIsReportedWithItsFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let w = try ChunkWriter(directory: dir.appending("chunks"))
        let ref = try w.write(encoding: 1, data: [1, 2, 3, 4])
        try w.close()
        let path = dir.appending("chunks/000001")
        var bytes = try BlockFiles.read(path)
        bytes[10] ^= 1
        try BlockFiles.writeDurably(path, bytes)
        let r = try ChunkReader(directory: dir.appending("chunks"))
        do {
            _ = try r.chunk(ref)
            Issue.record("corrupt chunk decoded")
        } catch let e as BlockError {
            #expect(e.kind == .corrupt)
            #expect(e.path.hasSuffix("chunks/000001"))
        }
        #expect(throws: BlockError.self) { try r.chunk(ChunkRef(segment: 1, offset: 8)) }
        #expect(throws: BlockError.self) { try r.chunk(ChunkRef(segment: 0, offset: 9999)) }
        #expect(throws: BlockError.self) { try r.chunk(ChunkRef(segment: 0, offset: 0)) }
    }

    @Test func badSegmentHeaderIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try BlockFiles.makeDirectory(dir.appending("chunks"))
        try BlockFiles.writeDurably(dir.appending("chunks/000001"), [0x85, 0xBD, 0x40, 0xDD, 2, 0, 0, 0])
        #expect(throws: BlockError.self) { try ChunkReader(directory: dir.appending("chunks")) }
        try BlockFiles.writeDurably(dir.appending("chunks/000001"), [0x85, 0xBD, 0x40, 0xDD, 1, 0, 0, 0])
        try BlockFiles.writeDurably(dir.appending("chunks/000003"), [0x85, 0xBD, 0x40, 0xDD, 1, 0, 0, 0])
        #expect(throws: BlockError.self) { try ChunkReader(directory: dir.appending("chunks")) }
    }
}
