import PromQLSyntax
import SundialCore

extension StepSeries {
    /// True when some step may hold a native histogram.
    @inline(__always) var hasHistograms: Bool { !histograms.isEmpty }

    /// The histogram at step `i`, nil for a float (or absent) step.
    @inline(__always) func histogram(_ i: Int) -> FloatHistogram? {
        histograms.isEmpty ? nil : histograms[i]
    }

    /// Sets step `i` to histogram `h` (present), allocating the side column on first use.
    mutating func setHistogram(_ i: Int, _ h: FloatHistogram) {
        if histograms.isEmpty { histograms = [FloatHistogram?](repeating: nil, count: present.count) }
        histograms[i] = h
        present[i] = true
        values[i] = 0
    }

    /// Sets step `i` to float `v` (present), clearing a histogram there.
    mutating func setFloat(_ i: Int, _ v: Double) {
        if !histograms.isEmpty { histograms[i] = nil }
        present[i] = true
        values[i] = v
    }

    /// Removes step `i`'s value.
    mutating func clear(_ i: Int) {
        if !histograms.isEmpty { histograms[i] = nil }
        present[i] = false
    }

    /// Drops the side column when no histogram is left in it.
    mutating func shrinkHistograms() {
        if !histograms.isEmpty && !histograms.contains(where: { $0 != nil }) { histograms = [] }
    }
}

extension RangeSeries {
    /// True when the series has native-histogram points.
    var hasHistograms: Bool { !histogramTimestamps.isEmpty }
}

extension Evaluator {
    /// Removes the native-histogram samples from `v` (and series left without samples), for
    /// float-only consumers.
    func dropHistogramSamples(_ v: inout [StepSeries]) {
        var removed = false
        for k in v.indices where v[k].hasHistograms {
            for i in v[k].histograms.indices where v[k].histograms[i] != nil { v[k].present[i] = false }
            v[k].histograms = []
            removed = true
        }
        if removed { v.removeAll { !$0.present.contains(true) } }
    }

    /// Reads `series`' histogram samples in `[minT, maxT]` into ``hbuffer`` (cleared first), with
    /// Prometheus 3's read-side counter-reset hints for selector `vs` in v3 mode
    /// (``applyV3CounterResetHints(stats:)``); true when there are any.
    func loadHistograms(_ series: any StorageSeries, minT: Timestamp, maxT: Timestamp, of vs: VectorSelector)
        throws(EvaluationError) -> Bool
    {
        hbuffer.removeAll()
        guard series.mayContainHistograms else { return false }
        do {
            try series.histogramSamples(minTime: minT, maxTime: maxT, into: &hbuffer)
        } catch {
            throw EvaluationError(.storage, "error reading histogram samples of \(series.labels): \(error)")
        }
        if isV3 && !hbuffer.isEmpty { applyV3CounterResetHints(stats: histogramStatsSelectors.contains(vs.position)) }
        return !hbuffer.isEmpty
    }

    /// Float samples of ``buffer`` and histogram samples of ``hbuffer`` merged into one window
    /// series for range functions (stale markers removed, `inWindow` applied with `minT`).
    func mergedRangeSeries(labels: Labels, minT: Timestamp, maxT: Timestamp) -> RangeSeries {
        var r = RangeSeries(labels: labels, timestamps: [], values: [])
        for k in 0..<buffer.count where !StaleMarker.isStale(buffer.values[k]) && inWindow(buffer.timestamps[k], minT)
            && buffer.timestamps[k] <= maxT {
            r.timestamps.append(buffer.timestamps[k])
            r.values.append(buffer.values[k])
        }
        for k in 0..<hbuffer.count where inWindow(hbuffer.timestamps[k], minT) && hbuffer.timestamps[k] <= maxT {
            r.histogramTimestamps.append(hbuffer.timestamps[k])
            r.histograms.append(hbuffer.histograms[k])
        }
        return r
    }
}

extension InstantSteps {
    /// ``compute(_:into:)`` for a series with native histograms: at each step the newer of the
    /// last float and the last histogram sample within the lookback wins; a stale float marker
    /// newer than the last histogram ends the series (Prometheus `vectorSelectorSingle`). With
    /// `sampleTimestamps`, `values[i]` is the chosen sample's time (s) also at histogram steps.
    func computeMixed(_ fb: SampleBuffer, _ hb: HistogramSampleBuffer, into ss: inout StepSeries) -> Bool {
        ss.histograms = [FloatHistogram?](repeating: nil, count: grid.count)
        for i in 0..<grid.count { ss.present[i] = false }
        var any = false
        var j = 0, k = 0
        for i in 0..<grid.count {
            let ref = at != nil ? lastRef : grid.time(i) - offset
            if at != nil && i > 0 {
                ss.present[i] = ss.present[0]
                ss.values[i] = ss.values[0]
                ss.histograms[i] = ss.histograms[0]
                continue
            }
            while j < fb.count && fb.timestamps[j] <= ref { j += 1 }
            while k < hb.count && hb.timestamps[k] <= ref { k += 1 }
            let ft: Timestamp? = j > 0 ? fb.timestamps[j - 1] : nil
            let ht: Timestamp? = k > 0 ? hb.timestamps[k - 1] : nil
            guard ft != nil || ht != nil else { continue }
            let useHistogram = ht != nil && (ft == nil || ht! > ft!)
            let t = useHistogram ? ht! : ft!
            let ok = v3 ? t > ref - lookback : t >= ref - lookback
            guard ok else { continue }
            if useHistogram {
                ss.present[i] = true
                // With sampleTimestamps the value is the time and the side column still marks the
                // step as a histogram sample (info() rejects those; timestamp() drops the column).
                if sampleTimestamps { ss.values[i] = Double(t) / 1000 }
                ss.histograms[i] = hb.histograms[k - 1]
            } else {
                let v = fb.values[j - 1]
                if StaleMarker.isStale(v) { continue }
                ss.present[i] = true
                ss.values[i] = sampleTimestamps ? Double(t) / 1000 : v
            }
            any = true
        }
        ss.shrinkHistograms()
        return any
    }
}
