import Foundation
import SundialCore
import SundialEncoding
import SundialTSDB
import SundialTestSupport
import Testing

/// Seeded mutation fuzzing of persistent-block files, starting from the block Prometheus 2.42
/// wrote (`testdata/blocks/prom-2.42-small`): the index (in memory and memory-mapped), the chunk
/// segment (raw, and with valid CRCs over mutated XOR data so the chunk decoder itself is
/// reached), tombstones, meta.json, and whole-block open + query. Properties: no trap; failures
/// are ``BlockError``s naming the file (and, for corrupt bytes, the decoder's offset); whatever
/// is accepted is internally consistent (sorted unique postings, sorted labels, chunk ranges
/// ordered, samples inside the requested range and in time order, re-encoding round-trips).
@Suite struct BlockFuzzTests {
    static let blockDir = Testdata.path("blocks/prom-2.42-small")
    static func file(_ name: String) throws -> [UInt8] { try Testdata.bytes("blocks/prom-2.42-small/\(name)") }

    static func checkBlockError(_ error: any Error, _ target: String, _ i: Int, _ input: [UInt8]) {
        guard let e = error as? BlockError else {
            Fuzz.fail(target, iteration: i, input: input, "threw \(type(of: error)), not BlockError: \(error)")
            return
        }
        if e.path.isEmpty || e.detail.isEmpty {
            Fuzz.fail(target, iteration: i, input: input, "BlockError without path or detail: \(e)")
        }
        if e.kind == .corrupt, let c = e.cause, c.offset < 0 {
            Fuzz.fail(target, iteration: i, input: input, "negative offset in \(e)")
        }
    }

    /// Walks everything an accepted index exposes and checks its invariants.
    static func walk(_ r: IndexReader, _ target: String, _ i: Int, _ input: [UInt8]) {
        do {
            let all = try r.allPostings()
            if zip(all, all.dropFirst()).contains(where: { $0 >= $1 }) {
                Fuzz.fail(target, iteration: i, input: input, "all-postings list not strictly increasing")
            }
            if all.count > input.count { Fuzz.fail(target, iteration: i, input: input, "\(all.count) series from \(input.count) bytes") }
            var chunks: [IndexChunkMeta] = []
            for ref in all {
                do {
                    let labels = try r.series(UInt64(ref), chunks: &chunks)
                    let names = labels.map(\.name)
                    if zip(names, names.dropFirst()).contains(where: { !($0 < $1) }) {
                        Fuzz.fail(target, iteration: i, input: input, "series \(ref) labels not sorted/unique: \(labels)")
                    }
                    if zip(chunks, chunks.dropFirst()).contains(where: { $0.maxTime >= $1.minTime && $0.minTime > $1.minTime }) {
                        Fuzz.fail(target, iteration: i, input: input, "series \(ref) chunks out of order")
                    }
                } catch { checkBlockError(error, target, i, input) }
            }
            for name in r.labelNames {
                for value in r.labelValues(name) {
                    do {
                        let p = try r.postings(name, value)
                        if zip(p, p.dropFirst()).contains(where: { $0 >= $1 }) {
                            Fuzz.fail(target, iteration: i, input: input, "postings \(name)=\(value) not strictly increasing")
                        }
                    } catch { checkBlockError(error, target, i, input) }
                }
            }
            _ = try r.postings(for: [try LabelMatcher(.regexMatch, "__name__", ".+"), try LabelMatcher(.notEqual, "job", "x")])
        } catch {
            checkBlockError(error, target, i, input)
        }
    }

    @Test func mutatedIndex() throws {
        let seed = try Self.file("index")
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-index")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x494e_4401)
        var accepted = 0
        let n = Fuzz.iterations(3000)
        for i in 0..<n {
            let bytes = Mutator.mutate(seed, others: [seed], rng: &rng)
            do {
                let r: IndexReader
                if i % 10 == 0 {  // the memory-mapped path
                    let path = tmp.appending("index")
                    try Data(bytes).write(to: URL(fileURLWithPath: path))
                    r = try IndexReader(path: path)
                } else {
                    r = try IndexReader(bytes: bytes, path: "fuzz/index")
                }
                accepted += 1
                Self.walk(r, "index", i, bytes)
            } catch {
                Self.checkBlockError(error, "index", i, bytes)
            }
        }
        Fuzz.report("index", inputs: n, accepted: accepted)
        #expect(accepted > 0, "no mutated index opened; the fuzzer only tests the header checks")
    }

    /// Series records carry a CRC32C, so random mutations never reach the series decoder. Here a
    /// series record's body is mutated in place (same length) and its CRC recomputed: label
    /// symbol references, chunk counts and the delta-encoded chunk metas get fuzzed for real.
    @Test func mutatedSeriesRecordsWithValidCRC() throws {
        let seed = try Self.file("index")
        let refs = try IndexReader(bytes: seed, path: "index").allPostings()
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-series")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x494e_4402)
        var decoded = 0
        let n = Fuzz.iterations(3000)
        for i in 0..<n {
            var bytes = seed
            let off = Int(refs[rng.below(refs.count)]) * 16
            var len = 0, shift = 0, p = off
            while bytes[p] & 0x80 != 0 { len |= Int(bytes[p] & 0x7f) << shift; shift += 7; p += 1 }
            len |= Int(bytes[p]) << shift
            let body = (p + 1)..<(p + 1 + len)
            for _ in 0..<(1 + rng.below(3)) {
                let k = body.lowerBound + rng.below(body.count)
                switch rng.below(4) {
                case 0: bytes[k] ^= UInt8(1) << UInt8(rng.below(8))
                case 1: bytes[k] = UInt8(truncatingIfNeeded: rng.next())
                case 2: bytes[k] = 0xff  // a varint that continues into the next field
                default: bytes[k] = [0, 1, 0x7f, 0x80][rng.below(4)]
                }
            }
            let crc = CRC32C.checksum(bytes[body])
            for j in 0..<4 { bytes[body.upperBound + j] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(j))) }
            do {
                let r = try IndexReader(bytes: bytes, path: "fuzz/index")
                var chunks: [IndexChunkMeta] = []
                do {
                    let labels = try r.series(UInt64(off / 16), chunks: &chunks)
                    decoded += 1
                    let names = labels.map(\.name)
                    if zip(names, names.dropFirst()).contains(where: { !($0 < $1) }) {
                        Fuzz.fail("index-series", iteration: i, input: bytes, "labels not sorted/unique: \(labels)")
                    }
                    if chunks.count > len { Fuzz.fail("index-series", iteration: i, input: bytes, "\(chunks.count) chunks from \(len) bytes") }
                } catch { Self.checkBlockError(error, "index-series", i, bytes) }
                Self.walk(r, "index-series", i, bytes)
                // Every 10th: the whole block with this index, queried, so mutated chunk refs and
                // time ranges reach the chunk reader and the querier.
                if i % 10 == 0 { try Self.queryBlock(index: bytes, in: tmp, i) }
            } catch {
                Self.checkBlockError(error, "index-series", i, bytes)
            }
        }
        Fuzz.report("index series records (decoded)", inputs: n, accepted: decoded)
        #expect(decoded > 0)
    }

    /// Writes the fixture block with `index` replaced, opens it and reads every series.
    static func queryBlock(index: [UInt8], in tmp: TemporaryDirectory, _ i: Int) throws {
        let dir = tmp.appending("b\(i)")
        try FileManager.default.createDirectory(atPath: dir + "/chunks", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["chunks/000001", "tombstones", "meta.json"] {
            try Data(file(name)).write(to: URL(fileURLWithPath: "\(dir)/\(name)"))
        }
        try Data(index).write(to: URL(fileURLWithPath: "\(dir)/index"))
        do {
            let block = try Block(directory: dir)
            let (lo, hi) = (block.meta.minTime, block.meta.maxTime)
            let q = BlockQuerier(block: block, minTime: lo, maxTime: hi)
            defer { q.close() }
            var buf = SampleBuffer()
            for s in try q.select(sorted: true, hints: nil, matchers: [try LabelMatcher(.regexMatch, "__name__", ".*")]) {
                buf.removeAll()
                do {
                    try s.samples(minTime: lo, maxTime: hi, into: &buf)
                    if buf.timestamps.contains(where: { $0 < lo || $0 > hi }) {
                        Fuzz.fail("index-series-block", iteration: i, input: index, "samples outside [\(lo), \(hi)]")
                    }
                } catch { checkBlockError(error, "index-series-block", i, index) }
            }
        } catch { checkBlockError(error, "index-series-block", i, index) }
    }

    /// The chunk records of the fixture, found through its intact index.
    static func fixtureChunks() throws -> [(encoding: UInt8, data: [UInt8], minTime: Int64, maxTime: Int64)] {
        let index = try IndexReader(bytes: file("index"), path: "index")
        let seg = try file("chunks/000001")
        var out: [(UInt8, [UInt8], Int64, Int64)] = []
        var metas: [IndexChunkMeta] = []
        for ref in try index.allPostings() {
            _ = try index.series(UInt64(ref), chunks: &metas)
            for m in metas {
                let (enc, range) = try ChunkSegmentFormat.decodeChunk(seg, at: Int(m.ref & 0xffff_ffff))
                out.append((enc, Array(seg[range]), m.minTime, m.maxTime))
            }
        }
        return out
    }

    @Test func mutatedChunkSegments() throws {
        let seedSegment = try Self.file("chunks/000001")
        let chunks = try Self.fixtureChunks()
        try #require(!chunks.isEmpty)
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-chunks")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x4348_4b01)
        var decoded = 0
        let n = Fuzz.iterations(1500)
        for i in 0..<n {
            // Half the time: mutate the raw segment (framing, lengths, CRCs). Otherwise rebuild a
            // valid segment whose XOR data is mutated, CRCs recomputed, so the decoder sees it.
            var segment: [UInt8] = []
            var refs: [(ref: ChunkRef, minTime: Int64, maxTime: Int64)] = []
            if rng.chance(50) {
                segment = Mutator.mutate(seedSegment, others: [], rng: &rng)
                var off = ChunkSegmentFormat.headerSize
                for c in chunks {  // the original offsets (possibly no longer record starts)
                    refs.append((ChunkRef(segment: 0, offset: UInt32(off)), c.minTime, c.maxTime))
                    off += ChunkSegmentFormat.encodedSize(dataCount: c.data.count)
                }
            } else {
                ChunkSegmentFormat.appendHeader(&segment)
                for c in chunks {
                    let data = rng.chance(30) ? Mutator.mutate(c.data, others: chunks.map(\.data), rng: &rng) : c.data
                    refs.append((ChunkRef(segment: 0, offset: UInt32(segment.count)), c.minTime, c.maxTime))
                    ChunkSegmentFormat.appendChunk(&segment, encoding: c.encoding, data: data)
                }
            }
            let dir = tmp.appending("chunks")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(segment).write(to: URL(fileURLWithPath: "\(dir)/000001"))
            do {
                let reader = try ChunkReader(directory: dir)
                var buf = SampleBuffer()
                for (ref, minT, maxT) in refs {
                    buf.removeAll()
                    // Sometimes the whole chunk, sometimes a window inside it.
                    let lo = rng.chance(50) ? Int64.min : minT + (maxT - minT) / 3
                    let hi = rng.chance(50) ? Int64.max : maxT - (maxT - minT) / 3
                    do {
                        try reader.decodeSamples(ref, minTime: lo, maxTime: hi, into: &buf)
                        decoded += 1
                        if buf.timestamps.count != buf.values.count || buf.count > 65_535
                            || buf.timestamps.contains(where: { $0 < lo || $0 > hi }) {
                            Fuzz.fail("chunks", iteration: i, input: segment, "chunk \(ref.rawValue): \(buf.count) samples, some outside [\(lo), \(hi)]")
                        }
                        _ = try reader.chunk(ref)
                    } catch { Self.checkBlockError(error, "chunks", i, segment) }
                }
            } catch {
                Self.checkBlockError(error, "chunks", i, segment)
            }
        }
        Fuzz.report("chunk segments (chunks decoded)", inputs: n, accepted: decoded)
        #expect(decoded > 0)
    }

    /// Raw XOR chunk data through the iterator API (the head and the engine use it).
    @Test func mutatedXORChunks() throws {
        let chunks = try Self.fixtureChunks().map(\.data)
        var rng = Fuzz.rng(0x584f_5201)
        for i in 0..<Fuzz.iterations(4000) {
            let data = Mutator.mutate(chunks[rng.below(chunks.count)], others: chunks, rng: &rng)
            var it = XORChunkIterator(data)
            var k = 0
            while it.next() {
                k += 1
                if k > it.sampleCount {
                    Fuzz.fail("xor", iteration: i, input: data, "iterator yields more than the \(it.sampleCount) samples of its header")
                    break
                }
            }
            var ts: [Int64] = [], vs: [Double] = []
            do {
                try XORChunk.decode(data, minTime: .min, maxTime: .max, timestamps: &ts, values: &vs)
                if ts.count != vs.count || ts.count > (XORChunk.sampleCount(data) ?? 0) {
                    Fuzz.fail("xor", iteration: i, input: data, "decode gave \(ts.count) samples for header count \(XORChunk.sampleCount(data) ?? -1)")
                }
            } catch {
                if error.offset < 0 || error.offset > data.count + 8 {
                    Fuzz.fail("xor", iteration: i, input: data, "error offset \(error.offset) outside \(data.count) bytes")
                }
            }
        }
    }

    @Test func mutatedTombstones() throws {
        var t = Tombstones()
        for ref in [UInt64(0), 16, 32, 1 << 40] {
            t.add(ref, DeletedInterval(minTime: -5, maxTime: 100))
            t.add(ref, DeletedInterval(minTime: 1_700_000_000_000, maxTime: .max))
        }
        let seeds = [try Self.file("tombstones"), t.encoded()]
        var rng = Fuzz.rng(0x544f_4d01)
        for i in 0..<Fuzz.iterations(3000) {
            let bytes = Mutator.mutate(seeds[rng.below(seeds.count)], others: seeds, rng: &rng)
            do {
                let decoded = try Tombstones.decode(bytes, path: "fuzz/tombstones")
                if decoded.count > bytes.count {
                    Fuzz.fail("tombstones", iteration: i, input: bytes, "\(decoded.count) intervals from \(bytes.count) bytes")
                }
                let again = try Tombstones.decode(decoded.encoded(), path: "re-encoded")
                if again != decoded { Fuzz.fail("tombstones", iteration: i, input: bytes, "re-encoding changes the tombstones") }
            } catch {
                Self.checkBlockError(error, "tombstones", i, bytes)
            }
        }
    }

    @Test func mutatedMetaJSON() throws {
        let seed = try Self.file("meta.json")
        let seedText = String(decoding: seed, as: UTF8.self)
        var rng = Fuzz.rng(0x4d45_5401)
        var accepted = 0
        let n = Fuzz.iterations(1500)
        for i in 0..<n {
            let bytes = rng.chance(50) ? Mutator.mutate(seed, others: [], rng: &rng)
                : Array(Mutator.mutateText(seedText, others: [], rng: &rng).utf8)
            do {
                let meta = try BlockMeta.decode(bytes, path: "fuzz/meta.json")
                accepted += 1
                let again = try BlockMeta.decode(meta.encoded(), path: "re-encoded")
                if again != meta { Fuzz.fail("meta", iteration: i, input: bytes, "re-encoding changes meta.json") }
            } catch {
                Self.checkBlockError(error, "meta", i, bytes)
            }
        }
        Fuzz.report("meta.json", inputs: n, accepted: accepted)
        #expect(accepted > 0)
    }

    /// A whole block with one damaged file opens or fails with a ``BlockError``; if it opens, a
    /// query over everything reads without trapping and yields ordered samples in range.
    @Test func mutatedBlocksOpenAndQuery() throws {
        let names = ["index", "chunks/000001", "tombstones", "meta.json"]
        let originals = try names.map { try Self.file($0) }
        let tmp = try TemporaryDirectory(prefix: "sundial-fuzz-block")
        defer { tmp.remove() }
        var rng = Fuzz.rng(0x424c_4b01)
        let all = [try LabelMatcher(.regexMatch, "__name__", ".+")]
        var opened = 0
        for i in 0..<Fuzz.iterations(300) {
            let dir = tmp.appending("b\(i)")
            try FileManager.default.createDirectory(atPath: dir + "/chunks", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let k = rng.below(names.count)
            var damaged: [UInt8] = []
            for (j, name) in names.enumerated() {
                var bytes = originals[j]
                if j == k {
                    bytes = Mutator.mutate(bytes, others: [], rng: &rng)
                    damaged = bytes
                    if rng.chance(5) { continue }  // sometimes the file is missing altogether
                }
                try Data(bytes).write(to: URL(fileURLWithPath: "\(dir)/\(name)"))
            }
            do {
                let block = try Block(directory: dir)
                opened += 1
                let lo = block.meta.minTime, hi = block.meta.maxTime
                let q = BlockQuerier(block: block, minTime: lo, maxTime: hi)
                var buf = SampleBuffer()
                do {
                    for s in try q.select(sorted: true, hints: nil, matchers: all) {
                        buf.removeAll()
                        do {
                            try s.samples(minTime: lo, maxTime: hi, into: &buf)
                            if buf.timestamps.contains(where: { $0 < lo || $0 > hi }) {
                                Fuzz.fail("block-\(names[k])", iteration: i, input: damaged, "samples outside the query range")
                            }
                        } catch { Self.checkBlockError(error, "block-\(names[k])", i, damaged) }
                    }
                    _ = try q.labelNames(matchers: [])
                    _ = try q.labelValues(name: "job", matchers: all)
                } catch { Self.checkBlockError(error, "block-\(names[k])", i, damaged) }
                q.close()
            } catch {
                Self.checkBlockError(error, "block-\(names[k])", i, damaged)
            }
        }
        Fuzz.report("block open", inputs: Fuzz.iterations(300), accepted: opened)
        #expect(opened > 0)
    }
}
