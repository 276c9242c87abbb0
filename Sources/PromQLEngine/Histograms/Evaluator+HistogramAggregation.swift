import SundialCore
import PromQLSyntax

/// Aggregation of native-histogram samples (Prometheus 3 `evaluator.aggregation`, docs/querying/
/// operators.md "Aggregation operators"): `sum` and `avg` add histograms; `count` and `group` count
/// them like floats; `min`, `max`, `stddev`, `stdvar`, `topk`, `bottomk` and `quantile` ignore them.
/// A group with floats and histograms at one step has no result there (warning); histograms that
/// cannot be added (exponential with custom buckets) drop the group's result (warning).
extension Evaluator {
    /// Splits `v` into its float part (in place) and the series that hold histograms (returned,
    /// histogram steps only).
    func splitHistograms(_ v: inout [StepSeries]) -> [StepSeries] {
        var hs: [StepSeries] = []
        for s in v where s.hasHistograms {
            var h = s
            for i in h.present.indices where h.histograms[i] == nil { h.present[i] = false }
            hs.append(h)
        }
        if !hs.isEmpty { dropHistogramSamples(&v) }
        return hs
    }

    /// Combines the float result of `op` (`floatOut`, one series per group key) with the histogram
    /// members `hseries`.
    func mergeHistogramAggregation(_ op: AggregationOp, floatOut: [StepSeries], hseries: [StepSeries],
                                   grouping: [String], without: Bool, steps: Int, pos: SourceRange?) -> [StepSeries]
    {
        guard !hseries.isEmpty else { return floatOut }
        switch op {
        case .sum, .avg, .count, .group: break
        default:
            annotate(.histogramIgnoredInAggregation(op.rawValue, pos))
            return floatOut
        }
        var out = floatOut
        var index: [Labels: Int] = [:]
        for (i, s) in out.enumerated() { index[s.labels] = i }
        // Per group: histogram sum and member count per step.
        var order: [Labels] = []
        var acc: [Labels: (members: [[FloatHistogram]], n: [Int], dropName: Bool)] = [:]
        for s in hseries {
            let k = Evaluator.groupingKey(s.labels, grouping, without: without)
            if acc[k] == nil {
                order.append(k)
                acc[k] = ([[FloatHistogram]](repeating: [], count: steps), [Int](repeating: 0, count: steps), false)
            }
            if s.dropName && k.has(Labels.metricName) { acc[k]!.dropName = true }
            for i in 0..<steps {
                guard s.present[i], let h = s.histogram(i) else { continue }
                acc[k]!.n[i] += 1
                if op == .sum || op == .avg { acc[k]!.members[i].append(h) }
            }
        }
        for k in order {
            guard let a = acc[k] else { continue }
            let slot: Int
            if let x = index[k] {
                slot = x
            } else {
                var s = StepSeries(labels: k, steps: steps)
                s.dropName = a.dropName
                out.append(s)
                slot = out.count - 1
                index[k] = slot
            }
            if a.dropName { out[slot].dropName = true }
            for i in 0..<steps where a.n[i] > 0 {
                switch op {
                case .count:
                    out[slot].setFloat(i, (out[slot].present[i] ? out[slot].values[i] : 0) + Double(a.n[i]))
                case .group:
                    out[slot].setFloat(i, 1)
                default:
                    if out[slot].present[i] && out[slot].histogram(i) == nil {
                        // Floats and histograms in one group at one step.
                        out[slot].clear(i)
                        annotate(.mixedFloatsHistogramsAggregation(pos))
                        continue
                    }
                    var notes = HistogramCombineNotes()
                    var h: FloatHistogram
                    do throws(HistogramCombineError) {
                        h = try FloatHistogram.kahanSum(a.members[i], scale: op == .avg ? 1 / Double(a.n[i]) : 1,
                                                        notes: &notes)
                    } catch {
                        annotate(.mixedExponentialCustomHistograms(metricName: hseries.first?.labels.metricName ?? "", pos))
                        continue
                    }
                    if FloatHistogram.counterResetHintsCollide(a.members[i]) {
                        annotate(.histogramCounterResetCollision("aggregation", pos))
                    }
                    if notes.reconciledCustomBounds { annotate(.mismatchedCustomBuckets("aggregation", pos)) }
                    out[slot].setHistogram(i, h.compacted())
                }
            }
            out[slot].shrinkHistograms()
        }
        return out.filter { $0.present.contains(true) }
    }
}
