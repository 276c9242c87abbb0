import SundialCore
import SundialHTTP
import Testing

/// Native histograms in query results, byte for byte as Prometheus's JSON codec writes them.
@Suite struct JSONWriterHistogramTests {
    private func text(_ f: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        f(&w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Negative, zero and positive buckets; an empty bucket is left out.
    static let h = FloatHistogram(
        schema: 0, zeroThreshold: 0.001, zeroCount: 2, count: 13, sum: -3.25,
        positiveSpans: [HistogramSpan(offset: -2, length: 2), HistogramSpan(offset: 3, length: 2)],
        negativeSpans: [HistogramSpan(offset: 1, length: 2)],
        positiveBuckets: [1, 3, 2, 0], negativeBuckets: [3, 2])
    static let hJSON = #"{"count":"13","sum":"-3.25","buckets":[[1,"-4","-2","2"],[1,"-2","-1","3"],[3,"-0.001","0.001","2"],"#
        + #"[0,"0.125","0.25","1"],[0,"0.25","0.5","3"],[0,"4","8","2"]]}"#

    @Test func histogramObject() {
        #expect(text { $0.histogram(Self.h) } == Self.hJSON)
    }

    @Test func emptyHistogramHasNoBucketsKey() {
        #expect(text { $0.histogram(FloatHistogram(schema: 3, count: 0, sum: 0)) } == #"{"count":"0","sum":"0"}"#)
        let nan = FloatHistogram(schema: 3, count: .nan, sum: .infinity, positiveSpans: [HistogramSpan(offset: 0, length: 1)],
                                 positiveBuckets: [0])
        #expect(text { $0.histogram(nan) } == #"{"count":"NaN","sum":"+Inf"}"#)
    }

    @Test func fineSchemaUsesPrometheusBounds() {
        // Schema 8, index 255: (2^(254/256), 2^(255/256)] from Prometheus's table (not exp2's rounding).
        let h = FloatHistogram(schema: 8, count: 1e-7, sum: 1e21, positiveSpans: [HistogramSpan(offset: 255, length: 1)],
                               positiveBuckets: [1e-7])
        #expect(text { $0.histogram(h) } == #"{"count":"1e-07","sum":"1e+21","buckets":[[0,"1.9891988469672657","1.9945921121709396","1e-07"]]}"#)
    }

    @Test func customBucketsRender() {
        let h = FloatHistogram(schema: customBucketsSchema, count: 6, sum: 3,
                               positiveSpans: [HistogramSpan(offset: 0, length: 2), HistogramSpan(offset: 1, length: 1)],
                               positiveBuckets: [1, 2, 3], customValues: [0.1, 1, 10])
        #expect(text { $0.histogram(h) } == #"{"count":"6","sum":"3","buckets":[[3,"-Inf","0.1","1"],[0,"0.1","1","2"],[0,"10","+Inf","3"]]}"#)
    }

    @Test func vectorSampleUsesHistogramKey() {
        let l = Labels(["__name__": "rpc"])
        let data = QueryData(.vector([.init(labels: l, timestamp: 1500, value: 0, histogram: Self.h),
                                      .init(labels: Labels(["__name__": "up"]), timestamp: 1500, value: 1)]))
        #expect(text { data.writeJSON(to: &$0) }
            == #"{"resultType":"vector","result":[{"metric":{"__name__":"rpc"},"histogram":[1.5,"# + Self.hJSON
                + #"]},{"metric":{"__name__":"up"},"value":[1.5,"1"]}]}"#)
    }

    @Test func matrixSeriesHasValuesAndHistogramsOnlyWhenPresent() {
        let l = Labels(["__name__": "rpc"])
        let empty = FloatHistogram(schema: 0, count: 0, sum: 0)
        let data = QueryData(.matrix([
            .init(labels: l, timestamps: [], values: [], histogramTimestamps: [1000, 2000], histograms: [empty, empty]),
            .init(labels: l, timestamps: [500], values: [7], histogramTimestamps: [1000], histograms: [empty]),
            .init(labels: l, timestamps: [], values: []),
        ]))
        let e = #"{"count":"0","sum":"0"}"#
        #expect(text { data.writeJSON(to: &$0) }
            == #"{"resultType":"matrix","result":[{"metric":{"__name__":"rpc"},"histograms":[[1,"# + e + #"],[2,"# + e + #"]]},"#
                + #"{"metric":{"__name__":"rpc"},"values":[[0.5,"7"]],"histograms":[[1,"# + e + #"]]},"#
                + #"{"metric":{"__name__":"rpc"}}]}"#)
    }
}
