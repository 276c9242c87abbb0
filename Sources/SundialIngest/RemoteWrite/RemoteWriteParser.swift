import SundialCore
import SundialEncoding

/// The protobuf half of ``RemoteWriteDecoder``: walks a decompressed body with
/// ``ProtoCursor``s (no reference counting or exclusivity checks per nested message) and fills a
/// ``DecodedRequest``. A value type used for one decode; its buffers are moved in from the
/// decoder and back out, so capacity is reused across requests.
struct RemoteWriteParser {
    let body: [UInt8]
    var request: DecodedRequest
    /// Scratch for 2.0 `labels_refs`.
    var refScratch: [UInt32]
    /// Scratch for 2.0 series ranges.
    var seriesRangeScratch: [Range<Int>]

    /// Bytes of `range` as a String (nil for invalid UTF-8). Allocates; slow paths only.
    func string(_ range: Range<Int>) -> String? {
        ProtoReader(body, range: range).string(range)
    }

    /// `range` as text for messages (invalid UTF-8 replaced).
    func printable(_ range: Range<Int>) -> String {
        string(range) ?? String(decoding: body[range], as: UTF8.self)
    }
}

// MARK: - Remote write 1.0

extension RemoteWriteParser {
    /// `WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }`
    mutating func decodeV1() throws(IngestError) {
        var r = ProtoCursor(0..<body.count)
        while true {
            // Errors in the envelope are reported as WriteRequest errors; errors inside a
            // TimeSeries carry its index.
            var seriesRange: Range<Int>? = nil
            do throws(DecodeError) {
                guard let tag = try r.readTag(body) else { break }
                switch tag.field {
                case 1:
                    try r.expect(tag, .lengthDelimited, "WriteRequest.timeseries")
                    seriesRange = try r.readLengthDelimited(body)
                case 3:
                    try r.expect(tag, .lengthDelimited, "WriteRequest.metadata")
                    let range = try r.readLengthDelimited(body)
                    try parseMetadataV1(range)
                default:
                    try r.skip(tag.wireType, body)
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
    mutating func parseTimeSeriesV1(_ range: Range<Int>) throws(DecodeError) {
        var s = DecodedSeries(offset: range.lowerBound)
        s.labelStart = Int32(request.labelCount)
        s.sampleStart = Int32(request.timestamps.count)
        s.histogramStart = Int32(request.histograms.count)
        s.exemplarStart = Int32(request.exemplars.count)
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .lengthDelimited, "TimeSeries.labels")
                let lr = try r.readLengthDelimited(body)
                let (n, v) = try parseLabelV1(lr)
                request.appendLabel(name: n, value: v)
            case 2:
                try r.expect(tag, .lengthDelimited, "TimeSeries.samples")
                let sr = try r.readLengthDelimited(body)
                try parseSample(sr)
            case 3:
                try r.expect(tag, .lengthDelimited, "TimeSeries.exemplars")
                let er = try r.readLengthDelimited(body)
                request.exemplars.append(try parseExemplar(er, v2: false))
                s.exemplarCount += 1
            case 4:
                try r.expect(tag, .lengthDelimited, "TimeSeries.histograms")
                let hr = try r.readLengthDelimited(body)
                request.histograms.append(try parseHistogram(hr))
                s.histogramCount += 1
            default:
                try r.skip(tag.wireType, body)
            }
        }
        s.labelCount = Int32(request.labelCount) - s.labelStart
        s.sampleCount = Int32(request.timestamps.count) - s.sampleStart
        request.series.append(s)
    }

    /// `Label { string name = 1; string value = 2; }`. A missing field is the empty string.
    /// Returns the byte ranges of name and value.
    func parseLabelV1(_ range: Range<Int>) throws(DecodeError) -> (Range<Int>, Range<Int>) {
        // Fast path: the encoding senders produce for a label with a name and a value shorter
        // than 128 bytes, `0x0A len name 0x12 len value` filling the message exactly. Anything
        // else (empty value omitted, long strings, other field order, unknown fields) goes
        // through the general loop below.
        let lo = range.lowerBound, hi = range.upperBound
        if hi - lo >= 4 && body[lo] == 0x0A {
            let nl = Int(body[lo + 1])
            let ne = lo + 2 + nl
            if nl < 0x80 && ne + 2 <= hi && body[ne] == 0x12 {
                let vl = Int(body[ne + 1])
                if vl < 0x80 && ne + 2 + vl == hi { return (lo + 2..<ne, ne + 2..<hi) }
            }
        }
        var name = range.lowerBound..<range.lowerBound
        var value = name
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .lengthDelimited, "Label.name")
                name = try r.readLengthDelimited(body)
            case 2:
                try r.expect(tag, .lengthDelimited, "Label.value")
                value = try r.readLengthDelimited(body)
            default:
                try r.skip(tag.wireType, body)
            }
        }
        return (name, value)
    }

    /// `Sample { double value = 1; int64 timestamp = 2; }` (2.0 adds `int64 start_timestamp = 3`,
    /// skipped). Missing fields are 0.
    @inline(__always)
    mutating func parseSample(_ range: Range<Int>) throws(DecodeError) {
        // Fast path: both fields present, in field order, nothing else (`0x09 <8-byte double>
        // 0x10 <varint>`), as senders encode a sample with a non-zero value and timestamp. A
        // malformed varint throws the same error the general loop would; any other shape goes
        // through the general loop.
        let lo = range.lowerBound, hi = range.upperBound
        if hi - lo >= 11 && body[lo] == 0x09 && body[lo + 9] == 0x10 {
            var r = ProtoCursor(lo + 10..<hi)
            let ts = try r.readVarint(body)
            if r.isAtEnd {
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(body[lo + 1 + k]) << (8 * UInt64(k)) }
                request.timestamps.append(Int64(bitPattern: ts))
                request.values.append(Double(bitPattern: bits))
                return
            }
        }
        var value: Double = 0
        var ts: Int64 = 0
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .fixed64, "Sample.value")
                value = Double(bitPattern: try r.readFixed64(body))
            case 2:
                try r.expect(tag, .varint, "Sample.timestamp")
                ts = Int64(bitPattern: try r.readVarint(body))
            default:
                try r.skip(tag.wireType, body)
            }
        }
        request.timestamps.append(ts)
        request.values.append(value)
    }

    /// `MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }`
    mutating func parseMetadataV1(_ range: Range<Int>) throws(DecodeError) {
        var type: UInt64 = 0
        var family = "", help = "", unit = ""
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .varint, "MetricMetadata.type")
                type = try r.readVarint(body)
            case 2, 4, 5:
                try r.expect(tag, .lengthDelimited, "MetricMetadata string field")
                let sr = try r.readLengthDelimited(body)
                guard let s = string(sr) else {
                    throw DecodeError(.invalid, offset: sr.lowerBound, "invalid UTF-8 in MetricMetadata field \(tag.field)")
                }
                if tag.field == 2 { family = s } else if tag.field == 4 { help = s } else { unit = s }
            default:
                try r.skip(tag.wireType, body)
            }
        }
        request.metadata.append(MetricMetadata(metricFamily: family, type: RemoteWriteParser.metricType(type), help: help, unit: unit))
    }

    /// `MetricType`: UNKNOWN 0, COUNTER 1, GAUGE 2, HISTOGRAM 3, GAUGEHISTOGRAM 4, SUMMARY 5,
    /// INFO 6, STATESET 7 (2.0 uses the same numbers with `METRIC_TYPE_` names). Unknown values
    /// (newer senders) map to unknown.
    static func metricType(_ v: UInt64) -> MetricMetadata.MetricType {
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
