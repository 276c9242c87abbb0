import SundialCore

/// A chunk of one head series' native-histogram samples, all of one kind (integer or float),
/// with the closed time range `[minTime, maxTime]` (ms) of its samples. Immutable once cut and
/// shared copy-on-write with queriers.
public struct HistogramHeadChunk: Sendable {
    /// Timestamp of the first sample (ms).
    public var minTime: Int64
    /// Timestamp of the last sample (ms).
    public var maxTime: Int64
    /// Sample timestamps (ms), ascending.
    public var timestamps: [Int64]
    /// The samples, all ``HeadHistogramValue/integer(_:)`` or all ``HeadHistogramValue/float(_:)``.
    public var values: [HeadHistogramValue]

    /// Number of samples.
    public var count: Int { timestamps.count }

    /// True when the chunk holds float histograms (encoding 3 on disk), false for integer ones (2).
    public var isFloat: Bool { values.first?.isFloat ?? false }

    /// True when `[minTime, maxTime]` intersects the closed range `[mint, maxt]`.
    @inlinable
    public func overlaps(_ mint: Int64, _ maxt: Int64) -> Bool { minTime <= maxt && maxTime >= mint }

    /// Appends the samples with `mint <= t <= maxt` to `buffer`, as float histograms.
    public func decode(minTime mint: Int64, maxTime maxt: Int64, into buffer: inout HistogramSampleBuffer) {
        for i in timestamps.indices {
            let t = timestamps[i]
            if t < mint { continue }
            if t > maxt { break }
            buffer.append(t, values[i].floatHistogram)
        }
    }
}

/// The open histogram chunk of a series: samples are appended until the chunk is cut.
struct HistogramChunkBuilder {
    var timestamps: [Int64] = []
    var values: [HeadHistogramValue] = []

    var count: Int { timestamps.count }
    var minTime: Int64 { timestamps.first ?? .min }
    var maxTime: Int64 { timestamps.last ?? .min }
    var isFloat: Bool { values.first?.isFloat ?? false }

    mutating func append(_ t: Int64, _ v: HeadHistogramValue) {
        timestamps.append(t)
        values.append(v)
    }

    /// The chunk so far (the builder keeps appending).
    func snapshot() -> HistogramHeadChunk {
        HistogramHeadChunk(minTime: minTime, maxTime: maxTime, timestamps: timestamps, values: values)
    }

    /// The finished chunk; the builder is empty afterwards.
    mutating func finish() -> HistogramHeadChunk {
        let c = snapshot()
        self = HistogramChunkBuilder()
        return c
    }
}
