import SundialCore
import PromQLSyntax

/// Where the evaluator raises Prometheus 3's annotations (`util/annotations`; the sites follow
/// `promql/engine.go` and `promql/functions.go` of v3). Prometheus 2.42 raises none, so outside
/// ``Semantics/prometheus3`` nothing is recorded.
extension Evaluator {
    /// Records `a` (v3 only). The autoclosure keeps message formatting off the 2.42 path.
    @inline(__always)
    func annotate(_ a: @autoclosure () -> Annotation) {
        if isV3 { annotations.add(a()) }
    }

    /// A quantile parameter Prometheus warns about: NaN, below 0 or above 1.
    @inline(__always)
    static func isInvalidQuantile(_ q: Double) -> Bool { q.isNaN || q < 0 || q > 1 }

    /// Counter suffixes `rate`/`increase` expect (Prometheus `engine.go`, the check after a range
    /// function produced a series).
    static func looksLikeCounter(_ name: String) -> Bool {
        name.hasSuffix("_total") || name.hasSuffix("_sum") || name.hasSuffix("_count") || name.hasSuffix("_bucket")
    }

    /// The info for `rate`/`increase` producing float output from a series named without a
    /// counter suffix; positioned at the range argument. `lastName` caches the last name found fine.
    @inline(__always)
    func checkCounterName(_ labels: Labels, _ call: Call, rangeIndex: Int, lastName: inout String?) {
        guard isV3, call.function == .rate || call.function == .increase,
              let name = labels.metricName, !name.isEmpty, name != lastName else { return }
        lastName = name
        if !Evaluator.looksLikeCounter(name) {
            annotations.add(.possibleNonCounter(metricName: name, call.args[rangeIndex].unparenthesized.position))
        }
    }

    /// The warning for a `sort*` function in a range query (Prometheus warns once the evaluation
    /// range has more than one instant), positioned at the call.
    func checkSortInRange(_ call: Call, _ grid: StepGrid) {
        if grid.start != grid.end { annotate(.sortInRangeQuery(call.position)) }
    }

    /// Invalid quantile parameters at any step, positioned at the parameter.
    func checkQuantileParams(_ qs: [Double], _ param: Expr) {
        guard isV3 else { return }
        for q in qs where Evaluator.isInvalidQuantile(q) { annotations.add(.invalidQuantile(q, param.unparenthesized.position)) }
    }

    /// `quantile_over_time`: invalid quantiles at the steps whose window held samples (where the
    /// function produced a value).
    func checkQuantileOverTime(_ qs: [Double], _ s: StepSeries, _ param: Expr) {
        for i in s.present.indices where s.present[i] && i < qs.count && Evaluator.isInvalidQuantile(qs[i]) {
            annotations.add(.invalidQuantile(qs[i], param.unparenthesized.position))
        }
    }

    /// `limit_ratio` ratios outside [-1, 1] at any step (they are capped), positioned at the parameter.
    func checkLimitRatios(_ rs: [Double], _ param: Expr) {
        guard isV3 else { return }
        for r in rs where r < -1 || r > 1 {
            annotations.add(.invalidRatio(r, cappedTo: r < -1 ? -1 : 1, param.position))
        }
    }
}

extension Evaluator {
    /// The classic-bucket annotations of `histogram_quantile`/`histogram_quantiles`/`histogram_fraction`,
    /// positioned at the bucket argument `arg`.
    func annotateClassicBuckets(_ notes: HistogramQuantile.Notes, _ arg: Expr) {
        guard isV3 else { return }
        let pos = arg.unparenthesized.position
        for b in notes.badBuckets { annotations.add(.badBucketLabel(metricName: b.name, label: b.le, pos)) }
        for name in notes.forcedMonotonic { annotations.add(.histogramQuantileForcedMonotonicity(metricName: name, pos)) }
    }
}
