import SundialCore
import SundialEncoding
import SundialFileIO

extension ChunkReader {
    /// Decodes the histogram chunk (encoding 2 or 3) at `ref`, appending its samples with
    /// `minTime <= t <= maxTime` as float histograms; an XOR chunk appends nothing.
    /// - Throws: ``BlockError`` `.corrupt` naming the segment for a bad record or chunk.
    public func decodeHistogramSamples(_ ref: ChunkRef, minTime: Int64, maxTime: Int64, into buffer: inout HistogramSampleBuffer) throws {
        // Peek at the encoding byte (no copy, no checksum) so that XOR chunks cost nearly nothing.
        let seg = try segment(ref)
        let enc: UInt8? = seg.withBytes { raw -> UInt8? in
            var r = UnsafeByteReader(raw, position: Int(ref.offset))
            guard Int(ref.offset) < raw.count, (try? r.readUVarint()) != nil, let e = try? r.readByte() else { return nil }
            return e
        }
        guard enc == HistogramHeadChunk.encodingHistogram || enc == HistogramHeadChunk.encodingFloatHistogram else { return }
        let (e, data) = try chunk(ref)
        do {
            try HistogramHeadChunk.decode(data, isFloat: e == HistogramHeadChunk.encodingFloatHistogram,
                                          minTime: minTime, maxTime: maxTime, into: &buffer)
        } catch let d as DecodeError {
            throw BlockError.corrupt("\(directory) (chunk ref \(ref.rawValue))", d)
        }
    }
}

extension Block {
    /// False only when the block's meta.json says it holds no histogram sample (blocks we write
    /// record `numHistogramSamples`; Prometheus 2.42 blocks do not, so they may hold some).
    public var mayContainHistograms: Bool { meta.stats.numHistogramSamples.map { $0 > 0 } ?? true }
}

extension BlockSeries {
    /// True unless the block is known to hold no histograms.
    public var mayContainHistograms: Bool { block.mayContainHistograms }

    /// Appends the native-histogram samples with `max(minTime, query min) <= t <= min(maxTime,
    /// query max)` in time order, skipping tombstoned ones, as float histograms.
    /// - Throws: ``BlockError`` for a corrupt chunk.
    public func histogramSamples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout HistogramSampleBuffer) throws {
        guard block.mayContainHistograms else { return }
        let lo = Swift.max(minTime, self.minTime), hi = Swift.min(maxTime, self.maxTime)
        guard lo <= hi else { return }
        let start = buffer.count
        for c in chunks where c.maxTime >= lo && c.minTime <= hi {
            try block.chunks.decodeHistogramSamples(ChunkRef(rawValue: c.ref), minTime: lo, maxTime: hi, into: &buffer)
        }
        if !deleted.isEmpty { HeadSeries.dropDeleted(&buffer, from: start, deleted) }
    }
}

extension MergedSeries {
    /// True when any part may hold histograms.
    public var mayContainHistograms: Bool { parts.contains { $0.mayContainHistograms } }

    /// The parts' histogram samples merged by time; at equal timestamps the first part's sample wins.
    public func histogramSamples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout HistogramSampleBuffer) throws {
        var merged = HistogramSampleBuffer()
        for p in parts where p.mayContainHistograms {
            var part = HistogramSampleBuffer()
            try p.histogramSamples(minTime: minTime, maxTime: maxTime, into: &part)
            if part.isEmpty { continue }
            if merged.isEmpty {
                merged = part
                continue
            }
            var out = HistogramSampleBuffer()
            var i = 0, j = 0
            while i < merged.count || j < part.count {
                if j >= part.count || (i < merged.count && merged.timestamps[i] <= part.timestamps[j]) {
                    if j < part.count && merged.timestamps[i] == part.timestamps[j] { j += 1 }
                    out.append(merged.timestamps[i], merged.histograms[i])
                    i += 1
                } else {
                    out.append(part.timestamps[j], part.histograms[j])
                    j += 1
                }
            }
            merged = out
        }
        for k in 0..<merged.count { buffer.append(merged.timestamps[k], merged.histograms[k]) }
    }
}

extension BlockChunk {
    /// The histogram chunk `data` (encoding 2 or 3) with only the samples `keep` accepts, in
    /// chunks of its layout and header of at most `samplesPerChunk` samples; the chunk itself when
    /// all are kept.
    static func filterHistogramChunk(encoding: UInt8, data: [UInt8], samplesPerChunk: Int, keep: (Int64) -> Bool) throws -> [BlockChunk] {
        var out: [BlockChunk] = []
        if encoding == HistogramHeadChunk.encodingFloatHistogram {
            let (header, layout, samples) = try HistogramChunkDecoder.decodeFloats(data)
            let kept = samples.filter { keep($0.t) }
            if kept.count == samples.count, let f = samples.first, let l = samples.last {
                return [BlockChunk(minTime: f.t, maxTime: l.t, sampleCount: samples.count, encoding: encoding, data: data)]
            }
            var i = 0
            while i < kept.count {
                var e = FloatHistogramChunkEncoder(layout: layout, header: header)
                let part = kept[i..<Swift.min(kept.count, i + samplesPerChunk)]
                for s in part { e.append(t: s.t, count: s.count, zeroCount: s.zeroCount, sum: s.sum, positive: s.positive, negative: s.negative) }
                out.append(BlockChunk(minTime: part[part.startIndex].t, maxTime: part[part.endIndex - 1].t, sampleCount: part.count, encoding: encoding, data: e.bytes))
                i += samplesPerChunk
            }
        } else {
            let (header, layout, samples) = try HistogramChunkDecoder.decodeIntegers(data)
            let kept = samples.filter { keep($0.t) }
            if kept.count == samples.count, let f = samples.first, let l = samples.last {
                return [BlockChunk(minTime: f.t, maxTime: l.t, sampleCount: samples.count, encoding: encoding, data: data)]
            }
            var i = 0
            while i < kept.count {
                var e = HistogramChunkEncoder(layout: layout, header: header)
                let part = kept[i..<Swift.min(kept.count, i + samplesPerChunk)]
                for s in part { e.append(t: s.t, count: s.count, zeroCount: s.zeroCount, sum: s.sum, positive: s.positive, negative: s.negative) }
                out.append(BlockChunk(minTime: part[part.startIndex].t, maxTime: part[part.endIndex - 1].t, sampleCount: part.count, encoding: encoding, data: e.bytes))
                i += samplesPerChunk
            }
        }
        return out
    }

    /// Float chunks built from `timestamps`/`values` merged with `histogramChunks` in time order:
    /// the float samples are split at each histogram chunk (floats inside a histogram chunk's time
    /// range, which only overlapping sources can produce, are dropped), so no two chunks overlap.
    static func interleave(timestamps: [Int64], values: [Double], histogramChunks: [BlockChunk], samplesPerChunk: Int) -> [BlockChunk] {
        if histogramChunks.isEmpty { return xorChunks(timestamps: timestamps, values: values, samplesPerChunk: samplesPerChunk) }
        var hist = histogramChunks.sorted { $0.minTime < $1.minTime }
        // Overlapping histogram chunks (overlapping sources): keep the earlier one.
        var kept: [BlockChunk] = []
        for c in hist where kept.last.map({ c.minTime > $0.maxTime }) ?? true { kept.append(c) }
        hist = kept
        var out: [BlockChunk] = []
        var i = 0
        for h in hist {
            var ts: [Int64] = [], vs: [Double] = []
            while i < timestamps.count && timestamps[i] < h.minTime {
                ts.append(timestamps[i])
                vs.append(values[i])
                i += 1
            }
            out += xorChunks(timestamps: ts, values: vs, samplesPerChunk: samplesPerChunk)
            while i < timestamps.count && timestamps[i] <= h.maxTime { i += 1 }
            out.append(h)
        }
        out += xorChunks(timestamps: Array(timestamps[i...]), values: Array(values[i...]), samplesPerChunk: samplesPerChunk)
        return out
    }
}
