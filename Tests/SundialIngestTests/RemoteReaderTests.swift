import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Remote read: request decoding, SAMPLES and STREAMED_XOR_CHUNKS responses, decoded back here
/// with a small client-side decoder written from `prompb/remote.proto`.
@Suite struct RemoteReaderTests {
    /// One decoded series of a response: labels and samples.
    struct Series: Equatable {
        var labels: [Label]
        var samples: [(Int64, UInt64)]
        static func == (a: Series, b: Series) -> Bool {
            a.labels == b.labels && a.samples.elementsEqual(b.samples, by: { $0 == $1 })
        }
    }

    static func storage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for i in 0..<300 {
            _ = try app.append(ref: .none, labels: Labels(["__name__": "up", "job": "a"]), timestamp: Int64(i) * 1000, value: Double(i))
        }
        _ = try app.append(ref: .none, labels: Labels(["__name__": "up", "job": "b"]), timestamp: 5000, value: StaleMarker.value)
        _ = try app.append(ref: .none, labels: Labels(["__name__": "down", "job": "a"]), timestamp: 5000, value: 0)
        try app.commit()
        return s
    }

    static func labels(_ r: ProtoReader) throws -> Label {
        var r = r
        var n = "", v = ""
        while let t = try r.readTag() {
            let range = try r.readLengthDelimited()
            if t.field == 1 { n = r.string(range)! } else { v = r.string(range)! }
        }
        return Label(n, v)
    }

    static func decodeSamplesResponse(_ compressed: [UInt8]) throws -> [[Series]] {
        let body = try Snappy.decompress(compressed)
        var r = ProtoReader(body)
        var results: [[Series]] = []
        while let t = try r.readTag() {
            #expect(t.field == 1)
            var qr = r.subReader(try r.readLengthDelimited())
            var list: [Series] = []
            while let t2 = try qr.readTag() {
                #expect(t2.field == 1)
                var ts = qr.subReader(try qr.readLengthDelimited())
                var s = Series(labels: [], samples: [])
                while let t3 = try ts.readTag() {
                    let range = try ts.readLengthDelimited()
                    if t3.field == 1 {
                        s.labels.append(try labels(ts.subReader(range)))
                    } else {
                        var sr = ts.subReader(range)
                        var v: UInt64 = 0, tsv: Int64 = 0
                        while let t4 = try sr.readTag() {
                            if t4.field == 1 { v = try sr.readFixed64() } else { tsv = Int64(bitPattern: try sr.readVarint()) }
                        }
                        s.samples.append((tsv, v))
                    }
                }
                list.append(s)
            }
            results.append(list)
        }
        return results
    }

    /// Parses frames; returns (queryIndex, series, chunk count) per frame.
    static func decodeFrames(_ frames: [[UInt8]]) throws -> [(Int64, Series, Int)] {
        var out: [(Int64, Series, Int)] = []
        for f in frames {
            var br = ProtoReader(f)
            let n = Int(try br.readVarint())
            let crcStart = br.position
            let crc = UInt32(f[crcStart]) << 24 | UInt32(f[crcStart + 1]) << 16 | UInt32(f[crcStart + 2]) << 8 | UInt32(f[crcStart + 3])
            let msg = Array(f[(crcStart + 4)...])
            #expect(msg.count == n)
            #expect(CRC32C.checksum(msg) == crc)
            var r = ProtoReader(msg)
            var qi: Int64 = 0
            var s = Series(labels: [], samples: [])
            var chunks = 0
            while let t = try r.readTag() {
                if t.field == 2 { qi = Int64(bitPattern: try r.readVarint()); continue }
                var cs = r.subReader(try r.readLengthDelimited())
                while let t2 = try cs.readTag() {
                    let range = try cs.readLengthDelimited()
                    if t2.field == 1 { s.labels.append(try labels(cs.subReader(range))); continue }
                    chunks += 1
                    var c = cs.subReader(range)
                    var minT: Int64 = 0, maxT: Int64 = 0, type: UInt64 = 0
                    var data: [UInt8] = []
                    while let t3 = try c.readTag() {
                        switch t3.field {
                        case 1: minT = Int64(bitPattern: try c.readVarint())
                        case 2: maxT = Int64(bitPattern: try c.readVarint())
                        case 3: type = try c.readVarint()
                        default: data = c.bytes(try c.readLengthDelimited())
                        }
                    }
                    #expect(type == 1)
                    var it = XORChunkIterator(data)
                    var first = true
                    var last: Int64 = 0
                    while it.next() {
                        if first { #expect(it.timestamp == minT); first = false }
                        last = it.timestamp
                        s.samples.append((it.timestamp, it.value.bitPattern))
                    }
                    #expect(it.error == nil)
                    #expect(last == maxT)
                }
            }
            out.append((qi, s, chunks))
        }
        return out
    }

    @Test func requestRoundTrip() throws {
        let req = RemoteReadRequest(
            queries: [
                .init(startMs: 1000, endMs: 2000, matchers: [try LabelMatcher(.equal, "__name__", "up"), try LabelMatcher(.regexMatch, "job", "a|b")],
                      hints: SelectHints(start: 1000, end: 2000, step: 15000, range: 0, function: "rate", grouping: ["job"], by: true)),
                .init(startMs: -5, endMs: 0, matchers: [try LabelMatcher(.notEqual, "x", ""), try LabelMatcher(.regexNoMatch, "y", ".+")]),
            ],
            acceptedResponseTypes: [1, 0])
        let decoded = try RemoteReadRequest.decode(req.compressed())
        #expect(decoded == req)
        #expect(try decoded.negotiatedResponseType() == .streamedXORChunks)
    }

    @Test func negotiation() throws {
        #expect(try RemoteReadRequest(queries: []).negotiatedResponseType() == .samples)
        #expect(try RemoteReadRequest(queries: [], acceptedResponseTypes: [7, 0]).negotiatedResponseType() == .samples)
        #expect(throws: IngestError.self) { _ = try RemoteReadRequest(queries: [], acceptedResponseTypes: [7]).negotiatedResponseType() }
    }

    @Test func badRequests() {
        // Unknown matcher type.
        var m: [UInt8] = []
        m.appendProtoVarint(1, 9)
        m.appendProtoString(2, "a")
        var q: [UInt8] = []
        q.appendProtoBytes(3, m)
        var body: [UInt8] = []
        body.appendProtoBytes(1, q)
        #expect { _ = try RemoteReadRequest.decode(uncompressed: body) } throws: {
            ($0 as? IngestError)?.kind == .invalidRequest && "\($0)".contains("unknown label matcher type 9")
        }
        // Bad regex.
        m = []
        m.appendProtoVarint(1, 2)
        m.appendProtoString(2, "a")
        m.appendProtoString(3, "(")
        q = []
        q.appendProtoBytes(3, m)
        body = []
        body.appendProtoBytes(1, q)
        #expect { _ = try RemoteReadRequest.decode(uncompressed: body) } throws: { ($0 as? IngestError)?.kind == .invalidRequest }
        // Garbage.
        #expect { _ = try RemoteReadRequest.decode([1, 2, 3, 4, 5]) } throws: { ($0 as? IngestError)?.kind == .badCompression }
        #expect { _ = try RemoteReadRequest.decode(uncompressed: [0x0a, 0x05, 0x08]) } throws: { ($0 as? IngestError)?.kind == .malformedMessage }
    }

    @Test func samplesResponse() throws {
        let reader = RemoteReader(storage: try Self.storage())
        let req = RemoteReadRequest(queries: [
            .init(startMs: 2000, endMs: 4000, matchers: [.equal("__name__", "up"), .equal("job", "a")]),
            .init(startMs: 0, endMs: 10_000, matchers: [.equal("job", "b")]),
            .init(startMs: 0, endMs: 10_000, matchers: [.equal("job", "nope")]),
        ])
        let results = try Self.decodeSamplesResponse(reader.readSamples(req))
        #expect(results.count == 3)
        #expect(results[0] == [Series(labels: [Label("__name__", "up"), Label("job", "a")],
                                      samples: [(2000, Double(2).bitPattern), (3000, Double(3).bitPattern), (4000, Double(4).bitPattern)])])
        #expect(results[1] == [Series(labels: [Label("__name__", "up"), Label("job", "b")], samples: [(5000, StaleMarker.bits)])])
        #expect(results[2].isEmpty)
    }

    @Test func sampleLimit() throws {
        var options = RemoteReadOptions()
        options.sampleLimit = 10
        let reader = RemoteReader(storage: try Self.storage(), options: options)
        #expect {
            _ = try reader.readSamples(RemoteReadRequest(queries: [.init(startMs: 0, endMs: 1_000_000, matchers: [.equal("job", "a")])]))
        } throws: { ($0 as? IngestError)?.kind == .invalidRequest && "\($0)".contains("exceeded sample limit (10)") }
    }

    @Test func externalLabels() throws {
        var options = RemoteReadOptions()
        options.externalLabels = Labels(["cluster": "eu", "job": "ignored"])
        let reader = RemoteReader(storage: try Self.storage(), options: options)
        // cluster="eu" matches the external label: it becomes cluster="" for storage.
        let req = RemoteReadRequest(queries: [.init(startMs: 5000, endMs: 5000, matchers: [.equal("cluster", "eu"), .equal("job", "b")])])
        let results = try Self.decodeSamplesResponse(reader.readSamples(req))
        #expect(results[0].map(\.labels) == [[Label("__name__", "up"), Label("cluster", "eu"), Label("job", "b")]])
    }

    @Test func streamedChunks() throws {
        let reader = RemoteReader(storage: try Self.storage())
        let req = RemoteReadRequest(
            queries: [
                .init(startMs: 0, endMs: 299_000, matchers: [.equal("job", "a")]),
                .init(startMs: 0, endMs: 10_000, matchers: [.equal("job", "b")]),
            ],
            acceptedResponseTypes: [1])
        var frames: [[UInt8]] = []
        try reader.readStreamed(req) { frames.append($0) }
        let decoded = try Self.decodeFrames(frames)
        // Sorted: down{job=a}, up{job=a} for query 0, then up{job=b} for query 1.
        #expect(decoded.map(\.0) == [0, 0, 1])
        #expect(decoded[0].1.labels == [Label("__name__", "down"), Label("job", "a")])
        #expect(decoded[1].1.labels == [Label("__name__", "up"), Label("job", "a")])
        #expect(decoded[1].1.samples.count == 300)
        #expect(decoded[1].2 == 3)  // 120 + 120 + 60
        #expect(decoded[1].1.samples.map(\.0) == (0..<300).map { Int64($0) * 1000 })
        #expect(decoded[2].1.samples.map(\.0) == [5000] && decoded[2].1.samples.map(\.1) == [StaleMarker.bits])
    }

    @Test func streamedFramesSplitLargeSeries() throws {
        var options = RemoteReadOptions()
        options.maxBytesInFrame = 100
        options.samplesPerChunk = 10
        let reader = RemoteReader(storage: try Self.storage(), options: options)
        var frames: [[UInt8]] = []
        try reader.readStreamed(RemoteReadRequest(queries: [.init(startMs: 0, endMs: 299_000, matchers: [.equal("__name__", "up"), .equal("job", "a")])])) {
            frames.append($0)
        }
        let decoded = try Self.decodeFrames(frames)
        #expect(decoded.count > 5)
        #expect(decoded.allSatisfy { $0.1.labels == [Label("__name__", "up"), Label("job", "a")] })
        #expect(decoded.flatMap { $0.1.samples.map(\.0) } == (0..<300).map { Int64($0) * 1000 })
    }
}
