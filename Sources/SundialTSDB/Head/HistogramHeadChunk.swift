import SundialCore
import SundialEncoding

/// A chunk of one head series' native-histogram samples: Prometheus chunk encoding 2 (integer
/// histograms) or 3 (float histograms), with the closed time range `[minTime, maxTime]` (ms) of
/// its samples. Immutable once cut; the bytes are shared copy-on-write with queriers.
public struct HistogramHeadChunk: Sendable {
    /// Timestamp of the first sample (ms).
    public var minTime: Int64
    /// Timestamp of the last sample (ms).
    public var maxTime: Int64
    /// The chunk data (sample count, flags, layout, samples), as stored in chunk segment files.
    public var bytes: [UInt8]
    /// True for a float-histogram chunk (encoding 3), false for an integer one (2).
    public var isFloat: Bool

    public init(minTime: Int64, maxTime: Int64, bytes: [UInt8], isFloat: Bool) {
        self.minTime = minTime
        self.maxTime = maxTime
        self.bytes = bytes
        self.isFloat = isFloat
    }

    /// The chunk encoding byte (2 or 3).
    public var encoding: UInt8 { isFloat ? HistogramHeadChunk.encodingFloatHistogram : HistogramHeadChunk.encodingHistogram }
    /// Prometheus chunk encoding of integer histograms.
    public static let encodingHistogram: UInt8 = 2
    /// Prometheus chunk encoding of float histograms.
    public static let encodingFloatHistogram: UInt8 = 3

    /// True when `[minTime, maxTime]` intersects the closed range `[mint, maxt]`.
    @inlinable
    public func overlaps(_ mint: Int64, _ maxt: Int64) -> Bool { minTime <= maxt && maxTime >= mint }

    /// Appends the samples with `mint <= t <= maxt` to `buffer` as float histograms.
    /// - Throws: ``DecodeError`` when the bytes are corrupt.
    public func decode(minTime mint: Int64, maxTime maxt: Int64, into buffer: inout HistogramSampleBuffer) throws {
        try HistogramHeadChunk.decode(bytes, isFloat: isFloat, minTime: mint, maxTime: maxt, into: &buffer)
    }

    /// Decodes chunk data of encoding 2 (`isFloat == false`) or 3 into float histograms, with the
    /// counter-reset hints Prometheus's chunk iterators give (`counterResetHint` in
    /// `histogram_meta.go`): gauge chunks give gauge; after the first sample, not-a-reset; the
    /// first sample of a chunk whose header says reset gives reset; otherwise unknown.
    public static func decode(_ bytes: [UInt8], isFloat: Bool, minTime mint: Int64, maxTime maxt: Int64,
                              into buffer: inout HistogramSampleBuffer) throws {
        func hint(_ header: HistogramChunkHeader, _ i: Int) -> CounterResetHint {
            if header == .gauge { return .gauge }
            if i > 0 { return .notCounterReset }
            return header == .counterReset ? .counterReset : .unknown
        }
        if isFloat {
            let (header, layout, samples) = try HistogramChunkDecoder.decodeFloats(bytes)
            let pos = layout.positiveSpans.map(HistogramSpan.init), neg = layout.negativeSpans.map(HistogramSpan.init)
            for (i, s) in samples.enumerated() {
                if s.t < mint { continue }
                if s.t > maxt { break }
                buffer.append(s.t, FloatHistogram(
                    counterResetHint: hint(header, i), schema: layout.schema, zeroThreshold: layout.zeroThreshold,
                    zeroCount: s.zeroCount, count: s.count, sum: s.sum,
                    positiveSpans: s.isStale ? [] : pos, negativeSpans: s.isStale ? [] : neg,
                    positiveBuckets: s.positive, negativeBuckets: s.negative, customValues: layout.customValues))
            }
        } else {
            let (header, layout, samples) = try HistogramChunkDecoder.decodeIntegers(bytes)
            let pos = layout.positiveSpans.map(HistogramSpan.init), neg = layout.negativeSpans.map(HistogramSpan.init)
            for (i, s) in samples.enumerated() {
                if s.t < mint { continue }
                if s.t > maxt { break }
                buffer.append(s.t, FloatHistogram(
                    counterResetHint: hint(header, i), schema: layout.schema, zeroThreshold: layout.zeroThreshold,
                    zeroCount: Double(s.zeroCount), count: Double(s.count), sum: s.sum,
                    positiveSpans: s.isStale ? [] : pos, negativeSpans: s.isStale ? [] : neg,
                    positiveBuckets: Histogram.absoluteCounts(s.positive), negativeBuckets: Histogram.absoluteCounts(s.negative),
                    customValues: layout.customValues))
            }
        }
    }
}

extension HistogramSpan {
    /// The core span of a chunk-layout span.
    init(_ s: HistogramChunkSpan) { self.init(offset: s.offset, length: s.length) }
}

extension HistogramChunkSpan {
    /// The chunk-layout span of a core span.
    init(_ s: HistogramSpan) { self.init(offset: s.offset, length: s.length) }
}
