import SundialCore
import SundialEncoding

// Native histograms in remote-read responses. Prometheus 2.42's `ToQueryResult` stops at the first
// non-float sample ("TODO: Add Histogram support"); this follows Prometheus 3 (`storage/remote/codec.go`
// `ToQueryResult`): each series' histograms go to `TimeSeries.histograms` (field 4) as
// `prompb.Histogram`, and the sample limit counts them.
//
// Storage hands histograms out as ``FloatHistogram`` (``StorageSeries/histogramSamples``). One
// whose counts are all whole numbers (as every histogram remote-written or scraped as an integer
// histogram is) is sent as an integer histogram (`count_int`, `zero_count_int`, delta-encoded
// `*_deltas`), so receivers that only know integer histograms (2.42) read it; any other as a float
// histogram (`count_float`, `zero_count_float`, absolute `*_counts`).
extension RemoteReader {
    /// The integer form of `h` when every count is a whole number in `0..<2^63`, else nil.
    static func integerForm(_ h: FloatHistogram) -> Histogram? {
        func whole(_ x: Double) -> Bool { x >= 0 && x < 9.2e18 && x.rounded(.towardZero) == x }
        guard whole(h.count), whole(h.zeroCount) else { return nil }
        func deltas(_ counts: [Double]) -> [Int64]? {
            var out: [Int64] = []
            out.reserveCapacity(counts.count)
            var prev: Int64 = 0
            for c in counts {
                guard whole(c) else { return nil }
                let v = Int64(c)
                out.append(v &- prev)
                prev = v
            }
            return out
        }
        guard let pos = deltas(h.positiveBuckets), let neg = deltas(h.negativeBuckets) else { return nil }
        return Histogram(counterResetHint: h.counterResetHint, schema: h.schema, zeroThreshold: h.zeroThreshold,
                         zeroCount: UInt64(h.zeroCount), count: UInt64(h.count), sum: h.sum,
                         positiveSpans: h.positiveSpans, negativeSpans: h.negativeSpans,
                         positiveBuckets: pos, negativeBuckets: neg, customValues: h.customValues)
    }

    /// Appends `TimeSeries.histograms` (field 4) entries for `buffer`'s histograms.
    static func appendHistograms(_ buffer: HistogramSampleBuffer, to out: inout [UInt8]) {
        for k in 0..<buffer.count {
            let t = buffer.timestamps[k], h = buffer.histograms[k]
            let value: RemoteWriteRequest.Histogram
            if let i = integerForm(h) {
                value = .init(timestamp: t, histogram: i)
            } else {
                value = .init(timestamp: t, floatHistogram: h)
            }
            RemoteWriteRequest.appendHistogram(&out, 4, value)
        }
    }
}
