import SundialCore
import PromQLSyntax

/// Prometheus 3's counter-reset hints on histogram samples read from storage.
///
/// Storage (our head, and Prometheus 2.42's) writes a chunk cut by a detected counter reset with
/// the chunk header "counter reset", and its first sample reads back with the hint `reset`. That
/// header stays as it is: promtool and Prometheus 2.42 read our blocks. Prometheus 3 no longer
/// trusts the header when reading (PR 15343, issue 15346: a chunk may not follow the chunk read
/// before it, after backfill or out-of-order ingestion): `counterResetHint` in
/// `tsdb/chunkenc/histogram_meta.go` gives `unknown` for the first sample of every non-gauge
/// chunk, `not_reset` for the others, `gauge` in gauge chunks. So in 3.x storage never yields
/// `reset`, and under ``Semantics/prometheus3`` the engine turns a `reset` read from storage into
/// `unknown` — the difference is on the read side only, so both behaviours share one store.
///
/// Prometheus 3 then finds some of those resets again: a selector whose histograms only feed
/// `histogram_count`/`histogram_sum`/`histogram_avg` (`detectHistogramStatsDecoding` in
/// `promql/engine.go`) reads through `HistogramStatsIterator`, which replaces an `unknown` hint
/// by `reset` or `not_reset` from `DetectReset` against the previous histogram the iterator
/// returned. Here that previous histogram is the previous one loaded for the selector (the first
/// one loaded keeps `unknown`). Aggregations and `*_over_time` see these hints, hence the
/// "conflicting counter resets" warning of `histogram_count(sum(...))` in native_histograms.test
/// where `sum(...)` alone gives an `unknown` hint and no warning.
extension Evaluator {
    /// Positions of the selectors (vector selectors, and those inside range selectors) that
    /// Prometheus 3 reads in histogram-stats mode. Upstream walks up the path from each selector:
    /// `histogram_count`/`histogram_sum`/`histogram_avg` set the mode and the walk goes on; a
    /// subquery, `histogram_quantile(s)`, `histogram_fraction` or a trim operator (`</`, `>/`)
    /// clears it and stops. So a selector qualifies when such a call is on its path to the root
    /// and none of the stoppers is (top-down here: `stats` once a call is above, `vetoed` once a
    /// stopper is).
    static func histogramStatsSelectors(_ expr: Expr) -> Set<SourceRange> {
        var out = Set<SourceRange>()
        func walk(_ e: Expr, _ stats: Bool, _ vetoed: Bool) {
            switch e {
            case .number, .string:
                return
            case .vectorSelector(let vs):
                if stats && !vetoed { out.insert(vs.position) }
            case .matrixSelector(let ms):
                if stats && !vetoed { out.insert(ms.vectorSelector.position) }
            case .subquery(let s):
                walk(s.expr, stats, true)
            case .call(let c):
                switch c.function {
                case .histogramCount, .histogramSum, .histogramAvg:
                    for a in c.args { walk(a, true, vetoed) }
                case .histogramQuantile, .histogramQuantiles, .histogramFraction:
                    for a in c.args { walk(a, stats, true) }
                default:
                    for a in c.args { walk(a, stats, vetoed) }
                }
            case .aggregation(let a):
                walk(a.expr, stats, vetoed)
                if let p = a.param { walk(p, stats, vetoed) }
            case .binary(let b):
                let veto = vetoed || b.op == .trimUpper || b.op == .trimLower
                walk(b.lhs, stats, veto)
                walk(b.rhs, stats, veto)
            case .unary(let u):
                walk(u.expr, stats, vetoed)
            case .paren(let p):
                walk(p.expr, stats, vetoed)
            }
        }
        walk(expr, false, false)
        return out
    }

    /// Applies Prometheus 3's read-side hints to the histograms just loaded into ``hbuffer``
    /// (no-op in 2.42 mode): `reset` becomes `unknown`; with `stats` (see
    /// ``histogramStatsSelectors(_:)``) every `unknown` after the first sample becomes `reset` or
    /// `not_reset` by reset detection against the previous sample.
    func applyV3CounterResetHints(stats: Bool) {
        guard isV3 else { return }
        let n = hbuffer.count
        guard n > 0 else { return }
        for k in 0..<n where hbuffer.histograms[k].counterResetHint == .counterReset {
            hbuffer.histograms[k].counterResetHint = .unknown
        }
        guard stats else { return }
        // Decide from the hints as read, before any of them is rewritten. Stale markers are
        // skipped and are never the previous histogram (the iterator does not remember them).
        var detected: [(Int, CounterResetHint)] = []
        var prev: Int? = nil
        for k in 0..<n {
            let cur = hbuffer.histograms[k]
            if StaleMarker.isStale(cur.sum) { continue }
            if let p = prev, cur.counterResetHint == .unknown {
                detected.append((k, cur.detectReset(after: hbuffer.histograms[p]) ? .counterReset : .notCounterReset))
            }
            prev = k
        }
        for (k, hint) in detected { hbuffer.histograms[k].counterResetHint = hint }
    }
}
