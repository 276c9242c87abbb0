import Testing
import SundialCore
@testable import PromQLEngine

/// FloatHistogram arithmetic and estimates used by PromQL (values checked against the v3.14
/// native_histograms.test expectations and hand computation).
@Suite struct FloatHistogramArithmeticTests {
    static func exp(_ schema: Int32 = 0, count: Double, sum: Double, buckets: [Double], offset: Int32 = 0,
                    zero: Double = 0, zeroWidth: Double = 0) -> FloatHistogram {
        FloatHistogram(schema: schema, zeroThreshold: zeroWidth, zeroCount: zero, count: count, sum: sum,
                       positiveSpans: buckets.isEmpty ? [] : [HistogramSpan(offset: offset, length: UInt32(buckets.count))],
                       positiveBuckets: buckets)
    }

    @Test func addMergesSpans() throws {
        var notes = HistogramCombineNotes()
        let a = Self.exp(count: 4, sum: 4, buckets: [1, 2, 1])
        let b = Self.exp(count: 1, sum: 2, buckets: [1], offset: 1)
        let r = try a.combined(with: b, sign: 1, notes: &notes).compacted()
        #expect(r.count == 5 && r.sum == 6)
        #expect(r.positiveSpans == [HistogramSpan(offset: 0, length: 3)])
        #expect(r.positiveBuckets == [1, 3, 1])
    }

    @Test func addReducesToTheCoarserSchema() throws {
        var notes = HistogramCombineNotes()
        // Schema 1 buckets 1 and 2 both fall into schema-0 bucket 1.
        let fine = Self.exp(1, count: 2, sum: 3, buckets: [1, 1], offset: 1)
        let coarse = Self.exp(0, count: 1, sum: 1, buckets: [1], offset: 1)
        let r = try fine.combined(with: coarse, sign: 1, notes: &notes).compacted()
        #expect(r.schema == 0)
        #expect(r.positiveSpans == [HistogramSpan(offset: 1, length: 1)])
        #expect(r.positiveBuckets == [3])
    }

    @Test func addWidensTheZeroBucket() throws {
        var notes = HistogramCombineNotes()
        // Bucket 0 of schema 0 is (0.5, 1]; a zero threshold of 1 swallows it.
        let a = Self.exp(count: 3, sum: 2, buckets: [2, 1], zero: 0, zeroWidth: 0.5)
        let b = Self.exp(count: 1, sum: 0, buckets: [], zero: 1, zeroWidth: 1)
        let r = try a.combined(with: b, sign: 1, notes: &notes).compacted()
        #expect(r.zeroThreshold == 1)
        #expect(r.zeroCount == 3)
        #expect(r.positiveBuckets == [1])
        #expect(r.positiveSpans == [HistogramSpan(offset: 1, length: 1)])
    }

    @Test func mixingExponentialAndCustomBucketsFails() {
        var notes = HistogramCombineNotes()
        let a = Self.exp(count: 1, sum: 1, buckets: [1])
        let c = FloatHistogram(schema: customBucketsSchema, count: 1, sum: 1,
                               positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [1], customValues: [5])
        #expect(throws: HistogramCombineError.self) { try a.combined(with: c, sign: 1, notes: &notes) }
    }

    @Test func customBoundsAreReconciled() throws {
        var notes = HistogramCombineNotes()
        let a = FloatHistogram(schema: customBucketsSchema, count: 1, sum: 1,
                               positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [1], customValues: [5, 10])
        let b = FloatHistogram(schema: customBucketsSchema, count: 1, sum: 1,
                               positiveSpans: [HistogramSpan(offset: 0, length: 1)], positiveBuckets: [1], customValues: [10])
        let r = try a.combined(with: b, sign: 1, notes: &notes).compacted()
        #expect(notes.reconciledCustomBounds)
        #expect(r.customValues == [10])
        #expect(r.positiveBuckets == [2])
    }

    @Test func subtractionAndScaling() throws {
        var notes = HistogramCombineNotes()
        let a = Self.exp(count: 4, sum: 4, buckets: [1, 2, 1])
        let d = try a.combined(with: a.scaled(by: 0.5), sign: -1, notes: &notes).compacted()
        #expect(d.positiveBuckets == [0.5, 1, 0.5])
        let z = a.divided(by: 0)
        #expect(z.count == .infinity && z.positiveBuckets.isEmpty)
    }

    @Test func detectReset() {
        let prev = Self.exp(count: 4, sum: 4, buckets: [1, 2, 1])
        #expect(!Self.exp(count: 5, sum: 5, buckets: [1, 3, 1]).detectReset(after: prev))
        #expect(Self.exp(count: 3, sum: 3, buckets: [1, 1, 1]).detectReset(after: prev))
        // Same count, one bucket went down.
        #expect(Self.exp(count: 4, sum: 4, buckets: [2, 1, 1]).detectReset(after: prev))
        var hinted = Self.exp(count: 1, sum: 1, buckets: [1])
        hinted.counterResetHint = .notCounterReset
        #expect(!hinted.detectReset(after: prev))
    }

    @Test func quantileAndFraction() {
        let h = Self.exp(count: 4, sum: 5, buckets: [1, 2, 1])
        #expect(Swift.abs(NativeHistogramStats.quantile(0.5, h) - 2.0.squareRoot()) < 1e-12)
        #expect(NativeHistogramStats.fraction(1, 2, h) == 0.5)
        #expect(NativeHistogramStats.fraction(0, 8, h) == 1)
        #expect(NativeHistogramStats.quantile(0.5, Self.exp(count: 0, sum: 0, buckets: [])).isNaN)
        #expect(NativeHistogramStats.quantile(-1, h) == -.infinity)
    }

    @Test func trimKeepsTheInterpolatedShare() {
        // h_test </ 1.4142135624 of native_histograms.test.
        var h = Self.exp(count: 34, sum: 123.75, buckets: [2, 4, 8, 16], zero: 1, zeroWidth: 0.001)
        h.negativeSpans = [HistogramSpan(offset: 0, length: 2)]
        h.negativeBuckets = [1, 2]
        let below = h.trimmed(at: 1.4142135624, keepAbove: false)
        #expect(Swift.abs(below.count - 8) < 1e-6)
        #expect(Swift.abs(below.sum - 0.2570938865989847) < 1e-6)
        let above = h.trimmed(at: 1.4142135624, keepAbove: true)
        #expect(Swift.abs(above.count - 26) < 1e-6)
        #expect(h.trimmed(at: -.infinity, keepAbove: true) == h)
    }

    @Test func kahanSumKeepsSmallTermsNextToLargeOnes() throws {
        var notes = HistogramCombineNotes()
        let hs = [Self.exp(count: 1, sum: 1e100, buckets: [1]), Self.exp(count: 1, sum: 1, buckets: [1]),
                  Self.exp(count: 1, sum: -1e100, buckets: [1])]
        let s = try FloatHistogram.kahanSum(hs, notes: &notes)
        #expect(s.sum == 1)
        #expect(s.count == 3)
        let avg = try FloatHistogram.kahanSum([Self.exp(count: .greatestFiniteMagnitude, sum: 0, buckets: []),
                                               Self.exp(count: .greatestFiniteMagnitude, sum: 0, buckets: [])],
                                              scale: 0.5, notes: &notes)
        #expect(avg.count == .greatestFiniteMagnitude)
    }

    @Test func stringForm() {
        var h = Self.exp(count: 20, sum: 10, buckets: [1, 2], zero: 2, zeroWidth: 0.001)
        h.negativeSpans = [HistogramSpan(offset: 0, length: 2)]
        h.negativeBuckets = [1, 2]
        #expect(h.description == "{count:20, sum:10, [-2,-1):2, [-1,-0.5):1, [-0.001,0.001]:2, (0.5,1]:1, (1,2]:2}")
    }
}
