import SundialCore
import PromQLSyntax

/// ``ExtendedRange`` (`anchored`, `smoothed`) for series of native histograms, as Prometheus 3's
/// extended_vectors.test pins it down: the same windows and anchors as for floats, histogram
/// arithmetic for the differences, a segment across a counter reset rising by the post-reset
/// histogram, and interpolation across a reset starting the counter from zero. A failing
/// combination (exponential with custom buckets) gives nil and sets `incompatible`.
enum HistogramExtendedRange {
    /// A result: a float (`changes`, `resets`) or a histogram.
    enum Value {
        case float(Double)
        case histogram(FloatHistogram)
    }

    /// `cur - prev`, or `cur` after a counter reset (`counter`), as one step of an increase.
    static func rise(_ prev: FloatHistogram, _ cur: FloatHistogram, counter: Bool) throws(HistogramCombineError)
        -> FloatHistogram
    {
        if counter && cur.detectReset(after: prev) { return cur }
        var notes = HistogramCombineNotes()
        return try cur.combined(with: prev, sign: -1, notes: &notes)
    }

    static func add(_ a: FloatHistogram?, _ b: FloatHistogram) throws(HistogramCombineError) -> FloatHistogram {
        guard let a else { return b }
        var notes = HistogramCombineNotes()
        return try a.combined(with: b, sign: 1, notes: &notes)
    }

    static func finish(_ h: FloatHistogram) -> FloatHistogram {
        var h = h.compacted()
        h.counterResetHint = .gauge
        return h
    }

    /// One window of an `anchored` selector over `t`/`h` (samples from `mint - lookback` to `maxt`).
    static func anchored(_ f: RangeFunction, _ t: [Timestamp], _ h: [FloatHistogram], mint: Timestamp, maxt: Timestamp,
                         lookback: Int64, rangeSeconds: Double, incompatible: inout Bool, wrongFlavour: inout Bool)
        -> Value?
    {
        var lo = 0
        while lo < t.count && t[lo] <= mint { lo += 1 }
        var hi = lo
        while hi < t.count && t[hi] <= maxt { hi += 1 }
        guard hi > lo else { return nil }
        let start = lo > 0 && t[lo - 1] > mint - lookback ? lo - 1 : lo
        do throws(HistogramCombineError) {
            switch f {
            case .increase, .rate:
                if h[start..<hi].contains(where: { $0.counterResetHint == .gauge }) { wrongFlavour = true }
                var r: FloatHistogram = try rise(h[start], h[start], counter: false)
                for k in (start + 1)..<max(start + 1, hi) { r = try add(r, try rise(h[k - 1], h[k], counter: true)) }
                r = finish(r)
                return .histogram(f == .rate ? r.divided(by: rangeSeconds) : r)
            case .delta:
                if h[start..<hi].contains(where: { $0.counterResetHint != .gauge }) { wrongFlavour = true }
                return .histogram(finish(try rise(h[start], h[hi - 1], counter: false)))
            case .changes, .resets:
                var n = 0.0
                for k in (start + 1)..<max(start + 1, hi) {
                    if f == .resets ? h[k].detectReset(after: h[k - 1]) : !h[k].sameValue(as: h[k - 1]) { n += 1 }
                }
                return .float(n)
            default:
                return nil
            }
        } catch {
            incompatible = true
            return nil
        }
    }

    /// One window of a `smoothed` selector (samples from `mint - lookback` to `maxt + lookback`).
    static func smoothed(_ f: RangeFunction, _ t: [Timestamp], _ h: [FloatHistogram], mint: Timestamp, maxt: Timestamp,
                         lookback: Int64, rangeSeconds: Double, incompatible: inout Bool, wrongFlavour: inout Bool)
        -> Value?
    {
        guard let (first, last) = ExtendedRange.smoothedBounds(t, mint: mint, maxt: maxt, lookback: lookback) else {
            return nil
        }
        do throws(HistogramCombineError) {
            switch f {
            case .delta:
                if h[first...last].contains(where: { $0.counterResetHint != .gauge }) { wrongFlavour = true }
                let a = try value(t, h, first, last, at: mint), b = try value(t, h, first, last, at: maxt)
                return .histogram(finish(try rise(a, b, counter: false)))
            case .increase, .rate:
                if h[first...last].contains(where: { $0.counterResetHint == .gauge }) { wrongFlavour = true }
                var r: FloatHistogram = try rise(h[first], h[first], counter: false)
                for k in (first + 1)..<max(first + 1, last + 1) {
                    let a = t[k - 1], b = t[k]
                    let lo = max(a, mint), hi = min(b, maxt)
                    guard hi > lo, b > a else { continue }
                    r = try add(r, try rise(h[k - 1], h[k], counter: true).scaled(by: Double(hi - lo) / Double(b - a)))
                }
                r = finish(r)
                return .histogram(f == .rate ? r.divided(by: rangeSeconds) : r)
            default:
                return nil
            }
        } catch {
            incompatible = true
            return nil
        }
    }

    /// The polyline through samples `first...last` at `x` (flat outside them).
    static func value(_ t: [Timestamp], _ h: [FloatHistogram], _ first: Int, _ last: Int, at x: Timestamp)
        throws(HistogramCombineError) -> FloatHistogram
    {
        if x <= t[first] { return h[first] }
        if x >= t[last] { return h[last] }
        var k = first + 1
        while t[k] < x { k += 1 }
        return try interpolate(t[k - 1], h[k - 1], t[k], h[k], at: x)
    }

    /// Interpolation between two histograms at `x`; across a counter reset the counter restarts
    /// from zero (`b × fraction`).
    static func interpolate(_ ta: Timestamp, _ a: FloatHistogram, _ tb: Timestamp, _ b: FloatHistogram, at x: Timestamp)
        throws(HistogramCombineError) -> FloatHistogram
    {
        if x == tb || tb == ta { return b }
        if x == ta { return a }
        // Exponential and custom buckets never interpolate, not even across a counter reset
        // (extended_vectors.test: the smoothed selector skips the step with a warning).
        if a.usesCustomBuckets != b.usesCustomBuckets { throw FloatHistogram.mixedSchemaError }
        let f = Double(x - ta) / Double(tb - ta)
        if b.counterResetHint != .gauge && b.detectReset(after: a) { return b.scaled(by: f) }
        var notes = HistogramCombineNotes()
        let d = try b.combined(with: a, sign: -1, notes: &notes)
        var r = try a.combined(with: d.scaled(by: f), sign: 1, notes: &notes)
        r.counterResetHint = a.counterResetHint == .gauge ? .gauge : .unknown
        return r
    }

    /// A `smoothed` instant selector at `ref` (see ``ExtendedRange/smoothedValue(_:_:at:lookback:from:)``).
    static func smoothedValue(_ t: [Timestamp], _ h: [FloatHistogram], at ref: Timestamp, lookback: Int64,
                              incompatible: inout Bool) -> FloatHistogram? {
        var j = 0
        while j < t.count && t[j] <= ref { j += 1 }
        guard j > 0, t[j - 1] > ref - lookback else { return nil }
        if j < t.count && t[j] <= ref + lookback {
            do throws(HistogramCombineError) {
                return try interpolate(t[j - 1], h[j - 1], t[j], h[j], at: ref)
            } catch {
                incompatible = true
                return nil
            }
        }
        return h[j - 1]
    }
}

extension Evaluator {
    /// An `anchored`/`smoothed` range function over the histograms in ``hbuffer`` (floats in
    /// ``buffer``, stale markers removed): a series with both kinds gives nothing (warning).
    /// Returns whether any step has a value.
    func extendedHistogramSteps(_ rf: RangeFunction, _ labels: Labels, anchored: Bool, grid: StepGrid, at: Timestamp?,
                                offset: Int64, range: Int64, position: SourceRange?, into ss: inout StepSeries)
        throws(EvaluationError) -> Bool
    {
        let name = labels.metricName ?? ""
        if !buffer.isEmpty {
            if anchored && (rf == .resets || rf == .changes) {
                return anchoredMixedCounts(rf, labels, grid: grid, at: at, offset: offset, range: range, into: &ss)
            }
            annotate(.mixedFloatsHistograms(metricName: name, position))
            return false
        }
        let n = hbuffer.count
        try hold(n)
        totalSamples += n
        currentSamples -= n
        let lookback = options.lookbackDelta
        var any = false
        var incompatible = false
        var wrongFlavour = false
        for i in 0..<grid.count {
            let maxt = (at ?? grid.time(i)) - offset, mint = maxt - range
            let r = anchored
                ? HistogramExtendedRange.anchored(rf, hbuffer.timestamps, hbuffer.histograms, mint: mint, maxt: maxt,
                                                  lookback: lookback, rangeSeconds: Double(range) / 1000,
                                                  incompatible: &incompatible, wrongFlavour: &wrongFlavour)
                : HistogramExtendedRange.smoothed(rf, hbuffer.timestamps, hbuffer.histograms, mint: mint, maxt: maxt,
                                                  lookback: lookback, rangeSeconds: Double(range) / 1000,
                                                  incompatible: &incompatible, wrongFlavour: &wrongFlavour)
            switch r {
            case .histogram(let h)?: ss.setHistogram(i, h); any = true
            case .float(let v)?: ss.setFloat(i, v); any = true
            case nil: ss.clear(i)
            }
        }
        if incompatible { annotate(.mixedExponentialCustomHistograms(metricName: name, position)) }
        // A window's samples (boundary or middle) of the wrong flavour: a gauge histogram under
        // rate/increase, a counter histogram under delta, as the plain range path warns.
        if wrongFlavour {
            annotate(rf == .delta ? .nativeHistogramNotGauge(metricName: name, position)
                                  : .nativeHistogramNotCounter(metricName: name, position))
        }
        ss.shrinkHistograms()
        return any
    }

    /// `resets`/`changes` of an `anchored` selector over a series with floats and histograms: the
    /// window's samples of both kinds in time order, anchored by the newest sample of either kind
    /// within the lookback before the window; a switch of kind counts as a reset and a change.
    func anchoredMixedCounts(_ rf: RangeFunction, _ labels: Labels, grid: StepGrid, at: Timestamp?, offset: Int64,
                             range: Int64, into ss: inout StepSeries) -> Bool {
        let r = mergedRangeSeries(labels: labels, minT: .min, maxT: .max)
        let hw = HistogramWindow(function: rf, grid: grid, params: [], range: range, offset: offset, at: at, v3: true,
                                 position: nil)
        let lookback = options.lookbackDelta
        var any = false
        for i in 0..<grid.count {
            let maxt = (at ?? grid.time(i)) - offset, mint = maxt - range
            let fhi = HistogramWindow.bound(r.timestamps, maxt, inclusive: false)
            var flo = min(fhi, HistogramWindow.bound(r.timestamps, mint, inclusive: false))
            let hhi = HistogramWindow.bound(r.histogramTimestamps, maxt, inclusive: false)
            var hlo = min(hhi, HistogramWindow.bound(r.histogramTimestamps, mint, inclusive: false))
            guard fhi > flo || hhi > hlo else { ss.clear(i); continue }
            let fa: Timestamp? = flo > 0 ? r.timestamps[flo - 1] : nil
            let ha: Timestamp? = hlo > 0 ? r.histogramTimestamps[hlo - 1] : nil
            if let fa, fa > mint - lookback, ha == nil || fa > ha! {
                flo -= 1
            } else if let ha, ha > mint - lookback {
                hlo -= 1
            }
            ss.setFloat(i, hw.resetsOrChanges(r, flo, fhi, hlo, hhi))
            any = true
        }
        return any
    }
}
