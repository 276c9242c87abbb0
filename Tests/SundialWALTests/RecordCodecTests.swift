import SundialCore
import SundialEncoding
import Testing

@testable import SundialWAL
import SundialTestSupport

/// Values that stress the codec: stale marker, NaNs with payloads, infinities, signed zeros, extremes.
let adversarialValues: [Double] = [
    StaleMarker.value, Double(bitPattern: 0x7ff8_0000_0000_0001), .nan, .infinity, -.infinity, 0, -0.0,
    .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 1, -1, 0.1, 1e300,
]

@Suite struct RecordCodecTests {
    @Test func seriesRoundTrip() throws {
        let series = [
            RefSeries(ref: SeriesRef(1), labels: Labels(["__name__": "up", "job": "node", "instance": "a:9100"])),
            RefSeries(ref: SeriesRef(UInt64.max), labels: Labels()),
            RefSeries(ref: SeriesRef(42), labels: Labels(["a": "", "ü": "ñ\n\"x\u{0}"])),
        ]
        var buf: [UInt8] = []
        RecordEncoder.encodeSeries(series, into: &buf)
        #expect(buf[0] == 1)
        #expect(RecordDecoder.type(of: buf) == .series)
        var out: [RefSeries] = []
        try RecordDecoder.decodeSeries(buf, into: &out)
        #expect(out == series)
    }

    @Test func seriesGoldenBytes() {
        var buf: [UInt8] = []
        RecordEncoder.encodeSeries([RefSeries(ref: SeriesRef(0x0102), labels: Labels(["a": "bc"]))], into: &buf)
        #expect(buf == [1, 0, 0, 0, 0, 0, 0, 1, 2, 1, 1, 0x61, 2, 0x62, 0x63])
    }

    @Test func samplesGoldenBytesUseSignedDeltas() {
        // Second sample has a smaller ref and timestamp than the first: signed (zig-zag) varints.
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples(
            [RefSample(ref: SeriesRef(5), t: 1000, v: 1), RefSample(ref: SeriesRef(4), t: 999, v: 2)], into: &buf)
        let one: [UInt8] = [0x3f, 0xf0, 0, 0, 0, 0, 0, 0]
        let two: [UInt8] = [0x40, 0, 0, 0, 0, 0, 0, 0]
        let expected: [UInt8] = [2, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0x03, 0xe8] + [0, 0] + one + [1, 1] + two
        #expect(buf == expected)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func samplesRandomRoundTrip(seed: Int) throws {
        var rng = SplitMix64(seed: UInt64(seed))
        var samples: [RefSample] = []
        for i in 0..<5000 {
            let ref: UInt64
            switch rng.next() % 4 {
            case 0: ref = rng.next()  // any 64-bit ref, huge deltas both ways
            case 1: ref = UInt64(i)
            default: ref = rng.next() % 1000
            }
            let t: Int64
            switch rng.next() % 4 {
            case 0: t = Int64(bitPattern: rng.next())  // includes Int64.min/max-scale deltas
            case 1: t = Int64(i) * 15_000
            default: t = 1_700_000_000_000 + Int64(rng.next() % 100_000) - 50_000
            }
            let v: Double = rng.next() % 3 == 0
                ? adversarialValues[Int(rng.next() % UInt64(adversarialValues.count))]
                : Double(bitPattern: rng.next())
            samples.append(RefSample(ref: SeriesRef(ref), t: t, v: v))
        }
        samples.append(RefSample(ref: SeriesRef(0), t: .min, v: StaleMarker.value))
        samples.append(RefSample(ref: SeriesRef(.max), t: .max, v: -0.0))
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples(samples, into: &buf)
        var out: [RefSample] = []
        try RecordDecoder.decodeSamples(buf, into: &out)
        #expect(out.count == samples.count)
        #expect(out == samples)  // RefSample compares values by bits
        #expect(out.contains { StaleMarker.isStale($0.v) })
    }

    @Test func columnarSamplesEncoderWritesTheSameBytes() throws {
        var rng = SplitMix64(seed: 42)
        var samples: [RefSample] = []
        for i in 0..<3000 {
            let ref: UInt64 = i % 5 == 0 ? rng.next() : UInt64(1000 + i % 300)
            let t: Int64 = i % 7 == 0 ? Int64(bitPattern: rng.next()) : 1_700_000_000_000 + Int64(i) * 15_000 - Int64(rng.next() % 3)
            let v: Double = i % 3 == 0 ? adversarialValues[Int(rng.next() % UInt64(adversarialValues.count))] : Double(bitPattern: rng.next())
            samples.append(RefSample(ref: SeriesRef(ref), t: t, v: v))
        }
        samples.append(RefSample(ref: SeriesRef(0), t: .min, v: StaleMarker.value))
        samples.append(RefSample(ref: SeriesRef(.max), t: .max, v: -0.0))
        for n in [0, 1, 2, samples.count] {
            let part = Array(samples.prefix(n))
            var expected: [UInt8] = [9]  // bytes already in the buffer stay
            RecordEncoder.encodeSamples(part, into: &expected)
            var columnar: [UInt8] = [9]
            RecordEncoder.encodeSamples(refs: part.map(\.ref.rawValue), timestamps: part.map(\.t), values: part.map(\.v), into: &columnar)
            #expect(columnar == expected)
        }
    }

    @Test func emptySamplesRecord() throws {
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples([RefSample](), into: &buf)
        #expect(buf == [2])
        var out = [RefSample(ref: SeriesRef(1), t: 1, v: 1)]
        try RecordDecoder.decodeSamples(buf, into: &out)
        #expect(out.isEmpty)
    }

    @Test func tombstonesExemplarsMetadataRoundTrip() throws {
        let ts = [RefTombstone(ref: SeriesRef(3), minTime: .min, maxTime: .max), RefTombstone(ref: SeriesRef(9), minTime: -5, maxTime: 7)]
        var buf: [UInt8] = []
        RecordEncoder.encodeTombstones(ts, into: &buf)
        var tsOut: [RefTombstone] = []
        try RecordDecoder.decodeTombstones(buf, into: &tsOut)
        #expect(tsOut == ts)

        let ex = [
            RefExemplar(ref: SeriesRef(10), t: 100, v: 0.5, labels: Labels(["trace_id": "abc"])),
            RefExemplar(ref: SeriesRef(2), t: -100, v: StaleMarker.value, labels: Labels()),
        ]
        buf.removeAll()
        RecordEncoder.encodeExemplars(ex, into: &buf)
        var exOut: [RefExemplar] = []
        try RecordDecoder.decodeExemplars(buf, into: &exOut)
        #expect(exOut == ex)

        let md = [
            RefMetadata(ref: SeriesRef(1), type: .counter, unit: "seconds", help: "Total time."),
            RefMetadata(ref: SeriesRef(UInt64.max), type: .stateset, unit: "", help: ""),
        ]
        buf.removeAll()
        RecordEncoder.encodeMetadata(md, into: &buf)
        var mdOut: [RefMetadata] = []
        try RecordDecoder.decodeMetadata(buf, into: &mdOut)
        #expect(mdOut == md)
        for t in MetricMetadata.MetricType.allCases { #expect(RefMetadata.type(for: RefMetadata.byte(for: t)) == t) }
    }

    @Test func unsortedLabelsAreSorted() throws {
        // A foreign writer's labels out of order: decoded into a valid (sorted) label set.
        let rec: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1, 0x62, 1, 0x31, 1, 0x61, 1, 0x32]
        var out: [RefSeries] = []
        try RecordDecoder.decodeSeries(rec, into: &out)
        #expect(out.first?.labels == Labels(["a": "2", "b": "1"]))
    }

    /// Every truncation and every single-byte change of valid records either decodes or throws;
    /// none traps.
    @Test func damagedRecordsNeverTrap() {
        var records: [[UInt8]] = []
        var buf: [UInt8] = []
        RecordEncoder.encodeSeries([RefSeries(ref: SeriesRef(7), labels: Labels(["__name__": "x", "le": "0.5"]))], into: &buf)
        records.append(buf)
        buf = []
        RecordEncoder.encodeSamples((0..<20).map { RefSample(ref: SeriesRef(UInt64($0)), t: Int64($0) * 1000, v: Double($0)) }, into: &buf)
        records.append(buf)
        buf = []
        RecordEncoder.encodeMetadata([RefMetadata(ref: SeriesRef(1), type: .gauge, unit: "u", help: "h")], into: &buf)
        records.append(buf)
        buf = []
        RecordEncoder.encodeExemplars([RefExemplar(ref: SeriesRef(1), t: 1, v: 1, labels: Labels(["a": "b"]))], into: &buf)
        records.append(buf)
        var buffers = RecordDecoder.DecodeBuffers()
        for rec in records {
            for cut in 0..<rec.count { _ = try? RecordDecoder.decode(Array(rec[..<cut]), buffers: &buffers) }
            for i in rec.indices {
                for v: UInt8 in [0, 0x7f, 0x80, 0xff] {
                    var r = rec
                    r[i] = v
                    _ = try? RecordDecoder.decode(r, buffers: &buffers)
                }
            }
        }
        // A huge label count is refused without allocating for it.
        #expect(throws: DecodeError.self) {
            try RecordDecoder.decodeSeries([1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f], into: &buffers.series)
        }
        #expect(throws: DecodeError.self) { try RecordDecoder.decodeSamples([2, 0, 0], into: &buffers.samples) }
        #expect(throws: DecodeError.self) { try RecordDecoder.decodeSamples([1], into: &buffers.samples) }
    }

    @Test func unsupportedTypesAreReported() throws {
        var buffers = RecordDecoder.DecodeBuffers()
        for type: UInt8 in [5, 7, 8, 9, 200] {
            guard case .unsupported(let t, let bytes) = try RecordDecoder.decode([type, 1, 2], buffers: &buffers) else {
                Issue.record("type \(type) not reported as unsupported")
                continue
            }
            #expect(t == type && bytes == [type, 1, 2])
        }
    }
}
