import SundialCore
import PromQLSyntax

extension Evaluator {
    /// The range function implementing `f`, or nil when `f` takes no range vector.
    static func rangeFunction(_ f: Function) -> RangeFunction? {
        switch f {
        case .rate: .rate
        case .increase: .increase
        case .delta: .delta
        case .irate: .irate
        case .idelta: .idelta
        case .deriv: .deriv
        case .predictLinear: .predictLinear
        case .holtWinters, .doubleExponentialSmoothing: .holtWinters
        case .resets: .resets
        case .changes: .changes
        case .avgOverTime: .avgOverTime
        case .sumOverTime: .sumOverTime
        case .countOverTime: .countOverTime
        case .minOverTime: .minOverTime
        case .maxOverTime: .maxOverTime
        case .lastOverTime: .lastOverTime
        case .firstOverTime: .firstOverTime
        case .quantileOverTime: .quantileOverTime
        case .stddevOverTime: .stddevOverTime
        case .stdvarOverTime: .stdvarOverTime
        case .presentOverTime: .presentOverTime
        case .absentOverTime: .absentOverTime
        case .madOverTime: .madOverTime
        case .tsOfLastOverTime: .tsOfLastOverTime
        case .tsOfFirstOverTime: .tsOfFirstOverTime
        case .tsOfMaxOverTime: .tsOfMaxOverTime
        case .tsOfMinOverTime: .tsOfMinOverTime
        default: nil
        }
    }

    func evalCall(_ call: Call, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        if let rf = Evaluator.rangeFunction(call.function) {
            return .vector(try evalRangeFunction(call, rf, grid))
        }
        return try evalInstantFunction(call, grid)
    }

    /// A range function over a range selector or subquery, streaming series by series: each
    /// series' samples are read once for the whole query range and the window slides over the steps.
    func evalRangeFunction(_ call: Call, _ rf: RangeFunction, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries] {
        var out: [StepSeries] = []
        try streamRangeFunction(call, rf, grid) { (s: inout StepSeries) throws(EvaluationError) in
            out.append(s)
        }
        if rf == .absentOverTime {
            // One series with value 1 at the steps where no input series had a sample.
            var labels = Labels()
            if case .matrixSelector(let ms) = call.args[0].unparenthesized { labels = Evaluator.absentLabels(ms.vectorSelector) }
            var s = StepSeries(labels: labels, steps: grid.count)
            var any = false
            for i in 0..<grid.count where !out.contains(where: { $0.present[i] }) {
                s.present[i] = true
                s.values[i] = 1
                any = true
            }
            return any ? [s] : []
        }
        return out
    }

    /// Streams the output series of a range function to `emit`, one at a time, in a reused
    /// ``StepSeries`` (copy it to keep it). Fails when two outputs share a label set.
    /// With `nameIrrelevant` (the consumer ignores `__name__`), the emitted labels may keep it.
    func streamRangeFunction(_ call: Call, _ rf: RangeFunction, _ grid: StepGrid, nameIrrelevant: Bool = false,
                             _ emit: (inout StepSeries) throws(EvaluationError) -> Void) throws(EvaluationError) {
        // Locate the range argument and evaluate the scalar parameters once for all steps.
        var rangeIndex = 0
        for (i, a) in call.args.enumerated() where a.unparenthesized.type == .rangeVector {
            rangeIndex = i
            break
        }
        var params: [[Double]] = []
        for (i, a) in call.args.enumerated() where i != rangeIndex {
            params.append(try evalScalar(a, grid))
        }
        if rf == .holtWinters {
            // Prometheus checks the smoothing factors per step, failing the query on the first bad one.
            for i in 0..<grid.count {
                let sf = params[0][i], tf = params[1][i]
                if sf <= 0 || sf >= 1 {
                    throw EvaluationError(.execution, "invalid smoothing factor. Expected: 0 < sf < 1, got: \(GoFormat.float(sf, precision: 6))")
                }
                if tf <= 0 || tf >= 1 {
                    throw EvaluationError(.execution, "invalid trend factor. Expected: 0 < tf < 1, got: \(GoFormat.float(tf, precision: 6))")
                }
            }
        }
        let keepName = rf == .lastOverTime || (isV3 && rf == .firstOverTime)
        let arg = call.args[rangeIndex].unparenthesized
        let v3 = isV3
        var scratch = StepSeries(labels: Labels(), steps: grid.count)
        var seen = Set<Labels>()
        let delayed = delaysNameRemoval
        // Storage series have distinct label sets, and so have the series of a subquery's inner
        // vector; only dropping the name can make two equal, and not when the selector pins one name.
        var singleName = false
        if case .matrixSelector(let ms) = arg {
            singleName = ms.vectorSelector.matchers.contains { $0.name == Labels.metricName && $0.type == .equal }
        }
        let checkDuplicates = rf != .absentOverTime && !keepName && !delayed && !singleName
        // The consumer ignores `__name__` (a fold grouping without it): keep the labels as they are
        // unless the duplicate check needs them without the name.
        let keepLabels = keepName || (nameIrrelevant && !checkDuplicates)

        var stepper = WindowStepper(function: rf, grid: grid, params: params, range: 0, offset: 0, at: nil, v3: v3,
                                    maxSamples: options.maxSamples)

        // Shared per-series step loop.
        func run(_ labels: Labels, _ t: [Timestamp], _ v: [Double], resets: [Int32], inputDropsName: Bool = false)
            throws(EvaluationError)
        {
            var ss = scratch
            scratch = StepSeries(labels: Labels(), steps: 0)  // keep `ss` uniquely referenced
            defer { scratch = ss }
            let r = stepper.compute(t, v, resets: resets, currentSamples: currentSamples + resultsHeld, into: &ss)
            totalSamples += r.samples
            if r.tooMany { throw EvaluationError.tooManySamples(options.maxSamples) }
            try checkSeriesEnd(held: resultsHeld, lastWindow: r.lastWindow, outputs: r.any ? ss.pointCount : 0)
            guard r.any else { return }
            try finish(labels, &ss, inputDropsName: inputDropsName)
        }
        // v3 annotations: the counter-name info of rate/increase and quantile_over_time's invalid φ.
        var lastCounterName: String? = nil
        let annotateCounter = v3 && (rf == .rate || rf == .increase)
        let annotateQuantile = v3 && rf == .quantileOverTime && params[0].contains { Evaluator.isInvalidQuantile($0) }
        // 2.42 accounting: the outputs of the series done so far stay held while the next series'
        // windows are read; the node ends holding all of them (see Evaluator+SampleAccounting).
        var resultsHeld = 0
        defer { currentSamples += resultsHeld }
        func finish(_ labels: Labels, _ ss: inout StepSeries, inputDropsName: Bool = false) throws(EvaluationError) {
            resultsHeld += ss.pointCount
            if annotateCounter { checkCounterName(labels, call, rangeIndex: rangeIndex, lastName: &lastCounterName) }
            if annotateQuantile { checkQuantileOverTime(params[0], ss, call.args[0]) }
            if delayed {
                ss.labels = labels
                ss.dropName = inputDropsName || !keepName
            } else {
                ss.labels = keepLabels ? labels : labels.droppingName(v3: v3)
            }
            if checkDuplicates && !seen.insert(ss.labels).inserted {
                // Prometheus checks the whole result matrix for duplicate label sets.
                throw EvaluationError(.execution, "vector cannot contain metrics with the same labelset")
            }
            try emit(&ss)
        }

        // A series with native histograms: the slower mixed-window path (``HistogramWindow``).
        func runHistograms(_ r: RangeSeries, inputDropsName: Bool = false) throws(EvaluationError) {
            let hw = HistogramWindow(function: rf, grid: grid, params: params, range: stepper.range,
                                     offset: stepper.offset, at: stepper.at, v3: v3,
                                     position: call.args[rangeIndex].unparenthesized.position)
            var ss = StepSeries(labels: Labels(), steps: grid.count)
            let (any, samples) = hw.compute(r, into: &ss, annotations: &annotations)
            totalSamples += samples
            guard any else { return }
            // last/first_over_time returning a histogram keep the name like for floats.
            try finish(r.labels, &ss, inputDropsName: inputDropsName)
        }

        switch arg {
        case .matrixSelector(let ms):
            let vs = ms.vectorSelector
            let offset = try durationMs(vs.offset)
            let range = try durationMs(ms.range)
            let at = atTime(vs.at)
            let maxT = (at ?? grid.end) - offset
            let minT = (at ?? grid.start) - offset - range
            if isV3 && (vs.anchored || vs.smoothed) {
                // v3 extended range selectors: read a lookback delta before (and for `smoothed`
                // after) the windows, evaluate step by step (see ``ExtendedRange``).
                let lookback = options.lookbackDelta
                let loadMin = minT - lookback, loadMax = maxT + (vs.smoothed ? lookback : 0)
                let hints = SelectHints(start: loadMin, end: loadMax, step: grid.interval, range: range,
                                        function: call.function.rawValue)
                let all = try select(vs, minT: loadMin, maxT: loadMax, hints: hints)
                var w = WindowWorkspace()
                var ss = StepSeries(labels: Labels(), steps: grid.count)
                for s in all {
                    try checkpoint()
                    try load(s, minT: loadMin, maxT: loadMax)
                    w.prepare(&buffer, countResets: false)
                    if try loadHistograms(s, minT: loadMin, maxT: loadMax, of: vs) {
                        var hs = StepSeries(labels: Labels(), steps: grid.count)
                        if try extendedHistogramSteps(rf, s.labels, anchored: vs.anchored, grid: grid, at: at, offset: offset,
                                                      range: range, position: call.args[rangeIndex].unparenthesized.position,
                                                      into: &hs) {
                            try finish(s.labels, &hs)
                        }
                        continue
                    }
                    if buffer.isEmpty { continue }
                    try hold(buffer.count)
                    totalSamples += buffer.count
                    currentSamples -= buffer.count
                    var any = false
                    for i in 0..<grid.count {
                        let maxt = (at ?? grid.time(i)) - offset, mint = maxt - range
                        let r = vs.anchored
                            ? ExtendedRange.anchored(rf, buffer.timestamps, buffer.values, mint: mint, maxt: maxt,
                                                     lookback: lookback, rangeSeconds: Double(range) / 1000)
                            : ExtendedRange.smoothed(rf, buffer.timestamps, buffer.values, mint: mint, maxt: maxt,
                                                     lookback: lookback, rangeSeconds: Double(range) / 1000)
                        ss.present[i] = r != nil
                        ss.values[i] = r ?? 0
                        if r != nil { any = true }
                    }
                    if any { try finish(s.labels, &ss) }
                }
                return
            }
            let hints = SelectHints(start: minT, end: maxT, step: grid.interval, range: range,
                                    function: call.function.rawValue)
            let all = try select(vs, minT: minT, maxT: maxT, hints: hints)
            if checkDuplicates { seen.reserveCapacity(all.count) }
            stepper.range = range
            stepper.offset = offset
            stepper.at = at
            if all.count >= ParallelRange.minimumSeries && ParallelRange.workers > 1
                && !all.contains(where: { $0.mayContainHistograms }) {
                // Large selection: both cores compute windows; results are emitted in input order.
                let parts = try ParallelRange.compute(all, minT: minT, maxT: maxT, stepper: stepper,
                                                      currentSamples: currentSamples, deadline: deadline,
                                                      cancellation: cancellation)
                try checkNow()
                var ss = StepSeries(labels: Labels(), steps: grid.count)
                for part in parts {
                    totalSamples += part.samples
                    // Replay 2.42's per-series accounting in input order.
                    var k = 0
                    for w in part.windows {
                        if currentSamples + resultsHeld + Int(w.maxWindow) > options.maxSamples {
                            throw EvaluationError.tooManySamples(options.maxSamples)
                        }
                        try checkSeriesEnd(held: resultsHeld, lastWindow: Int(w.lastWindow), outputs: Int(w.outputs))
                        guard w.outputs > 0 else { continue }
                        part.load(k, steps: grid.count, into: &ss)
                        try finish(part.labels[k], &ss)
                        k += 1
                    }
                }
            } else {
                var w = WindowWorkspace()
                for s in all {
                    try checkpoint()
                    try load(s, minT: minT, maxT: maxT)
                    if try loadHistograms(s, minT: minT, maxT: maxT, of: vs) {
                        try runHistograms(mergedRangeSeries(labels: s.labels, minT: .min, maxT: .max))
                        continue
                    }
                    w.prepare(&buffer, countResets: rf.usesResets)
                    if buffer.isEmpty { continue }
                    try run(s.labels, buffer.timestamps, buffer.values, resets: w.resets)
                }
            }
        case .subquery(let sq):
            // The subquery's output stays held (its evaluation left it in currentSamples) until the call ends.
            let inner = try evalSubqueryRange(sq, grid)
            var held = 0
            for s in inner { held += s.timestamps.count + s.histograms.count }
            defer { currentSamples -= held }
            stepper.offset = try durationMs(sq.offset)
            stepper.range = try durationMs(sq.range)
            stepper.at = atTime(sq.at)
            for s in inner {
                try checkpoint()
                if s.hasHistograms {
                    try runHistograms(s, inputDropsName: s.dropName)
                    continue
                }
                try run(s.labels, s.timestamps, s.values, resets: rf.usesResets ? WindowWorkspace.resetCounts(s.values) : [],
                        inputDropsName: s.dropName)
            }
        default:
            throw EvaluationError(.execution, "expected range vector argument for \(call.function.rawValue)")
        }

    }

    /// The labels `absent()` and `absent_over_time()` give their output: the selector's equality
    /// matchers other than on `__name__`; a name with any other matcher, or a second one, is dropped
    /// at the end (Prometheus `createLabelsForAbsentFunction`).
    static func absentLabels(_ vs: VectorSelector) -> Labels {
        var pairs: [Label] = []
        var dropped = Set<String>()
        for m in vs.matchers where m.name != Labels.metricName {
            if m.type == .equal && !pairs.contains(where: { $0.name == m.name }) {
                pairs.append(Label(m.name, m.value))
            } else {
                dropped.insert(m.name)
            }
        }
        return Labels(pairs.filter { !dropped.contains($0.name) })
    }
}
