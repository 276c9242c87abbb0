import SundialCore
import SundialEncoding

// Native histograms in STREAMED_XOR_CHUNKS responses, as Prometheus 3 streams them: a series'
// histograms travel as histogram chunks (`Chunk.Encoding` HISTOGRAM = 2, FLOAT_HISTOGRAM = 3;
// `prompb/types.proto`) beside its XOR chunks, all in time order. Storage hands histograms out as
// ``FloatHistogram``; runs whose counts are whole numbers are re-encoded as integer histogram
// chunks (encoding 2, which 2.42 reads too), others as float histogram chunks (encoding 3, which
// needs Prometheus 2.44 or newer). A chunk holds one bucket layout (schema, zero threshold,
// spans, custom bounds) and at most `samplesPerChunk` histograms; its counter-reset header is the
// first histogram's reset hint.
extension StreamedReadCursor {
    /// `Chunk.Encoding` numbers.
    static let histogramEncoding: UInt64 = 2
    static let floatHistogramEncoding: UInt64 = 3

    /// The chunk layout of `h`, or nil when its spans and bucket arrays disagree (malformed; the
    /// chunk encoders require them to match).
    static func layout(of h: FloatHistogram) -> HistogramChunkLayout? {
        let need = { (spans: [HistogramSpan]) in spans.reduce(0) { $0 + Int($1.length) } }
        guard need(h.positiveSpans) == h.positiveBuckets.count, need(h.negativeSpans) == h.negativeBuckets.count else { return nil }
        return HistogramChunkLayout(
            schema: h.schema, zeroThreshold: h.zeroThreshold,
            positiveSpans: h.positiveSpans.map { HistogramChunkSpan(offset: $0.offset, length: $0.length) },
            negativeSpans: h.negativeSpans.map { HistogramChunkSpan(offset: $0.offset, length: $0.length) },
            customValues: h.customValues)
    }

    static func header(_ hint: CounterResetHint) -> HistogramChunkHeader {
        switch hint {
        case .unknown: .unknown
        case .counterReset: .counterReset
        case .notCounterReset: .notCounterReset
        case .gauge: .gauge
        }
    }

    /// Appends one histogram `Chunk` to `st.message` with the histograms from `st.histogramIndex`
    /// on: same layout and same integer-ness as the first, before `limit` (the next float sample's
    /// time), at most `perChunk`. A malformed first histogram is skipped without a chunk.
    static func appendHistogramChunk(_ st: inout State, perChunk: Int, before limit: Int64) {
        let first = st.histogramIndex
        let all = st.histograms
        guard let layout = layout(of: all.histograms[first]) else {
            st.histogramIndex += 1
            return
        }
        let integer = RemoteReader.integerForm(all.histograms[first]) != nil
        let hdr = header(all.histograms[first].counterResetHint)
        var intChunk = integer ? HistogramChunkEncoder(layout: layout, header: hdr) : nil
        var floatChunk = integer ? nil : FloatHistogramChunkEncoder(layout: layout, header: hdr)
        var i = first
        while i < all.count && i - first < perChunk {
            let t = all.timestamps[i], h = all.histograms[i]
            if i > first {
                guard t < limit, let l = Self.layout(of: h), l.isIdentical(to: layout) else { break }
            }
            if intChunk != nil {
                guard let x = RemoteReader.integerForm(h) else { break }
                intChunk!.append(t: t, count: x.count, zeroCount: x.zeroCount, sum: x.sum,
                                 positive: x.positiveBuckets, negative: x.negativeBuckets)
            } else {
                if i > first && RemoteReader.integerForm(h) != nil { break }
                floatChunk!.append(t: t, count: h.count, zeroCount: h.zeroCount, sum: h.sum,
                                   positive: h.positiveBuckets, negative: h.negativeBuckets)
            }
            i += 1
        }
        let ct = st.message.beginProtoLengthDelimited(2)
        st.message.appendProtoInt64IfNonZero(1, all.timestamps[first])
        st.message.appendProtoInt64IfNonZero(2, all.timestamps[i - 1])
        st.message.appendProtoVarint(3, integer ? histogramEncoding : floatHistogramEncoding)
        st.message.appendProtoBytes(4, intChunk?.bytes ?? floatChunk?.bytes ?? [])
        st.message.endProtoLengthDelimited(ct)
        st.histogramIndex = i
    }
}
