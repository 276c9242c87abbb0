import SundialCore
import SundialEncoding
import SundialWAL
import Synchronization

extension DB {
    /// Applies one histogram-samples WAL record (types 7–10) during replay, in log order (the
    /// caller applies gathered float samples first), counting into `stats` (histogram samples
    /// count as samples, as Prometheus counts them) and widening `[mint, maxt]`.
    static func replayHistograms(type: UInt8, bytes: [UInt8], states: inout ReplaySeriesStates, into head: Head,
                                 stats: inout ReplayStatistics, mint: inout Int64, maxt: inout Int64) throws {
        let range = head.options.chunkRange
        let spc = head.options.samplesPerChunk
        var items: [(UInt64, Int64, HeadHistogramValue)] = []
        if type == 7 || type == 9 {
            var list: [RefHistogramSample] = []
            try RecordDecoder.decodeHistogramSamples(bytes, into: &list)
            items = list.map { ($0.ref.rawValue, $0.t, .integer($0.h)) }
        } else {
            var list: [RefFloatHistogramSample] = []
            try RecordDecoder.decodeFloatHistogramSamples(bytes, into: &list)
            items = list.map { ($0.ref.rawValue, $0.t, .float($0.fh)) }
        }
        var cuts = 0
        for (ref, t, v) in items {
            // The replay holds the series' states (`ReplaySeriesStates`), floats and histograms alike.
            guard let outcome = states.withState(ref: ref, { $0.appendHistogram(t, v, chunkRange: range, samplesPerChunk: spc) }) else {
                stats.unknownRefSamples += 1
                continue
            }
            switch outcome {
            case .appended, .appendedNewChunk:
                if outcome == .appendedNewChunk { cuts += 1 }
                stats.samples += 1
                if t < mint { mint = t }
                if t > maxt { maxt = t }
            case .rejected:
                stats.droppedSamples += 1
            }
        }
        if cuts != 0 { head.chunkCountAtomic.wrappingAdd(cuts, ordering: .relaxed) }
    }
}

extension WALHeadLog {
    /// The histogram records of a commit: integer (7), float (8), and their custom-bucket forms
    /// (9, 10, newer Prometheus only), each only when the batch has such samples.
    static func histogramRecords(_ batch: HeadCommitBatch, into records: inout [[UInt8]]) {
        var ints: [RefHistogramSample] = [], intsCB: [RefHistogramSample] = []
        var floats: [RefFloatHistogramSample] = [], floatsCB: [RefFloatHistogramSample] = []
        for i in 0..<batch.histogramCount {
            let ref = batch.histogramSeries[i].ref
            let t = batch.histogramTimestamps[i]
            switch batch.histogramValues[i] {
            case .integer(let h):
                if h.schema == customBucketsSchema { intsCB.append(.init(ref: ref, t: t, h: h)) } else { ints.append(.init(ref: ref, t: t, h: h)) }
            case .float(let f):
                if f.schema == customBucketsSchema { floatsCB.append(.init(ref: ref, t: t, fh: f)) } else { floats.append(.init(ref: ref, t: t, fh: f)) }
            }
        }
        for (list, cb) in [(ints, false), (intsCB, true)] where !list.isEmpty {
            var buf: [UInt8] = []
            RecordEncoder.encodeHistogramSamples(list, customBuckets: cb, into: &buf)
            records.append(buf)
        }
        for (list, cb) in [(floats, false), (floatsCB, true)] where !list.isEmpty {
            var buf: [UInt8] = []
            RecordEncoder.encodeFloatHistogramSamples(list, customBuckets: cb, into: &buf)
            records.append(buf)
        }
    }
}
