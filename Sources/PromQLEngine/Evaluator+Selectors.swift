import SundialCore
import PromQLSyntax

extension Evaluator {
    /// The matchers to hand to storage: in v3 mode regexes are recompiled so `.` matches a newline.
    func storageMatchers(_ vs: VectorSelector) throws(EvaluationError) -> [LabelMatcher] {
        guard isV3 else { return vs.matchers }
        var out: [LabelMatcher] = []
        out.reserveCapacity(vs.matchers.count)
        for m in vs.matchers {
            switch m.type {
            case .regexMatch, .regexNoMatch:
                do {
                    out.append(try LabelMatcher(m.type, m.name, m.value, dotMatchesNewline: true))
                } catch {
                    throw EvaluationError(.badData, error.description)
                }
            default:
                out.append(m)
            }
        }
        return out
    }

    /// Series matching `vs` with samples in `[minT, maxT]` (closed, ms).
    func select(_ vs: VectorSelector, minT: Timestamp, maxT: Timestamp, hints: SelectHints) throws(EvaluationError)
        -> [any StorageSeries]
    {
        let matchers = try storageMatchers(vs)
        do {
            let q = try storage.querier(minTime: minT, maxTime: maxT)
            defer { q.close() }
            let series = try q.select(sorted: false, hints: hints, matchers: matchers)
            // The series limit trips here, after the index lookup and before any sample is decoded.
            seriesSelected += series.count
            if maxSeries > 0 && seriesSelected > maxSeries { throw QueryLimits.tooManySeries(maxSeries) }
            return series
        } catch let e as EvaluationError {
            throw e
        } catch {
            throw EvaluationError(.storage, "error selecting series: \(error)")
        }
    }

    /// Reads `series`' samples in `[minT, maxT]` into ``buffer`` (cleared first).
    func load(_ series: any StorageSeries, minT: Timestamp, maxT: Timestamp) throws(EvaluationError) {
        buffer.removeAll()
        do {
            try series.samples(minTime: minT, maxTime: maxT, into: &buffer)
        } catch {
            throw EvaluationError(.storage, "error reading samples of \(series.labels): \(error)")
        }
    }

    /// An instant selector at every step: the newest sample at or before `t - offset` within the
    /// lookback delta, none when it is a stale marker (Prometheus `vectorSelectorSingle`).
    /// With `sampleTimestamps`, the value is the chosen sample's time in seconds (for `timestamp()`).
    func evalVectorSelector(_ vs: VectorSelector, _ grid: StepGrid, sampleTimestamps: Bool = false)
        throws(EvaluationError) -> [StepSeries]
    {
        var out: [StepSeries] = []
        try streamVectorSelector(vs, grid, sampleTimestamps: sampleTimestamps) { (s: inout StepSeries) in
            out.append(s)
        }
        return out
    }

    /// Streams the series of an instant selector to `emit` in a reused ``StepSeries``. With
    /// `labelsUnused` (a consumer that never reads the labels, like an aggregation without
    /// grouping), float series read on all cores are emitted with empty labels: fetching each
    /// series' labels on the emitting thread is a cache miss per series.
    func streamVectorSelector(_ vs: VectorSelector, _ grid: StepGrid, sampleTimestamps: Bool = false,
                              labelsUnused: Bool = false,
                              _ emit: (inout StepSeries) throws(EvaluationError) -> Void) throws(EvaluationError)
    {
        let offset = try durationMs(vs.offset)
        let at = atTime(vs.at)
        let lookback = options.lookbackDelta
        let firstRef = (at ?? grid.start) - offset
        let lastRef = (at ?? grid.end) - offset
        let minT = firstRef - lookback
        let v3 = isV3
        var ss = StepSeries(labels: Labels(), steps: grid.count)
        if v3 && vs.smoothed {
            // v3 `smoothed`: interpolate at each step between the samples around it (see ``ExtendedRange``).
            let maxT = lastRef + lookback
            let all = try select(vs, minT: minT, maxT: maxT, hints: SelectHints(start: minT, end: maxT, step: grid.interval))
            var w = WindowWorkspace()
            for s in all {
                try checkpoint()
                try load(s, minT: minT, maxT: maxT)
                w.prepare(&buffer, countResets: false)
                if try loadHistograms(s, minT: minT, maxT: maxT, of: vs) {
                    // Native histograms: interpolated histograms; floats beside them give nothing.
                    let name = s.labels.metricName ?? ""
                    if !buffer.isEmpty {
                        annotate(.mixedFloatsHistograms(metricName: name, vs.position))
                        continue
                    }
                    var incompatible = false
                    var hs = StepSeries(labels: s.labels, steps: grid.count)
                    var any = false
                    for i in 0..<grid.count {
                        let ref = at != nil ? lastRef : grid.time(i) - offset
                        if let h = HistogramExtendedRange.smoothedValue(hbuffer.timestamps, hbuffer.histograms, at: ref,
                                                                        lookback: lookback, incompatible: &incompatible) {
                            hs.setHistogram(i, h)
                            any = true
                        }
                    }
                    if incompatible { annotate(.mixedExponentialCustomHistograms(metricName: name, vs.position)) }
                    if any {
                        let n = hs.pointCount
                        try hold(n)
                        totalSamples += n
                        try emit(&hs)
                    }
                    continue
                }
                if buffer.isEmpty { continue }
                var any = false
                var from = 0
                for i in 0..<grid.count {
                    let ref = at != nil ? lastRef : grid.time(i) - offset
                    let (value, next) = ExtendedRange.smoothedValue(buffer.timestamps, buffer.values, at: ref,
                                                                    lookback: lookback, from: at != nil ? 0 : from)
                    from = max(0, next - 1)
                    ss.present[i] = value != nil
                    ss.values[i] = value ?? 0
                    if value != nil { any = true }
                }
                if any {
                    let n = ss.pointCount
                    try hold(n)
                    totalSamples += n
                    ss.labels = s.labels
                    try emit(&ss)
                }
            }
            return
        }
        let hints = SelectHints(start: minT, end: lastRef, step: grid.interval)
        let all = try select(vs, minT: minT, maxT: lastRef, hints: hints)
        let steps = InstantSteps(grid: grid, at: at, lastRef: lastRef, offset: offset, lookback: lookback, v3: v3,
                                 sampleTimestamps: sampleTimestamps)
        if all.count >= ParallelRange.minimumSeries && ParallelRange.workers > 1
            && !all.contains(where: { $0.mayContainHistograms }) {
            try ParallelSelect.run(all, minT: minT, maxT: lastRef, steps: steps, deadline: deadline,
                                   cancellation: cancellation, labels: !labelsUnused) { (labels: Labels, ss: inout StepSeries) throws(EvaluationError) in
                let n = ss.pointCount
                try hold(n)
                totalSamples += n
                ss.labels = labels
                try emit(&ss)
            }
            return
        }
        for s in all {
            try checkpoint()
            try load(s, minT: minT, maxT: lastRef)
            if try loadHistograms(s, minT: minT, maxT: lastRef, of: vs) {
                if steps.computeMixed(buffer, hbuffer, into: &ss) {
                    let n = ss.pointCount
                    try hold(n)
                    totalSamples += n
                    ss.labels = s.labels
                    try emit(&ss)
                }
                ss.histograms = []
                continue
            }
            if buffer.isEmpty { continue }
            if steps.compute(buffer, into: &ss) {
                let n = ss.pointCount
                try hold(n)
                totalSamples += n
                ss.labels = s.labels
                try emit(&ss)
            }
        }
    }

    /// Raw samples of a range selector at one evaluation time (an instant query of `foo[5m]`),
    /// stale markers removed, sample timestamps kept.
    func evalMatrixSelector(_ ms: MatrixSelector, at t: Timestamp) throws(EvaluationError) -> [RangeSeries] {
        let vs = ms.vectorSelector
        let offset = try durationMs(vs.offset)
        let range = try durationMs(ms.range)
        let maxT = (atTime(vs.at) ?? t) - offset
        let minT = maxT - range
        let all = try select(vs, minT: minT, maxT: maxT, hints: SelectHints(start: minT, end: maxT, range: range))
        var out: [RangeSeries] = []
        for s in all {
            try checkpoint()
            try load(s, minT: minT, maxT: maxT)
            var r: RangeSeries
            if try loadHistograms(s, minT: minT, maxT: maxT, of: vs) {
                r = mergedRangeSeries(labels: s.labels, minT: minT, maxT: maxT)
            } else {
                r = RangeSeries(labels: s.labels, timestamps: [], values: [])
                for k in 0..<buffer.count where !StaleMarker.isStale(buffer.values[k]) && inWindow(buffer.timestamps[k], minT) {
                    r.timestamps.append(buffer.timestamps[k])
                    r.values.append(buffer.values[k])
                }
            }
            let n = r.timestamps.count + r.histogramTimestamps.count
            if n > 0 {
                try hold(n)
                totalSamples += n
                out.append(r)
            }
        }
        return out
    }

    /// The grid a subquery's inner expression is evaluated on for an outer grid: steps at absolute
    /// multiples of the subquery step from the first one after `start - offset - range` to
    /// `end - offset` (Prometheus `evaluator.eval` for `SubqueryExpr`; Go's truncating division).
    func subqueryGrid(_ sq: Subquery, _ grid: StepGrid) throws(EvaluationError) -> StepGrid {
        let offset = try durationMs(sq.offset)
        let range = try durationMs(sq.range)
        var step = try durationMs(sq.step)
        if step <= 0 { step = options.noStepSubqueryInterval }
        let at = atTime(sq.at)
        let outerStart = at ?? grid.start
        let outerEnd = at ?? grid.end
        let lower = outerStart - offset - range
        var start = step * (lower / step)
        if start < lower { start += step }
        return StepGrid(start: start, end: outerEnd - offset, interval: step)
    }

    /// Evaluates a subquery's inner expression over its grid and returns its points per series.
    func evalSubqueryRange(_ sq: Subquery, _ grid: StepGrid) throws(EvaluationError) -> [RangeSeries] {
        let inner = try subqueryGrid(sq, grid)
        guard inner.count > 0 else { return [] }
        let depth = profiles.count
        let value = try eval(sq.expr, inner)
        profiles.removeSubrange(depth...)  // not an input of the enclosing rangeEval
        let series: [StepSeries]
        switch value {
        case .vector(let v): series = v
        case .scalar(let xs):
            var s = StepSeries(labels: Labels(), steps: inner.count)
            s.values = xs
            s.present = [Bool](repeating: true, count: inner.count)
            series = [s]
        default:
            throw EvaluationError(.execution, "subquery is only allowed on instant vector")
        }
        var out: [RangeSeries] = []
        out.reserveCapacity(series.count)
        for s in series {
            var r = RangeSeries(labels: s.labels, timestamps: [], values: [], dropName: s.dropName)
            r.timestamps.reserveCapacity(inner.count)
            r.values.reserveCapacity(inner.count)
            for i in 0..<inner.count where s.present[i] {
                if var h = s.histogram(i) {
                    // Consecutive subquery points need not be consecutive samples: their reset
                    // hints say nothing about each other (Prometheus PR 15987).
                    if h.counterResetHint != .gauge { h.counterResetHint = .unknown }
                    r.histogramTimestamps.append(inner.time(i))
                    r.histograms.append(h)
                } else {
                    r.timestamps.append(inner.time(i))
                    r.values.append(s.values[i])
                }
            }
            if !r.timestamps.isEmpty || r.hasHistograms { out.append(r) }
        }
        return out
    }
}
