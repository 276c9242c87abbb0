import Testing
import SundialCore
import SundialEncoding
import SundialIngest

/// Decoding of 1.0 and 2.0 bodies into the reused buffers, and refusal of malformed ones.
@Suite struct RemoteWriteDecoderTests {
    static let request = RemoteWriteRequest(
        series: [
            .init(labels: [Label("__name__", "up"), Label("instance", "a:9100"), Label("job", "node")],
                  samples: [.init(value: 1, timestamp: 1000), .init(value: 0, timestamp: 2000), .init(value: StaleMarker.value, timestamp: 3000)],
                  exemplars: [.init(labels: [Label("trace_id", "abc")], value: 1, timestamp: 1000)]),
            .init(labels: [Label("__name__", "temp"), Label("room", "ü-Küche")],
                  samples: [.init(value: -12.5, timestamp: -5), .init(value: .infinity, timestamp: 0), .init(value: -.infinity, timestamp: 1 << 50)],
                  histograms: [.init(timestamp: 10, count: 3, sum: 4.5, schema: 0, positiveSpans: [(0, 2)], positiveDeltas: [1, 1])]),
            .init(labels: [], samples: []),
        ],
        metadata: [MetricMetadata(metricFamily: "up", type: .gauge, help: "Up or down.", unit: "")])

    @Test(arguments: [RemoteWriteVersion.v1, .v2])
    func roundTrip(version: RemoteWriteVersion) throws {
        let d = RemoteWriteDecoder()
        try d.decode(Self.request.compressed(version), version: version)
        let views = d.inspect()
        #expect(views.count == 3)
        for (v, s) in zip(views, Self.request.series) {
            #expect(v.labels == s.labels)
            #expect(v.samples == s.samples)
            #expect(v.exemplarCount == s.exemplars.count)
            #expect(v.histogramCount == s.histograms.count)
        }
        #expect(d.sampleCount == 6)
        #expect(d.exemplarCount == 1)
        #expect(d.histogramCount == 1)
        if version == .v1 { #expect(d.decodedMetadata == Self.request.metadata) }
    }

    @Test func decoderIsReusable() throws {
        let d = RemoteWriteDecoder()
        let small = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "x")], samples: [.init(value: 7, timestamp: 7)])])
        try d.decode(Self.request.compressed(.v1), version: .v1)
        try d.decode(small.compressed(.v1), version: .v1)
        #expect(d.inspect().map(\.labels) == [[Label("__name__", "x")]])
        #expect(d.sampleCount == 1)
    }

    @Test func emptyBodyIsAnEmptyRequest() throws {
        let d = RemoteWriteDecoder()
        try d.decode(Snappy.compress([]), version: .v1)
        #expect(d.seriesCount == 0)
        try d.decode(Snappy.compress([]), version: .v2)
        #expect(d.seriesCount == 0)
    }

    @Test func unknownFieldsAreSkipped() throws {
        var body: [UInt8] = []
        body.appendProtoVarint(2, 99)  // reserved field 2 (Cortex "source")
        body.appendProtoString(1000, "ignored")
        body.append(contentsOf: RemoteWriteRequest(series: [.init(labels: [Label("__name__", "a")], samples: [.init(value: 1, timestamp: 1)])]).encoded(.v1))
        body.appendProtoTag(77, .fixed32)
        body.append(contentsOf: [1, 2, 3, 4])
        let d = RemoteWriteDecoder()
        try d.decode(uncompressed: body, version: .v1)
        #expect(d.seriesCount == 1)
        #expect(d.sampleCount == 1)
    }

    /// Labels outside the short canonical form (`0x0A len name 0x12 len value`) decode through
    /// the general path: value before name, an omitted (empty) value, strings of 128+ bytes, an
    /// unknown field inside the Label, a repeated name field (last wins, as protobuf says).
    @Test func labelsInEveryEncodingShape() throws {
        func label(_ fields: (inout [UInt8]) -> Void) -> [UInt8] {
            var l: [UInt8] = []
            fields(&l)
            var ts: [UInt8] = []
            ts.appendProtoTag(1, .lengthDelimited)
            ts.appendUVarint(UInt64(l.count))
            ts.append(contentsOf: l)
            return ts
        }
        let long = String(repeating: "v", count: 200)
        var series: [UInt8] = []
        series += label { $0.appendProtoString(1, "__name__"); $0.appendProtoString(2, "m") }
        series += label { $0.appendProtoString(2, "x"); $0.appendProtoString(1, "a") }
        series += label { $0.appendProtoString(1, "b") }
        series += label { $0.appendProtoString(1, "c"); $0.appendProtoString(2, long) }
        series += label { $0.appendProtoString(1, "d"); $0.appendProtoVarint(9, 5); $0.appendProtoString(2, "y") }
        series += label { $0.appendProtoString(1, "zz"); $0.appendProtoString(1, "e"); $0.appendProtoString(2, "w") }
        var sample: [UInt8] = []
        sample.appendProtoTag(1, .fixed64)
        sample.appendLE64(Double(1).bitPattern)
        sample.appendProtoVarint(2, 5)
        series.appendProtoTag(2, .lengthDelimited)
        series.appendUVarint(UInt64(sample.count))
        series += sample
        var body: [UInt8] = []
        body.appendProtoTag(1, .lengthDelimited)
        body.appendUVarint(UInt64(series.count))
        body += series
        let d = RemoteWriteDecoder()
        try d.decode(uncompressed: body, version: .v1)
        #expect(d.inspect().first?.labels == [
            Label("__name__", "m"), Label("a", "x"), Label("b", ""), Label("c", long), Label("d", "y"), Label("e", "w"),
        ])
        #expect(d.sampleCount == 1)
    }

    /// Samples outside the `0x09 double 0x10 varint` form decode through the general path:
    /// timestamp before value, an omitted value or timestamp (0), an extra field after both, a
    /// negative (10-byte) timestamp; a truncated timestamp varint is refused either way.
    @Test func samplesInEveryEncodingShape() throws {
        func sample(_ fields: (inout [UInt8]) -> Void) -> [UInt8] {
            var m: [UInt8] = []
            fields(&m)
            var out: [UInt8] = []
            out.appendProtoTag(2, .lengthDelimited)
            out.appendUVarint(UInt64(m.count))
            out += m
            return out
        }
        func value(_ v: Double) -> (inout [UInt8]) -> Void { { $0.appendProtoTag(1, .fixed64); $0.appendLE64(v.bitPattern) } }
        var series: [UInt8] = []
        var label: [UInt8] = []
        label.appendProtoString(1, "__name__")
        label.appendProtoString(2, "m")
        series.appendProtoTag(1, .lengthDelimited)
        series.appendUVarint(UInt64(label.count))
        series += label
        series += sample { value(1.5)(&$0); $0.appendProtoVarint(2, 1000) }
        series += sample { $0.appendProtoVarint(2, 2000); value(2.5)(&$0) }
        series += sample { $0.appendProtoVarint(2, 3000) }
        series += sample { value(4.5)(&$0) }
        series += sample { value(5.5)(&$0); $0.appendProtoVarint(2, 5000); $0.appendProtoVarint(3, 4000) }
        series += sample { value(-6.5)(&$0); $0.appendProtoVarint(2, UInt64(bitPattern: -6000)) }
        var body: [UInt8] = []
        body.appendProtoTag(1, .lengthDelimited)
        body.appendUVarint(UInt64(series.count))
        body += series
        let d = RemoteWriteDecoder()
        try d.decode(uncompressed: body, version: .v1)
        let got = try #require(d.inspect().first).samples
        #expect(got.map(\.timestamp) == [1000, 2000, 3000, 0, 5000, -6000])
        #expect(got.map(\.value) == [1.5, 2.5, 0, 4.5, 5.5, -6.5])

        // A timestamp varint cut short inside the fast-path shape.
        var bad: [UInt8] = []
        bad.appendProtoTag(1, .fixed64)
        bad.appendLE64(Double(1).bitPattern)
        bad.appendProtoTag(2, .varint)
        bad += [0x80, 0x80]
        var ts: [UInt8] = []
        ts.appendProtoTag(2, .lengthDelimited)
        ts.appendUVarint(UInt64(bad.count))
        ts += bad
        var badBody: [UInt8] = []
        badBody.appendProtoTag(1, .lengthDelimited)
        badBody.appendUVarint(UInt64(ts.count))
        badBody += ts
        #expect(throws: IngestError.self) { try d.decode(uncompressed: badBody, version: .v1) }
    }

    @Test func unpackedLabelRefsAreAccepted() throws {
        var ts: [UInt8] = []
        ts.appendProtoVarint(1, 1)
        ts.appendProtoVarint(1, 2)
        var body: [UInt8] = []
        body.appendProtoString(4, "")
        body.appendProtoString(4, "__name__")
        body.appendProtoString(4, "m")
        body.appendProtoBytes(5, ts)
        let d = RemoteWriteDecoder()
        try d.decode(uncompressed: body, version: .v2)
        #expect(d.inspect().first?.labels == [Label("__name__", "m")])
    }

    // MARK: - Malformed bodies

    func expectError(_ body: [UInt8], version: RemoteWriteVersion = .v1, compressed: Bool = false,
                     _ kind: IngestError.Kind, _ fragment: String = "", sourceLocation: SourceLocation = #_sourceLocation)
    {
        let d = RemoteWriteDecoder(maxDecodedBytes: 1 << 20)
        do {
            if compressed { try d.decode(body, version: version) } else { try d.decode(uncompressed: body, version: version) }
            Issue.record("expected \(kind) error", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(fragment.isEmpty || error.description.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func garbageSnappy() {
        expectError([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], compressed: true, .badCompression)
        expectError([], compressed: true, .badCompression)
        var truncated = Self.request.compressed(.v1)
        truncated.removeLast(5)
        expectError(truncated, compressed: true, .badCompression)
    }

    @Test func snappyDecodedSizeLimit() {
        let big = Snappy.compress([UInt8](repeating: 0, count: 2 << 20))
        expectError(big, compressed: true, .tooLarge, "exceeds the limit")
    }

    @Test func wrongWireType() {
        var body: [UInt8] = []
        body.appendProtoVarint(1, 5)  // timeseries as a varint
        expectError(body, .malformedMessage, "wire type varint, expected length-delimited")
    }

    @Test func lengthPastTheEnd() {
        var body: [UInt8] = []
        body.appendProtoTag(1, .lengthDelimited)
        body.appendUVarint(1000)
        body.append(contentsOf: [1, 2, 3])
        expectError(body, .malformedMessage, "runs past the end")
    }

    @Test func hugeVarint() {
        var body: [UInt8] = []
        body.appendProtoTag(1, .lengthDelimited)
        body.append(contentsOf: [UInt8](repeating: 0xff, count: 11))
        expectError(body, .malformedMessage, "longer than 64 bits")
        expectError([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], .malformedMessage, "longer than 64 bits")
    }

    @Test func truncatedSampleInSeriesNamesTheSeries() {
        var ts: [UInt8] = []
        ts.appendProtoTag(2, .lengthDelimited)
        ts.appendUVarint(20)  // sample length past the TimeSeries end
        ts.appendProtoTag(1, .fixed64)
        ts.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0])
        var body = RemoteWriteRequest(series: [.init(labels: [Label("__name__", "ok")])]).encoded(.v1)
        body.appendProtoBytes(1, ts)
        expectError(body, .malformedMessage, "series 1")
    }

    @Test func fieldNumberZeroAndBadWireType() {
        expectError([0x00, 0x01], .malformedMessage, "field number 0")
        expectError([0x0e, 0x01], .malformedMessage, "unknown wire type 6")
        expectError([0x4b], .malformedMessage, "groups")
    }

    @Test func v2SymbolRules() {
        var body: [UInt8] = []
        body.appendProtoString(4, "x")
        expectError(body, version: .v2, .invalidRequest, "symbols[0] must be the empty string")

        var ts: [UInt8] = []
        let p = ts.beginProtoLengthDelimited(1)
        ts.appendUVarint(1)
        ts.appendUVarint(9)
        ts.endProtoLengthDelimited(p)
        body = []
        body.appendProtoString(4, "")
        body.appendProtoString(4, "__name__")
        body.appendProtoBytes(5, ts)
        expectError(body, version: .v2, .invalidRequest, "out of range of the 2 symbols")

        ts = []
        ts.appendProtoVarint(1, 1)
        body = []
        body.appendProtoString(4, "")
        body.appendProtoString(4, "__name__")
        body.appendProtoBytes(5, ts)
        expectError(body, version: .v2, .invalidRequest, "odd number")
    }

    @Test func symbolsAfterSeriesAreResolved() throws {
        var ts: [UInt8] = []
        let p = ts.beginProtoLengthDelimited(1)
        ts.appendUVarint(1)
        ts.appendUVarint(2)
        ts.endProtoLengthDelimited(p)
        var body: [UInt8] = []
        body.appendProtoBytes(5, ts)
        body.appendProtoString(4, "")
        body.appendProtoString(4, "__name__")
        body.appendProtoString(4, "late")
        let d = RemoteWriteDecoder()
        try d.decode(uncompressed: body, version: .v2)
        #expect(d.inspect().first?.labels == [Label("__name__", "late")])
    }

    @Test func manyLabelsDecode() throws {
        let labels = (0..<100_000).map { Label("l\($0)", "v") }
        let req = RemoteWriteRequest(series: [.init(labels: labels, samples: [.init(value: 1, timestamp: 1)])])
        let d = RemoteWriteDecoder()
        try d.decode(req.compressed(.v1), version: .v1)
        #expect(d.inspect().first?.labels.count == 100_000)
    }
}
