import Testing
import SundialCore

/// Bucket boundaries (Prometheus `getBound`) and the ascending bucket walk (`AllBucketIterator`).
@Suite struct HistogramBucketBoundsTests {
    @Test func exponentialBounds() {
        #expect(HistogramBucketBounds.upperBound(index: 0, schema: 0) == 1)
        #expect(HistogramBucketBounds.upperBound(index: 1, schema: 0) == 2)
        #expect(HistogramBucketBounds.upperBound(index: -1, schema: 0) == 0.5)
        #expect(HistogramBucketBounds.upperBound(index: 1, schema: -1) == 4)
        #expect(HistogramBucketBounds.upperBound(index: -2, schema: -2) == 1.0 / 256)
        // Schema 3, index 1: 2 * exponentialBounds[3][1] (0.5452538663326288).
        #expect(HistogramBucketBounds.upperBound(index: 1, schema: 3) == 1.0905077326652577)
        // An entry where Prometheus's table is not the correctly rounded 2^(255/256)/2.
        #expect(HistogramBucketBounds.upperBound(index: 255, schema: 8) == 2 * 0.9972960560854698)
        #expect(HistogramBucketBounds.upperBound(index: -1, schema: 8) == 0.9972960560854698)
        // Every schema agrees with schema 8 at its coarser boundaries.
        for s: Int32 in 0...7 {
            for i: Int32 in -40...40 {
                #expect(HistogramBucketBounds.upperBound(index: i, schema: s)
                        == HistogramBucketBounds.upperBound(index: i << (8 - s), schema: 8))
            }
        }
        // The last finite bucket ends at the largest double (Prometheus 3), the next is +Inf.
        #expect(HistogramBucketBounds.upperBound(index: 1024, schema: 0) == .greatestFiniteMagnitude)
        #expect(HistogramBucketBounds.upperBound(index: 1025, schema: 0) == .infinity)
        #expect(HistogramBucketBounds.upperBound(index: 256, schema: -2) == .greatestFiniteMagnitude)
        #expect(HistogramBucketBounds.upperBound(index: 1024 << 8, schema: 8) == .greatestFiniteMagnitude)
    }

    @Test func customBounds() {
        let cv: [Double] = [0.1, 1, 10]
        #expect(HistogramBucketBounds.upperBound(index: -1, schema: customBucketsSchema, customValues: cv) == -.infinity)
        #expect(HistogramBucketBounds.upperBound(index: 1, schema: customBucketsSchema, customValues: cv) == 1)
        #expect(HistogramBucketBounds.upperBound(index: 3, schema: customBucketsSchema, customValues: cv) == .infinity)
        #expect(HistogramBucketBounds.upperBound(index: 99, schema: customBucketsSchema, customValues: cv) == .infinity)
    }

    func buckets(_ h: FloatHistogram) -> [HistogramBucket] {
        var out: [HistogramBucket] = []
        h.forEachBucket { out.append($0) }
        return out
    }

    @Test func allBucketsAscendingWithZeroBucketClamping() {
        // Schema 0, zero threshold 0.6: positive bucket 0 is (0.5, 1], clamped to (0.6, 1].
        let h = FloatHistogram(schema: 0, zeroThreshold: 0.6, zeroCount: 2, count: 12, sum: 3,
                               positiveSpans: [HistogramSpan(offset: 0, length: 2), HistogramSpan(offset: 1, length: 1)],
                               negativeSpans: [HistogramSpan(offset: 0, length: 2)],
                               positiveBuckets: [1, 2, 3], negativeBuckets: [4, 0])
        let b = buckets(h)
        #expect(b.map(\.lower) == [-2, -1, -0.6, 0.6, 1, 4])
        #expect(b.map(\.upper) == [-1, -0.6, 0.6, 1, 2, 8])
        #expect(b.map(\.count) == [0, 4, 2, 1, 2, 3])
        #expect(b.map(\.boundaryRule) == [1, 1, 3, 0, 0, 0])
        #expect(b.map(\.index) == [1, 0, 0, 0, 1, 3])
    }

    @Test func customBucketsInclusivity() {
        let h = FloatHistogram(schema: customBucketsSchema, count: 6, sum: 3,
                               positiveSpans: [HistogramSpan(offset: 0, length: 2), HistogramSpan(offset: 1, length: 1)],
                               positiveBuckets: [1, 2, 3], customValues: [1, 2, 5])
        let b = buckets(h)
        #expect(b.map(\.lower) == [-.infinity, 1, 5])
        #expect(b.map(\.upper) == [1, 2, .infinity])
        #expect(b.map(\.boundaryRule) == [3, 0, 0])
    }

    @Test func malformedSpansDoNotTrap() {
        let h = FloatHistogram(schema: 0, count: 1, sum: 1,
                               positiveSpans: [HistogramSpan(offset: Int32.max, length: 5)], positiveBuckets: [1, 2],
                               customValues: [])
        #expect(buckets(h).count == 2)
        let c = FloatHistogram(schema: customBucketsSchema, count: 1, sum: 1,
                               positiveSpans: [HistogramSpan(offset: -3, length: 9)], positiveBuckets: [1, 1, 1],
                               customValues: [1])
        #expect(buckets(c).count == 3)
        #expect(buckets(FloatHistogram(schema: 12, count: 1, sum: 1, positiveSpans: [HistogramSpan(offset: 3, length: 1)],
                                       positiveBuckets: [1])).count == 1)
    }
}
