import SundialCore
import PromQLSyntax

/// The `histogram_*` functions on native histograms (Prometheus 3 `promql/functions.go`,
/// docs/querying/functions.md): float samples are ignored by `histogram_count/sum/avg/stddev/stdvar`;
/// `histogram_quantile(s)`/`histogram_fraction` take classic `le` buckets from float series and
/// native histograms from histogram samples.
extension Evaluator {
    /// One float per histogram sample of `input` (`f` returns nil to drop it); names dropped.
    func mapHistograms(_ input: [StepSeries], _ f: (FloatHistogram, Int) -> Double?) -> [StepSeries] {
        var out: [StepSeries] = []
        for s in input where s.hasHistograms {
            var r = StepSeries(labels: s.labels, steps: s.present.count)
            r.dropName = s.dropName
            var any = false
            for i in s.histograms.indices {
                guard let h = s.histograms[i], let v = f(h, i) else { continue }
                r.present[i] = true
                r.values[i] = v
                any = true
            }
            if any {
                dropName(&r)
                out.append(r)
            }
        }
        return out
    }

    /// Classic and native results of `histogram_quantile(s)`/`histogram_fraction` joined; a label
    /// set that both produce has no result (warning, Prometheus 3 "mix of classic and native histograms").
    func joinClassicAndNative(_ classic: [StepSeries], _ native: [StepSeries], _ arg: Expr) -> [StepSeries] {
        guard !classic.isEmpty && !native.isEmpty else { return classic + native }
        let nativeLabels = Set(native.map(\.labels))
        let clash = Set(classic.map(\.labels)).intersection(nativeLabels)
        guard !clash.isEmpty else { return classic + native }
        for l in clash {
            annotate(.mixedClassicNativeHistograms(metricName: l.metricName, arg.unparenthesized.position))
        }
        return (classic + native).filter { !clash.contains($0.labels) }
    }

    /// The NaN-observation infos of `histogram_quantile` (`fraction` false) or `histogram_fraction`
    /// for the native histograms of `input` (a NaN sum marks NaN observations).
    func annotateNaNObservations(_ input: [StepSeries], _ results: [StepSeries], fraction: Bool, _ arg: Expr) {
        guard isV3 else { return }
        let pos = arg.unparenthesized.position
        for s in input where s.hasHistograms {
            for i in s.histograms.indices {
                guard let h = s.histograms[i], h.sum.isNaN, h.count > 0 else { continue }
                if fraction {
                    annotate(.nativeHistogramFractionNaNs(metricName: s.labels.metricName, pos))
                } else {
                    let r = results.first { $0.labels == s.labels || $0.labels == s.labels.droppingName(v3: true) }
                    if let r, r.present[i], !r.values[i].isNaN {
                        annotate(.nativeHistogramQuantileNaNSkew(metricName: s.labels.metricName, pos))
                    } else {
                        annotate(.nativeHistogramQuantileNaNResult(metricName: s.labels.metricName, pos))
                    }
                }
            }
        }
    }

    /// The histogram functions; nil when `call` is not one of them.
    func evalNativeHistogramFunction(_ call: Call, _ grid: StepGrid) throws(EvaluationError) -> EvalValue? {
        let args = call.args
        switch call.function {
        case .histogramCount:
            return .vector(try checkUniqueLabels(mapHistograms(try evalVectorWithHistograms(args[0], grid)) { h, _ in h.count }))
        case .histogramSum:
            return .vector(try checkUniqueLabels(mapHistograms(try evalVectorWithHistograms(args[0], grid)) { h, _ in h.sum }))
        case .histogramAvg:
            return .vector(try checkUniqueLabels(mapHistograms(try evalVectorWithHistograms(args[0], grid)) { h, _ in
                h.sum / h.count
            }))
        case .histogramStddev, .histogramStdvar:
            let sd = call.function == .histogramStddev
            return .vector(try checkUniqueLabels(mapHistograms(try evalVectorWithHistograms(args[0], grid)) { h, _ in
                let v = NativeHistogramStats.variance(h)
                return sd ? v.squareRoot() : v
            }))
        case .histogramQuantile:
            let q = try evalScalar(args[0], grid)
            checkQuantileParams(q, args[0])
            var v = try evalVectorWithHistograms(args[1], grid)
            let nativeInput = v
            let natives = mapHistograms(v) { h, i in NativeHistogramStats.quantile(q[i], h) }
            annotateNaNObservations(nativeInput, natives, fraction: false, args[1])
            dropHistogramSamples(&v)
            var notes = HistogramQuantile.Notes()
            let out = v.isEmpty ? [] : try HistogramQuantile.evaluate(q: q, input: v, steps: grid.count,
                                                                     delayedName: delaysNameRemoval, v3: isV3, notes: &notes)
            annotateClassicBuckets(notes, args[1])
            return .vector(try checkUniqueLabels(joinClassicAndNative(out, natives, args[1])))
        case .histogramFraction:
            // 2.42 has histogram_fraction for native histograms only; classic buckets came with v3.
            let lo = try evalScalar(args[0], grid), hi = try evalScalar(args[1], grid)
            var v = try evalVectorWithHistograms(args[2], grid)
            let natives = mapHistograms(v) { h, i in NativeHistogramStats.fraction(lo[i], hi[i], h) }
            annotateNaNObservations(v, natives, fraction: true, args[2])
            dropHistogramSamples(&v)
            if !isV3 { v.removeAll() }
            var notes = HistogramQuantile.Notes()
            let out = v.isEmpty ? [] : try HistogramQuantile.fraction(lower: lo, upper: hi, input: v, steps: grid.count,
                                                                     delayedName: delaysNameRemoval, v3: isV3, notes: &notes)
            annotateClassicBuckets(notes, args[2])
            return .vector(try checkUniqueLabels(joinClassicAndNative(out, natives, args[2])))
        case .histogramQuantiles where isV3:
            var v = try evalVectorWithHistograms(args[0], grid)
            let label = try evalString(args[1], grid)
            if !Evaluator.isValidUTF8LabelName(label) {
                throw EvaluationError(.execution, "invalid quantile label name: \(label)")
            }
            let nativeInput = v
            dropHistogramSamples(&v)
            var out: [StepSeries] = []
            for a in args.dropFirst(2) {
                let q = try evalScalar(a, grid)
                checkQuantileParams(q, a)
                var notes = HistogramQuantile.Notes()
                let classic = v.isEmpty ? [] : try HistogramQuantile.evaluate(q: q, input: v, steps: grid.count,
                                                                             delayedName: delaysNameRemoval, v3: isV3, notes: &notes)
                annotateClassicBuckets(notes, args[0])
                let natives = mapHistograms(nativeInput) { h, i in NativeHistogramStats.quantile(q[i], h) }
                annotateNaNObservations(nativeInput, natives, fraction: false, args[0])
                var part = joinClassicAndNative(classic, natives, args[0])
                let text = GoFormat.openMetricsFloat(q.first ?? .nan)
                for k in part.indices { part[k].labels = part[k].labels.setting(label, to: text) }
                out += part
            }
            return .vector(try checkUniqueLabels(out))
        default:
            return nil
        }
    }
}
