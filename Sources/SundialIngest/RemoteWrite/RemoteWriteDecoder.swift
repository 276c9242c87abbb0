public import SundialCore
public import SundialEncoding

/// Decodes remote-write bodies (snappy block + protobuf, 1.0 and 2.0) into reused columnar
/// buffers, without a per-sample or per-label allocation: labels are byte ranges into the
/// decompressed body, samples go to flat timestamp/value arrays.
///
/// Hand-written from the protobuf encoding spec and the remote-write schemas
/// (`prompb/remote.proto`, `prompb/types.proto`; `io/prometheus/write/v2/types.proto`; summary in
/// reference-brief §2.1–2.2). Unknown fields are skipped, as protobuf requires; wrong wire types,
/// truncation and lengths past the end throw ``IngestError`` with the byte offset and series index.
///
/// Not thread-safe: one request at a time. ``RemoteWriteIngester`` pools decoders; tests and
/// benchmarks may use one directly.
public final class RemoteWriteDecoder {
    /// The decompressed body of the current request.
    var body: [UInt8] = []
    /// Scratch for decompression (swapped with `body`).
    var scratch: [UInt8] = []
    var request = DecodedRequest()
    /// Per series of the current request: its validated labels (nil when refused), the storage
    /// ref hint, its series-cache slot (-1 when not cached). Filled by ``SeriesCache/resolve(_:)``.
    var resolvedLabels: [Labels?] = []
    var resolvedRefs: [SeriesRef] = []
    var resolvedSlots: [Int32] = []
    /// Why series were refused, by series index.
    var rejections: [Int: String] = [:]
    /// The last 2.0 metadata handed to storage per metric family, so repeated per-series
    /// metadata is forwarded once.
    var lastMetadata: [String: MetricMetadata] = [:]
    /// Scratch for 2.0 `labels_refs` (reused).
    var refScratch: [UInt32] = []
    /// Largest decoded body accepted, bytes.
    let maxDecodedBytes: Int

    /// A decoder accepting decoded bodies up to `maxDecodedBytes` (clamped to 2 GiB − 1, since
    /// byte offsets are kept as 32-bit integers).
    public init(maxDecodedBytes: Int = RemoteWriteOptions().maxDecodedBytes) {
        self.maxDecodedBytes = min(max(0, maxDecodedBytes), Int(Int32.max))
    }

    /// Number of TimeSeries decoded by the last ``decode(_:version:)``.
    public var seriesCount: Int { request.series.count }
    /// Number of float samples decoded by the last ``decode(_:version:)``.
    public var sampleCount: Int { request.timestamps.count }
    /// Number of exemplars decoded by the last ``decode(_:version:)``.
    public var exemplarCount: Int { request.series.reduce(0) { $0 + Int($1.exemplarCount) } }
    /// Number of native histogram samples decoded by the last ``decode(_:version:)``.
    public var histogramCount: Int { request.series.reduce(0) { $0 + Int($1.histogramCount) } }
    /// Size of the last decoded (decompressed) body, bytes.
    public var decodedBytes: Int { body.count }

    /// Decompresses (snappy block format) and decodes `compressed`. The result stays in the
    /// decoder until the next call.
    /// - Throws: ``IngestError``: ``IngestError/Kind/tooLarge`` when the snappy header announces
    ///   more than the limit, ``IngestError/Kind/badCompression``,
    ///   ``IngestError/Kind/malformedMessage`` or ``IngestError/Kind/invalidRequest``.
    public func decode(_ compressed: [UInt8], version: RemoteWriteVersion) throws(IngestError) {
        request.removeAll()
        let limit = maxDecodedBytes
        let outcome: Result<Void, DecodeError> = compressed.withUnsafeBytes { raw in
            guard let n = Snappy.uncompressedLength(raw) else {
                return .failure(DecodeError(.invalid, offset: 0, "snappy: corrupt input (bad length header)"))
            }
            // No snappy element expands more than 64 bytes out of 3 (a 2-byte-offset copy), so a
            // header claiming more than ~21.4× the input is corrupt: refuse it before allocating.
            guard n <= raw.count * 22 + 64 else {
                return .failure(DecodeError(.invalid, offset: 0, "snappy: header claims \(n) decoded bytes from \(raw.count) bytes of input"))
            }
            guard n <= limit else {
                return .failure(DecodeError(.overflow, offset: 0, "decoded body of \(n) bytes exceeds the limit of \(limit) bytes"))
            }
            do throws(DecodeError) {
                try Snappy.decompress(raw, into: &scratch, maxLength: limit)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let e) = outcome {
            body.removeAll(keepingCapacity: true)
            if e.kind == .overflow { throw IngestError(.tooLarge, e.detail) }
            throw IngestError(.badCompression, e.detail.isEmpty ? e.kind.rawValue : e.detail, cause: e)
        }
        swap(&body, &scratch)
        try decodeDecompressed(version: version)
    }

    /// Decodes an already decompressed protobuf body (tests, fuzzing, benchmarks).
    public func decode(uncompressed: [UInt8], version: RemoteWriteVersion) throws(IngestError) {
        request.removeAll()
        guard uncompressed.count <= maxDecodedBytes else {
            throw IngestError(.tooLarge, "decoded body of \(uncompressed.count) bytes exceeds the limit of \(maxDecodedBytes) bytes")
        }
        body = uncompressed
        try decodeDecompressed(version: version)
    }

    func decodeDecompressed(version: RemoteWriteVersion) throws(IngestError) {
        switch version {
        case .v1: try decodeV1()
        case .v2: try decodeV2()
        }
    }

    /// Bytes of the current body in `range` as a String (nil for invalid UTF-8). Allocates; used
    /// on the slow paths (validation misses, messages).
    func string(_ range: Range<Int>) -> String? {
        ProtoReader(body, range: range).string(range)
    }

    /// A printable form of `range` for messages: the string, or its bytes escaped when not UTF-8.
    func printable(_ range: Range<Int>) -> String {
        if let s = string(range) { return s }
        return String(decoding: body[range], as: UTF8.self)
    }
}

// MARK: - Remote write 1.0

extension RemoteWriteDecoder {
    /// `WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }`
    func decodeV1() throws(IngestError) {
        var r = ProtoReader(body)
        while true {
            // Errors in the envelope are reported as WriteRequest errors; errors inside a
            // TimeSeries carry its index.
            var seriesRange: Range<Int>? = nil
            do throws(DecodeError) {
                guard let tag = try r.readTag() else { break }
                switch tag.field {
                case 1:
                    try r.expect(tag, .lengthDelimited, "WriteRequest.timeseries")
                    seriesRange = try r.readLengthDelimited()
                case 3:
                    try r.expect(tag, .lengthDelimited, "WriteRequest.metadata")
                    let range = try r.readLengthDelimited()
                    try parseMetadataV1(range)
                default:
                    try r.skip(tag.wireType)
                }
            } catch {
                throw IngestError.malformed(error, in: "WriteRequest")
            }
            if let range = seriesRange {
                let index = request.series.count
                do throws(DecodeError) {
                    try parseTimeSeriesV1(range)
                } catch {
                    throw IngestError.malformed(error, in: "TimeSeries", seriesIndex: index)
                }
            }
        }
    }

    /// `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }`
    func parseTimeSeriesV1(_ range: Range<Int>) throws(DecodeError) {
        var s = DecodedSeries(offset: range.lowerBound)
        s.labelStart = Int32(request.labelCount)
        s.sampleStart = Int32(request.timestamps.count)
        var r = ProtoReader(body, range: range)
        while let tag = try r.readTag() {
            switch tag.field {
            case 1:
                try r.expect(tag, .lengthDelimited, "TimeSeries.labels")
                let lr = try r.readLengthDelimited()
                let (n, v) = try parseLabelV1(lr)
                request.appendLabel(name: n, value: v)
            case 2:
                try r.expect(tag, .lengthDelimited, "TimeSeries.samples")
                let sr = try r.readLengthDelimited()
                try parseSample(sr)
            case 3:
                try r.expect(tag, .lengthDelimited, "TimeSeries.exemplars")
                let er = try r.readLengthDelimited()
                try validateExemplar(er, v2: false)
                s.exemplarCount += 1
            case 4:
                try r.expect(tag, .lengthDelimited, "TimeSeries.histograms")
                let hr = try r.readLengthDelimited()
                try validateHistogram(hr)
                s.histogramCount += 1
            default:
                try r.skip(tag.wireType)
            }
        }
        s.labelCount = Int32(request.labelCount) - s.labelStart
        s.sampleCount = Int32(request.timestamps.count) - s.sampleStart
        request.series.append(s)
    }

    /// `Label { string name = 1; string value = 2; }`. A missing field is the empty string.
    /// Returns the byte ranges of name and value.
    func parseLabelV1(_ range: Range<Int>) throws(DecodeError) -> (Range<Int>, Range<Int>) {
        var name = range.lowerBound..<range.lowerBound
        var value = name
        var r = ProtoReader(body, range: range)
        while let tag = try r.readTag() {
            switch tag.field {
            case 1:
                try r.expect(tag, .lengthDelimited, "Label.name")
                name = try r.readLengthDelimited()
            case 2:
                try r.expect(tag, .lengthDelimited, "Label.value")
                value = try r.readLengthDelimited()
            default:
                try r.skip(tag.wireType)
            }
        }
        return (name, value)
    }

    /// `Sample { double value = 1; int64 timestamp = 2; }` (2.0 adds `int64 start_timestamp = 3`,
    /// skipped). Missing fields are 0.
    @inline(__always)
    func parseSample(_ range: Range<Int>) throws(DecodeError) {
        var value: Double = 0
        var ts: Int64 = 0
        var r = ProtoReader(body, range: range)
        while let tag = try r.readTag() {
            switch tag.field {
            case 1:
                try r.expect(tag, .fixed64, "Sample.value")
                value = try r.readDouble()
            case 2:
                try r.expect(tag, .varint, "Sample.timestamp")
                ts = Int64(bitPattern: try r.readVarint())
            default:
                try r.skip(tag.wireType)
            }
        }
        request.timestamps.append(ts)
        request.values.append(value)
    }

    /// `MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }`
    func parseMetadataV1(_ range: Range<Int>) throws(DecodeError) {
        var type: UInt64 = 0
        var family = "", help = "", unit = ""
        var r = ProtoReader(body, range: range)
        while let tag = try r.readTag() {
            switch tag.field {
            case 1:
                try r.expect(tag, .varint, "MetricMetadata.type")
                type = try r.readVarint()
            case 2, 4, 5:
                try r.expect(tag, .lengthDelimited, "MetricMetadata string field")
                let sr = try r.readLengthDelimited()
                guard let s = r.string(sr) else {
                    throw DecodeError(.invalid, offset: sr.lowerBound, "invalid UTF-8 in MetricMetadata field \(tag.field)")
                }
                if tag.field == 2 { family = s } else if tag.field == 4 { help = s } else { unit = s }
            default:
                try r.skip(tag.wireType)
            }
        }
        request.metadata.append(MetricMetadata(metricFamily: family, type: metricType(type), help: help, unit: unit))
    }

    /// `MetricType`: UNKNOWN 0, COUNTER 1, GAUGE 2, HISTOGRAM 3, GAUGEHISTOGRAM 4, SUMMARY 5,
    /// INFO 6, STATESET 7 (2.0 uses the same numbers with `METRIC_TYPE_` names). Unknown values
    /// (newer senders) map to unknown.
    func metricType(_ v: UInt64) -> MetricMetadata.MetricType {
        switch v {
        case 1: .counter
        case 2: .gauge
        case 3: .histogram
        case 4: .gaugehistogram
        case 5: .summary
        case 6: .info
        case 7: .stateset
        default: .unknown
        }
    }
}
