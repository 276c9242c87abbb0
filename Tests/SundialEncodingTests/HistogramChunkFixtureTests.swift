import Foundation
import SundialEncoding
import SundialTestSupport
import Testing

/// The block Prometheus 2.42 wrote from remote-written integer native histograms
/// (testdata/histograms/make-prom-2.42-histograms.py): every histogram chunk decodes to exactly the
/// histograms sent, and re-encoding its samples with ``HistogramChunkEncoder`` gives the same bytes.
@Suite struct HistogramChunkFixtureTests {
    /// A sent histogram from histograms.jsonl.
    struct Sent {
        var series: String
        var sample: HistogramChunkSample
        var schema: Int32
        var zeroThreshold: Double
        var positiveSpans: [HistogramChunkSpan]
        var negativeSpans: [HistogramChunkSpan]
    }

    static func sent() throws -> [Sent] {
        let text = String(decoding: try Testdata.bytes("histograms/prom-2.42/histograms.jsonl"), as: UTF8.self)
        var out: [Sent] = []
        for line in text.split(separator: "\n") {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let labels = try #require(o["labels"] as? [String: String])
            func spans(_ k: String) throws -> [HistogramChunkSpan] {
                try #require(o[k] as? [[Int]]).map { HistogramChunkSpan(offset: Int32($0[0]), length: UInt32($0[1])) }
            }
            func ints(_ k: String) throws -> [Int64] { try #require(o[k] as? [NSNumber]).map(\.int64Value) }
            let s = HistogramChunkSample(
                t: (o["t"] as! NSNumber).int64Value, count: (o["count"] as! NSNumber).uint64Value,
                zeroCount: (o["zero_count"] as! NSNumber).uint64Value, sum: Double(bitPattern: UInt64(try #require(o["sum_bits"] as? String), radix: 16)!),
                positive: try ints("positive_deltas"), negative: try ints("negative_deltas"))
            out.append(Sent(series: labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                            sample: s, schema: Int32((o["schema"] as! NSNumber).intValue),
                            zeroThreshold: (o["zero_threshold"] as! NSNumber).doubleValue,
                            positiveSpans: try spans("positive_spans"), negativeSpans: try spans("negative_spans")))
        }
        return out
    }

    /// Every chunk of the fixture segment: (encoding, data).
    static func chunks() throws -> [(UInt8, [UInt8])] {
        let segment = try Testdata.bytes("histograms/prom-2.42/chunks/000001")
        try ChunkSegmentFormat.validateHeader(segment)
        var out: [(UInt8, [UInt8])] = []
        var off = ChunkSegmentFormat.headerSize
        while off < segment.count {
            let (enc, range) = try ChunkSegmentFormat.decodeChunk(segment, at: off)
            out.append((enc, Array(segment[range])))
            off = range.upperBound + 4
        }
        return out
    }

    /// Absolute indices of the buckets of `spans`, with `deltas` turned into absolute counts.
    static func absolute(_ spans: [HistogramChunkSpan], _ deltas: [Int64]) -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        var running: Int64 = 0
        for (i, idx) in HistogramChunkLayout.indices(spans).enumerated() {
            running += deltas[i]
            out[idx] = running
        }
        return out
    }

    @Test func decodesToTheSentHistogramsAndReencodesToTheSameBytes() throws {
        let sent = try Self.sent()
        let chunks = try Self.chunks()
        #expect(chunks.count == 4)
        var byTime: [Int64: [Sent]] = [:]
        for s in sent { byTime[s.sample.t, default: []].append(s) }
        var found = 0
        var headers: [HistogramChunkHeader] = []
        for (enc, data) in chunks {
            #expect(enc == 2)
            let (header, layout, samples) = try HistogramChunkDecoder.decodeIntegers(data)
            headers.append(header)
            for s in samples {
                // The chunk layout may have more (recoded, zero) buckets than the sent histogram.
                let match = byTime[s.t]?.first { w in
                    w.sample.count == s.count && w.sample.zeroCount == s.zeroCount
                        && w.sample.sum.bitPattern == s.sum.bitPattern && w.schema == layout.schema
                        && w.zeroThreshold == layout.zeroThreshold
                        && Self.absolute(w.positiveSpans, w.sample.positive).allSatisfy { k, v in
                            Self.absolute(layout.positiveSpans, s.positive)[k] == v
                        }
                        && Self.absolute(layout.positiveSpans, s.positive).allSatisfy { k, v in
                            v == 0 || Self.absolute(w.positiveSpans, w.sample.positive)[k] == v
                        }
                        && Self.absolute(w.negativeSpans, w.sample.negative) == Self.absolute(layout.negativeSpans, s.negative)
                }
                #expect(match != nil, "decoded sample at \(s.t) was not sent: \(s) layout \(layout) header \(header) sent \(byTime[s.t].map { $0.map { "\($0.sample) \($0.positiveSpans)" } } ?? [])")
                if match != nil { found += 1 }
            }
            var enc = HistogramChunkEncoder(layout: layout, header: header)
            for s in samples {
                enc.append(t: s.t, count: s.count, zeroCount: s.zeroCount, sum: s.sum, positive: s.positive, negative: s.negative)
            }
            #expect(enc.bytes == data)
        }
        #expect(found == sent.count)
        // 2.42 re-encodes head chunks when it writes a block (snapshot), through a fresh appender:
        // every header comes out "unknown", even that of the chunk cut at the counter reset.
        #expect(headers.allSatisfy { $0 == .unknown }, "\(headers)")
    }

    @Test func corruptChunksNeverTrap() throws {
        for (_, data) in try Self.chunks() {
            for cut in stride(from: 0, to: data.count, by: 3) {
                _ = try? HistogramChunkDecoder.decodeIntegers(Array(data[..<cut]))
                _ = try? HistogramChunkDecoder.decodeFloats(Array(data[..<cut]))
            }
            var rng = SystemRandomNumberGenerator()
            for _ in 0..<300 {
                var d = data
                let i = Int.random(in: 0..<d.count, using: &rng)
                d[i] ^= UInt8.random(in: 1...255, using: &rng)
                _ = try? HistogramChunkDecoder.decodeIntegers(d)
                _ = try? HistogramChunkDecoder.decodeFloats(d)
            }
        }
    }
}
