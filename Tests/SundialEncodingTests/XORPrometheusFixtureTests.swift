import SundialEncoding
import SundialTestSupport
import Testing

/// Walks the block Prometheus 2.42 wrote (testdata/blocks/prom-2.42-small) with the Encoding
/// codecs alone and re-encodes every XOR chunk with ``XORChunkAppender``: the bytes must be
/// identical to Prometheus's.
@Suite struct XORPrometheusFixtureTests {
    @Test func everyChunkReencodesToTheSameBytes() throws {
        let index = try Testdata.bytes("blocks/prom-2.42-small/index")
        let segment = try Testdata.bytes("blocks/prom-2.42-small/chunks/000001")
        try ChunkSegmentFormat.validateHeader(segment)
        let toc = try IndexFormat.decodeTOC(index)
        var all: UInt64?
        try PostingsFormat.forEachPostingsOffset(index, at: Int(toc.postingsTable)) { n, v, off in
            if n.isEmpty && v.isEmpty { all = off }
        }
        var refs: [UInt32] = []
        try PostingsFormat.decodePostings(index, at: Int(try #require(all)), into: &refs)
        var labelRefs: [UInt32] = []
        var metas: [IndexChunkMeta] = []
        var chunks = 0, samples = 0
        for ref in refs {
            try IndexSeriesEntry.decode(index, at: Int(ref) * 16, labelRefs: &labelRefs, chunks: &metas)
            for m in metas {
                #expect(m.ref >> 32 == 0)  // one segment: file 000001 is segment index 0
                let (enc, range) = try ChunkSegmentFormat.decodeChunk(segment, at: Int(m.ref & 0xFFFF_FFFF))
                #expect(enc == XORChunk.encoding)
                let data = Array(segment[range])
                var ts: [Int64] = [], vs: [Double] = []
                try XORChunk.decode(data, minTime: .min, maxTime: .max, timestamps: &ts, values: &vs)
                #expect(ts.first == m.minTime && ts.last == m.maxTime)
                var app = XORChunkAppender()
                for (t, v) in zip(ts, vs) { app.append(timestamp: t, value: v) }
                #expect(app.finish() == data)
                chunks += 1
                samples += ts.count
            }
        }
        #expect(chunks == 21)
        #expect(samples == 882)
    }
}
