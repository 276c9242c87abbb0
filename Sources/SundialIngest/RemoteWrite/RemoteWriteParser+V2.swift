import SundialCore
import SundialEncoding

// MARK: - Remote write 2.0

extension RemoteWriteParser {
    /// `Request { reserved 1 to 3; repeated string symbols = 4; repeated TimeSeries timeseries = 5; }`
    /// (remote-write 2.0 spec, "Protocol" and "Symbols"). Symbols may follow the series on the
    /// wire, so a first pass collects both, then series are decoded against the full table.
    mutating func decodeV2() throws(IngestError) {
        // Reuse the decoder's scratch list of series ranges (no allocation per request).
        var seriesRanges: [Range<Int>] = []
        swap(&seriesRanges, &seriesRangeScratch)
        seriesRanges.removeAll(keepingCapacity: true)
        defer { swap(&seriesRanges, &seriesRangeScratch) }
        var r = ProtoCursor(0..<body.count)
        do throws(DecodeError) {
            while let tag = try r.readTag(body) {
                switch tag.field {
                case 4:
                    try r.expect(tag, .lengthDelimited, "Request.symbols")
                    request.symbols.append(try r.readLengthDelimited(body))
                case 5:
                    try r.expect(tag, .lengthDelimited, "Request.timeseries")
                    seriesRanges.append(try r.readLengthDelimited(body))
                default:
                    try r.skip(tag.wireType, body)
                }
            }
        } catch {
            throw IngestError.malformed(error, in: "Request")
        }
        // "The first element of the symbols table MUST be an empty string."
        if let first = request.symbols.first, !first.isEmpty {
            throw IngestError(
                .invalidRequest, "symbols[0] must be the empty string, got \(GoQuote.quote(printable(first)))",
                offset: first.lowerBound)
        }
        for (i, range) in seriesRanges.enumerated() {
            try parseTimeSeriesV2(range, index: i)
        }
    }

    /// `TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2; repeated Histogram histograms = 3;
    /// repeated Exemplar exemplars = 4; Metadata metadata = 5; int64 created_timestamp = 6 (earlier RCs) }`
    mutating func parseTimeSeriesV2(_ range: Range<Int>, index: Int) throws(IngestError) {
        var s = DecodedSeries(offset: range.lowerBound)
        s.labelStart = Int32(request.labelCount)
        s.sampleStart = Int32(request.timestamps.count)
        s.histogramStart = Int32(request.histograms.count)
        s.exemplarStart = Int32(request.exemplars.count)
        // Reuse the scratch array without a copy-on-write copy: move it out, put it back after.
        var refs: [UInt32] = []
        swap(&refs, &refScratch)
        refs.removeAll(keepingCapacity: true)
        defer { swap(&refs, &refScratch) }
        var r = ProtoCursor(range)
        do throws(DecodeError) {
            while let tag = try r.readTag(body) {
                switch tag.field {
                case 1:
                    // Packed (the proto3 default) or, tolerated, one varint per element.
                    if tag.wireType == .lengthDelimited {
                        let pr = try r.readLengthDelimited(body)
                        var p = ProtoCursor(pr)
                        while !p.isAtEnd { refs.append(try readRef(&p, "TimeSeries.labels_refs")) }
                    } else {
                        try r.expect(tag, .varint, "TimeSeries.labels_refs")
                        refs.append(try readRef(&r, "TimeSeries.labels_refs"))
                    }
                case 2:
                    try r.expect(tag, .lengthDelimited, "TimeSeries.samples")
                    let sr = try r.readLengthDelimited(body)
                    try parseSample(sr)
                case 3:
                    try r.expect(tag, .lengthDelimited, "TimeSeries.histograms")
                    let hr = try r.readLengthDelimited(body)
                    request.histograms.append(try parseHistogram(hr))
                    s.histogramCount += 1
                case 4:
                    try r.expect(tag, .lengthDelimited, "TimeSeries.exemplars")
                    let er = try r.readLengthDelimited(body)
                    request.exemplars.append(try parseExemplar(er, v2: true))
                    s.exemplarCount += 1
                case 5:
                    try r.expect(tag, .lengthDelimited, "TimeSeries.metadata")
                    let mr = try r.readLengthDelimited(body)
                    s.metadata = try parseMetadataV2(mr)
                case 6:
                    try r.expect(tag, .varint, "TimeSeries.created_timestamp")
                    s.createdTimestamp = Int64(bitPattern: try r.readVarint(body))
                default:
                    try r.skip(tag.wireType, body)
                }
            }
        } catch {
            throw IngestError.malformed(error, in: "TimeSeries", seriesIndex: index)
        }
        guard refs.count % 2 == 0 else {
            throw IngestError(
                .invalidRequest, "labels_refs has an odd number of elements (\(refs.count)); it must hold name/value pairs",
                offset: range.lowerBound, seriesIndex: index)
        }
        let nsym = request.symbols.count
        var i = 0
        while i < refs.count {
            let n = Int(refs[i]), v = Int(refs[i + 1])
            guard n < nsym, v < nsym else {
                throw IngestError(
                    .invalidRequest,
                    "labels_refs[\(n < nsym ? i + 1 : i)] = \(n < nsym ? v : n) is out of range of the \(nsym) symbols",
                    offset: range.lowerBound, seriesIndex: index)
            }
            let nr = request.symbols[n], vr = request.symbols[v]
            request.appendLabel(name: nr, value: vr)
            i += 2
        }
        if s.metadata.present {
            for (what, ref) in [("help_ref", s.metadata.helpRef), ("unit_ref", s.metadata.unitRef)] where Int(ref) >= nsym {
                throw IngestError(
                    .invalidRequest, "metadata \(what) = \(ref) is out of range of the \(nsym) symbols",
                    offset: range.lowerBound, seriesIndex: index)
            }
        }
        s.labelCount = Int32(request.labelCount) - s.labelStart
        s.sampleCount = Int32(request.timestamps.count) - s.sampleStart
        request.series.append(s)
    }

    @inline(__always)
    func readRef(_ r: inout ProtoCursor, _ what: StaticString) throws(DecodeError) -> UInt32 {
        let at = r.position
        let v = try r.readVarint(body)
        guard v <= UInt64(UInt32.max) else {
            throw DecodeError(.invalid, offset: at, "\(what): reference \(v) does not fit uint32")
        }
        return UInt32(v)
    }

    /// `Metadata { MetricType type = 1; uint32 help_ref = 3; uint32 unit_ref = 4; }`
    func parseMetadataV2(_ range: Range<Int>) throws(DecodeError) -> SeriesMetadataRef {
        var m = SeriesMetadataRef()
        m.present = true
        var r = ProtoCursor(range)
        while let tag = try r.readTag(body) {
            switch tag.field {
            case 1:
                try r.expect(tag, .varint, "Metadata.type")
                m.type = try r.readVarint(body)
            case 3:
                try r.expect(tag, .varint, "Metadata.help_ref")
                m.helpRef = try readRef(&r, "Metadata.help_ref")
            case 4:
                try r.expect(tag, .varint, "Metadata.unit_ref")
                m.unitRef = try readRef(&r, "Metadata.unit_ref")
            default:
                try r.skip(tag.wireType, body)
            }
        }
        return m
    }
}
