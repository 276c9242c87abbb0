import SundialCore
import SundialEncoding

/// One decoded exemplar: its labels as a run of ``DecodedRequest/exemplarLabelSpans`` (name and
/// value byte ranges alternating, `labelCount` pairs from `labelStart`), value and time (ms).
/// `labelCount` is -1 when a 2.0 exemplar's `labels_refs` has an odd length (no name/value pairs):
/// such an exemplar is dropped, the rest of the request is unaffected.
struct WireExemplar {
    var labelStart: Int32
    var labelCount: Int32
    var value: Double
    var timestamp: Int64
}

extension RemoteWriteParser {
    /// 1.0 `Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }`;
    /// 2.0 `Exemplar { repeated uint32 labels_refs = 1; double value = 2; int64 timestamp = 3; }`
    /// (reference-brief §2.1–2.2). Missing fields are zero; a 2.0 ref past the symbol table throws.
    mutating func parseExemplar(_ range: Range<Int>, v2: Bool) throws(DecodeError) -> WireExemplar {
        var r = ProtoCursor(range)
        let nsym = request.symbols.count
        var e = WireExemplar(labelStart: Int32(truncatingIfNeeded: request.exemplarLabelSpans.count / 2), labelCount: 0,
                             value: 0, timestamp: 0)
        var refs = 0
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1 where v2:
                if tag.wireType == .lengthDelimited {
                    let pr = try r.readLengthDelimited(body)
                    var p = ProtoCursor(pr)
                    while !p.isAtEnd {
                        try appendExemplarRef(&p, nsym)
                        refs += 1
                    }
                } else {
                    try r.expect(tag, .varint, "Exemplar.labels_refs")
                    try appendExemplarRef(&r, nsym)
                    refs += 1
                }
            case 1:
                try r.expect(tag, .lengthDelimited, "Exemplar.labels")
                let (n, v) = try parseLabelV1(try r.readLengthDelimited(body))
                request.exemplarLabelSpans.append(n)
                request.exemplarLabelSpans.append(v)
            case 2:
                try r.expect(tag, .fixed64, "Exemplar.value")
                e.value = Double(bitPattern: try r.readFixed64(body))
            case 3:
                try r.expect(tag, .varint, "Exemplar.timestamp")
                e.timestamp = Int64(bitPattern: try r.readVarint(body))
            default:
                try r.skip(tag.wireType, body)
            }
        }
        if v2 && refs % 2 != 0 {
            request.exemplarLabelSpans.removeLast(refs)
            e.labelCount = -1
        } else {
            e.labelCount = Int32(truncatingIfNeeded: request.exemplarLabelSpans.count / 2) - e.labelStart
        }
        return e
    }

    /// Reads one 2.0 exemplar label ref and appends its symbol's range.
    mutating func appendExemplarRef(_ p: inout ProtoCursor, _ nsym: Int) throws(DecodeError) {
        let at = p.position
        let ref = try readRef(&p, "Exemplar.labels_refs")
        guard Int(ref) < nsym else {
            throw DecodeError(.invalid, offset: at, "Exemplar.labels_refs: \(ref) is out of range of the \(nsym) symbols")
        }
        request.exemplarLabelSpans.append(request.symbols[Int(ref)])
    }
}
