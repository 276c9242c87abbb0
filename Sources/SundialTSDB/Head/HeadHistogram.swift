import SundialCore
import SundialEncoding

/// One native-histogram sample as the head stores and logs it: integer (as scraped or remote
/// written) or float (as PromQL test scripts load them). Prometheus keeps the two apart in
/// different chunk encodings (2 and 3) and WAL records (7 and 9), so do we.
public enum HeadHistogramValue: Sendable {
    case integer(Histogram)
    case float(FloatHistogram)

    /// True for ``float(_:)``.
    @inlinable public var isFloat: Bool {
        if case .float = self { return true }
        return false
    }

    /// The float form (integer histograms converted with ``Histogram/toFloat()``).
    @inlinable public var floatHistogram: FloatHistogram {
        switch self {
        case .integer(let h): return h.toFloat()
        case .float(let f): return f
        }
    }

    /// Same kind and identical fields (floats by bits): a duplicate that is accepted and ignored.
    public func isIdentical(to o: HeadHistogramValue) -> Bool {
        switch (self, o) {
        case (.integer(let a), .integer(let b)): return a.isIdentical(to: b)
        case (.float(let a), .float(let b)): return a.isIdentical(to: b)
        default: return false
        }
    }

    /// The validation error of the histogram, if it is malformed.
    func validationError() -> HistogramValidationError? {
        do {
            switch self {
            case .integer(let h): try h.validate()
            case .float(let f): try f.validate()
            }
            return nil
        } catch {
            return error
        }
    }
}

/// Histogram chunks and state of a series that has (had) native-histogram samples. Lives behind
/// an optional reference in ``SeriesState`` (8 bytes for float-only series) and is guarded by the
/// series lock like the rest of the state.
///
/// Invariant shared with the float state: at most one of the float open chunk and the histogram
/// open chunk holds samples, the one of the newest sample's kind. A switch of kind cuts the other
/// kind's open chunk (Prometheus cuts a new head chunk whenever the encoding changes).
final class HistogramSeriesState {
    /// Full histogram chunks, oldest first.
    var full: [HistogramHeadChunk] = []
    /// The open histogram chunk (`count == 0` when none).
    var open = HistogramChunkBuilder()
    /// Time by which the open chunk must be cut (ms), as ``SeriesState/nextAt``.
    var nextAt: Int64 = .min
    /// Time of the newest committed histogram sample (ms), `.min` before the first.
    var lastTime: Int64 = .min
    /// The newest committed histogram sample (for duplicate detection).
    var last: HeadHistogramValue? = nil

    /// Moves the open chunk to ``full`` (if it has samples).
    func cutOpen() {
        guard open.count > 0 else { return }
        full.append(open.finish())
    }

    /// Drops chunks whose samples all lie before `mint`; returns how many.
    func truncate(before mint: Int64) -> Int {
        var removed = 0
        if let keepFrom = full.firstIndex(where: { $0.maxTime >= mint }) {
            removed = keepFrom
            full.removeFirst(keepFrom)
        } else {
            removed = full.count
            full.removeAll()
        }
        if open.count > 0 && open.maxTime < mint {
            open = HistogramChunkBuilder()
            removed += 1
        }
        return removed
    }

    var isEmpty: Bool { full.isEmpty && open.count == 0 }
    var chunkCount: Int { full.count + (open.count > 0 ? 1 : 0) }
    var minTime: Int64? { full.first?.minTime ?? (open.count > 0 ? open.minTime : nil) }

    /// The chunks overlapping the closed range `[mint, maxt]`, oldest first (open chunk snapshot last).
    func chunks(overlapping mint: Int64, _ maxt: Int64, into out: inout [HistogramHeadChunk]) {
        for c in full where c.overlaps(mint, maxt) { out.append(c) }
        if open.count > 0 && open.minTime <= maxt && open.maxTime >= mint { out.append(open.snapshot()) }
    }
}

extension SeriesState {
    /// Whether a histogram at `t` can follow the committed samples (of either kind). Equal to the
    /// newest sample, which is an identical histogram: an exact duplicate (accepted, ignored).
    func checkHistogram(_ t: Int64, _ v: HeadHistogramValue) -> AppendCheck {
        let newest = maxTime
        if newest == .min || t > newest { return .ok }
        if t < newest { return .outOfOrder }
        if let h = histograms, h.lastTime == newest, open.count == 0, let last = h.last, last.isIdentical(to: v) {
            return .exactDuplicate
        }
        return .duplicateTimestamp
    }

    /// Appends a histogram sample: cuts the float open chunk (a kind switch), and cuts the
    /// histogram open chunk by the chunk rules of Prometheus 2.42 (`appendPreprocessor`, the same
    /// as for floats: end of the chunk range, the end predicted at 1/4 full, or twice
    /// `samplesPerChunk` samples — 2.42 has no byte-size rule for histogram chunks) or when the
    /// histogram cannot follow the chunk's samples (``HistogramChunkBuilder``: kind, schema,
    /// counter reset...). Nothing changes when `t` is not after the newest sample.
    mutating func appendHistogram(_ t: Int64, _ v: HeadHistogramValue, chunkRange: Int64, samplesPerChunk: Int) -> AppendOutcome {
        let newest = maxTime
        if newest != .min && t <= newest { return .rejected }
        if let last = full.last, last.maxTime >= t { return .rejected }
        let h: HistogramSeriesState
        if let existing = histograms {
            h = existing
        } else {
            h = HistogramSeriesState()
            histograms = h
        }
        if open.count > 0 { cut() }
        var header: HistogramChunkHeader? = nil
        let n = h.open.count
        if n == 0 {
            header = HistogramChunkBuilder.newChunkHeader(v)
        } else {
            if n == samplesPerChunk / 4 {
                h.nextAt = SeriesState.chunkEndTime(start: h.open.minTime, current: h.open.maxTime, max: h.nextAt)
            }
            if t >= h.nextAt || n >= samplesPerChunk * 2 {
                header = HistogramChunkBuilder.newChunkHeader(v)
            } else {
                header = h.open.tryAppend(t, v)
            }
        }
        var outcome = AppendOutcome.appended
        if let header {
            h.cutOpen()
            h.open.start(t, v, header: header)
            h.nextAt = SeriesState.rangeEnd(t, chunkRange)
            outcome = .appendedNewChunk
        }
        h.lastTime = t
        h.last = v
        return outcome
    }

    /// Called before a float sample starts a new float chunk: false when a committed histogram is
    /// at or after `t`; otherwise cuts the histogram open chunk (a kind switch).
    func prepareFloatAfterHistograms(_ t: Int64) -> Bool {
        guard let h = histograms else { return true }
        if h.lastTime >= t { return false }
        h.cutOpen()
        return true
    }

    /// True when the newest committed sample is a histogram (the float open chunk is then empty).
    var newestIsHistogram: Bool {
        guard let h = histograms, h.lastTime != .min else { return false }
        return open.count == 0 && h.lastTime > emptiedMaxTime
    }
}
