import SundialCore

/// Remote write 2.0 per-series metadata, as symbol references (0 = unset).
struct SeriesMetadataRef {
    var type: UInt64 = 0
    var helpRef: UInt32 = 0
    var unitRef: UInt32 = 0
    var present = false
}

/// One TimeSeries of a decoded request: index ranges into the decoder's columnar buffers.
struct DecodedSeries {
    /// Byte offset of the TimeSeries message in the decoded body.
    var offset: Int
    var labelStart: Int32 = 0
    var labelCount: Int32 = 0
    var sampleStart: Int32 = 0
    var sampleCount: Int32 = 0
    var exemplarCount: Int32 = 0
    /// Index of the series' first exemplar in ``DecodedRequest/exemplars``.
    var exemplarStart: Int32 = 0
    var histogramCount: Int32 = 0
    /// Index of the series' first histogram in ``DecodedRequest/histograms``.
    var histogramStart: Int32 = 0
    /// Remote write 2.0 only.
    var metadata = SeriesMetadataRef()
    /// Remote write 2.0 `created_timestamp` (field 6 of earlier release candidates), 0 = unset.
    var createdTimestamp: Int64 = 0

    init(offset: Int) { self.offset = offset }
}

/// The reused, columnar form of one decoded request (both protocol versions). Owned by one
/// ``RemoteWriteDecoder``; cleared, not freed, between requests.
struct DecodedRequest {
    var series: [DecodedSeries] = []
    /// Labels as byte spans of the body: 4 values per label, `(nameStart, nameCount,
    /// valueStart, valueCount)`, i.e. span pairs `2i` (name) and `2i+1` (value). For 2.0 requests
    /// the spans are those of the referenced symbols.
    var labelSpans: [Int32] = []
    var timestamps: [Int64] = []
    var values: [Double] = []
    /// Native histograms of all series, in wire order (each series' run starts at its
    /// ``DecodedSeries/histogramStart``).
    var histograms: [WireHistogram] = []
    /// Remote write 1.0 `WriteRequest.metadata`.
    var metadata: [MetricMetadata] = []
    /// Remote write 2.0 symbol table as byte ranges into the body.
    var symbols: [Range<Int>] = []
    /// Exemplars of all series, in wire order (`RemoteWriteParser+Exemplars.swift`).
    var exemplars: [WireExemplar] = []
    /// Exemplar label name and value byte ranges, alternating (see ``WireExemplar``).
    var exemplarLabelSpans: [Range<Int>] = []

    mutating func removeAll() {
        series.removeAll(keepingCapacity: true)
        labelSpans.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        if !histograms.isEmpty { histograms.removeAll(keepingCapacity: true) }
        metadata.removeAll(keepingCapacity: true)
        symbols.removeAll(keepingCapacity: true)
        if !exemplars.isEmpty {
            exemplars.removeAll(keepingCapacity: true)
            exemplarLabelSpans.removeAll(keepingCapacity: true)
        }
    }

    var sampleCount: Int { timestamps.count }
}

extension DecodedRequest {
    /// Number of labels decoded so far.
    @inline(__always) var labelCount: Int { labelSpans.count / 4 }

    @inline(__always) mutating func appendLabel(name: Range<Int>, value: Range<Int>) {
        labelSpans.append(Int32(truncatingIfNeeded: name.lowerBound))
        labelSpans.append(Int32(truncatingIfNeeded: name.count))
        labelSpans.append(Int32(truncatingIfNeeded: value.lowerBound))
        labelSpans.append(Int32(truncatingIfNeeded: value.count))
    }

    /// Byte range of the name of label `i` (absolute label index).
    @inline(__always) func nameRange(_ i: Int) -> Range<Int> {
        let s = Int(labelSpans[4 * i])
        return s..<s + Int(labelSpans[4 * i + 1])
    }

    /// Byte range of the value of label `i` (absolute label index).
    @inline(__always) func valueRange(_ i: Int) -> Range<Int> {
        let s = Int(labelSpans[4 * i + 2])
        return s..<s + Int(labelSpans[4 * i + 3])
    }
}
