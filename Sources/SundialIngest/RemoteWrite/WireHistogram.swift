import SundialCore
import SundialEncoding

/// One remote-write native histogram as decoded from the wire, before validation: the fields of
/// `prometheus.Histogram` (remote write 1.0, `prompb/types.proto`) and
/// `io.prometheus.write.v2.Histogram` (2.0), which share field numbers:
///
/// | field | name | wire |
/// |---|---|---|
/// | 1 / 2 | `count_int` (uint64) / `count_float` (double), a oneof | varint / fixed64 |
/// | 3 | `sum` | fixed64 |
/// | 4 | `schema` (sint32) | varint (zig-zag) |
/// | 5 | `zero_threshold` | fixed64 |
/// | 6 / 7 | `zero_count_int` / `zero_count_float`, a oneof | varint / fixed64 |
/// | 8 / 11 | `negative_spans` / `positive_spans` (`BucketSpan { sint32 offset = 1; uint32 length = 2; }`) | length-delimited |
/// | 9 / 12 | `negative_deltas` / `positive_deltas` (packed sint64) | length-delimited or varint |
/// | 10 / 13 | `negative_counts` / `positive_counts` (packed double) | length-delimited or fixed64 |
/// | 14 | `reset_hint` (UNKNOWN 0, YES 1, NO 2, GAUGE 3) | varint |
/// | 15 | `timestamp` (ms) | varint |
/// | 16 | `custom_values` (packed double, schema -53) | length-delimited or fixed64 |
/// | 17 | `start_timestamp` (2.0; ignored, like Sample.start_timestamp) | varint |
///
/// A histogram is a float histogram when the `count` oneof holds `count_float` (Prometheus 3's
/// `IsFloatHistogram`; the last member on the wire wins, as protobuf oneofs do), or, with no count
/// at all, when `zero_count` holds `zero_count_float`; then its bucket counts are the absolute
/// `*_counts`, otherwise the delta-encoded `*_deltas`. (2.42 tested `count_float > 0 ||
/// zero_count_float > 0`, which differs only for an empty float histogram.)
/// Allocates its arrays: histograms are far rarer than float samples and are appended as
/// ``Histogram``/``FloatHistogram`` values, which own arrays anyway.
struct WireHistogram: Sendable {
    var timestamp: Int64 = 0
    /// Which member of the `count` oneof was set last: 0 none, 1 `count_int`, 2 `count_float`.
    var countKind: UInt8 = 0
    /// Which member of the `zero_count` oneof was set last: 0 none, 1 int, 2 float.
    var zeroCountKind: UInt8 = 0
    var countInt: UInt64 = 0
    var countFloat: Double = 0
    var sum: Double = 0
    var schema: Int32 = 0
    var zeroThreshold: Double = 0
    var zeroCountInt: UInt64 = 0
    var zeroCountFloat: Double = 0
    var negativeSpans: [HistogramSpan] = []
    var positiveSpans: [HistogramSpan] = []
    var negativeDeltas: [Int64] = []
    var positiveDeltas: [Int64] = []
    var negativeCounts: [Double] = []
    var positiveCounts: [Double] = []
    var resetHint: UInt64 = 0
    var customValues: [Double] = []
}

extension RemoteWriteParser {
    /// Decodes one `Histogram` message (see ``WireHistogram``). Checks every wire type, that span
    /// offsets fit `int32` and lengths `uint32`, the schema fits `sint32`, and packed doubles are
    /// whole; semantic rules (spans vs buckets, counts) are ``WireHistogram/validated()``'s.
    func parseHistogram(_ range: Range<Int>) throws(DecodeError) -> WireHistogram {
        var h = WireHistogram()
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .varint, "Histogram.count_int")
                h.countInt = try r.readVarint(body)
                h.countKind = 1
            case 2:
                try r.expect(tag, .fixed64, "Histogram.count_float")
                h.countFloat = Double(bitPattern: try r.readFixed64(body))
                h.countKind = 2
            case 3:
                try r.expect(tag, .fixed64, "Histogram.sum")
                h.sum = Double(bitPattern: try r.readFixed64(body))
            case 4:
                try r.expect(tag, .varint, "Histogram.schema")
                let at = r.position
                let v = Self.zigZag(try r.readVarint(body))
                guard let s = Int32(exactly: v) else {
                    throw DecodeError(.invalid, offset: at, "Histogram.schema: \(v) does not fit sint32")
                }
                h.schema = s
            case 5:
                try r.expect(tag, .fixed64, "Histogram.zero_threshold")
                h.zeroThreshold = Double(bitPattern: try r.readFixed64(body))
            case 6:
                try r.expect(tag, .varint, "Histogram.zero_count_int")
                h.zeroCountInt = try r.readVarint(body)
                h.zeroCountKind = 1
            case 7:
                try r.expect(tag, .fixed64, "Histogram.zero_count_float")
                h.zeroCountFloat = Double(bitPattern: try r.readFixed64(body))
                h.zeroCountKind = 2
            case 8, 11:
                try r.expect(tag, .lengthDelimited, tag.field == 8 ? "Histogram.negative_spans" : "Histogram.positive_spans")
                let span = try parseBucketSpan(try r.readLengthDelimited(body))
                if tag.field == 8 { h.negativeSpans.append(span) } else { h.positiveSpans.append(span) }
            case 9, 12:
                if tag.wireType == .lengthDelimited {
                    var p = ProtoCursor(try r.readLengthDelimited(body))
                    while !p.isAtEnd {
                        let d = Self.zigZag(try p.readVarint(body))
                        if tag.field == 9 { h.negativeDeltas.append(d) } else { h.positiveDeltas.append(d) }
                    }
                } else {
                    try r.expect(tag, .varint, tag.field == 9 ? "Histogram.negative_deltas" : "Histogram.positive_deltas")
                    let d = Self.zigZag(try r.readVarint(body))
                    if tag.field == 9 { h.negativeDeltas.append(d) } else { h.positiveDeltas.append(d) }
                }
            case 10, 13, 16:
                let what: StaticString = tag.field == 10 ? "Histogram.negative_counts"
                    : tag.field == 13 ? "Histogram.positive_counts" : "Histogram.custom_values"
                if tag.wireType == .lengthDelimited {
                    let pr = try r.readLengthDelimited(body)
                    guard pr.count % 8 == 0 else {
                        throw DecodeError(.invalid, offset: pr.lowerBound, "\(what): \(pr.count) bytes of packed doubles is not a multiple of 8")
                    }
                    var p = ProtoCursor(pr)
                    while !p.isAtEnd { h.appendDouble(Double(bitPattern: try p.readFixed64(body)), field: tag.field) }
                } else {
                    try r.expect(tag, .fixed64, what)
                    h.appendDouble(Double(bitPattern: try r.readFixed64(body)), field: tag.field)
                }
            case 14:
                try r.expect(tag, .varint, "Histogram.reset_hint")
                h.resetHint = try r.readVarint(body)
            case 15:
                try r.expect(tag, .varint, "Histogram.timestamp")
                h.timestamp = Int64(bitPattern: try r.readVarint(body))
            case 17:
                try r.expect(tag, .varint, "Histogram.start_timestamp")
                _ = try r.readVarint(body)
            default:
                try r.skip(tag.wireType, body)
            }
        }
        return h
    }

    /// `BucketSpan { sint32 offset = 1; uint32 length = 2; }`
    func parseBucketSpan(_ range: Range<Int>) throws(DecodeError) -> HistogramSpan {
        var span = HistogramSpan(offset: 0, length: 0)
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .varint, "BucketSpan.offset")
                let at = r.position
                let v = Self.zigZag(try r.readVarint(body))
                guard let o = Int32(exactly: v) else { throw DecodeError(.invalid, offset: at, "BucketSpan.offset: \(v) does not fit sint32") }
                span.offset = o
            case 2:
                try r.expect(tag, .varint, "BucketSpan.length")
                let at = r.position
                let v = try r.readVarint(body)
                guard let l = UInt32(exactly: v) else { throw DecodeError(.invalid, offset: at, "BucketSpan.length: \(v) does not fit uint32") }
                span.length = l
            default:
                try r.skip(tag.wireType, body)
            }
        }
        return span
    }

    /// Protobuf `sint32`/`sint64` zig-zag decoding.
    @inline(__always)
    static func zigZag(_ v: UInt64) -> Int64 {
        Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }
}

extension WireHistogram {
    /// True for a float histogram (see the type's documentation).
    var isFloat: Bool { countKind == 2 || (countKind == 0 && zeroCountKind == 2) }

    mutating func appendDouble(_ v: Double, field: UInt32) {
        switch field {
        case 10: negativeCounts.append(v)
        case 13: positiveCounts.append(v)
        default: customValues.append(v)
        }
    }
}
