import SundialCore
import PromQLSyntax

/// Prometheus 3's experimental `info(v, [selector])`: adds the data labels of matching info
/// series to each series of `v`, behaviour as pinned down by the upstream script `info.test`:
///
/// - Info series are selected by the `__name__` matchers of `selector` (`target_info` when it has
///   none; only negative ones imply `__name__=~".+_info"`) and its other ("data") matchers, and are
///   read like an instant selector at each step (lookback, staleness).
/// - A series of `v` joins the info series with the same `instance` and `job` values (a missing
///   label counts as empty); a series without either label, or whose own name matches every
///   (explicit or implied) `__name__` matcher (an info series itself), is returned unchanged.
/// - Per step and info metric name the newest sample wins; the added labels are all the info
///   series' labels but `__name__`, `instance` and `job` (only the ones the data matchers name,
///   when there are data matchers); labels the series already has are kept. Two info metrics
///   giving one label different values fail the query.
/// - With no matching info series at a step, the series is kept unchanged when every data
///   matcher accepts the empty value, else dropped at that step.
extension Evaluator {
    static let infoIdentifyingLabels = ["instance", "job"]

    func evalInfo(_ call: Call, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries] {
        let base = try evalVector(call.args[0], grid)
        var nameMatchers: [LabelMatcher] = []
        var dataMatchers: [LabelMatcher] = []
        if call.args.count > 1, case .vectorSelector(let sel) = call.args[1].unparenthesized {
            for m in sel.matchers {
                if m.name == Labels.metricName { nameMatchers.append(m) } else { dataMatchers.append(m) }
            }
        }
        var infoMatchers = nameMatchers
        do {
            if nameMatchers.isEmpty {
                infoMatchers = [try LabelMatcher(.equal, Labels.metricName, "target_info")]
            } else if !nameMatchers.contains(where: { $0.type == .equal || $0.type == .regexMatch }) {
                infoMatchers.append(try LabelMatcher(.regexMatch, Labels.metricName, ".+_info"))
            }
        } catch {
            throw EvaluationError(.execution, "info(): \(error)")
        }
        let selector = VectorSelector(name: nil, matchers: infoMatchers + dataMatchers,
                                      position: SourceRange(start: 0, end: 0))
        // Values are the chosen samples' times (s): the newest info sample wins.
        let infos = try evalVectorSelector(selector, grid, sampleTimestamps: true)
        var byIdentity: [[String]: [Int]] = [:]
        for (k, s) in infos.enumerated() {
            byIdentity[Evaluator.infoIdentifyingLabels.map { s.labels.get($0) ?? "" }, default: []].append(k)
        }
        try checkInfoSamplesAreFloats(base, infos, infoMatchers: infoMatchers, grid: grid)
        let emptyOK = dataMatchers.allSatisfy { $0.matches("") }
        let wanted: Set<String>? = dataMatchers.isEmpty ? nil : Set(dataMatchers.map(\.name))
        var out = VectorBuilder(steps: grid.count)
        for s in base {
            try checkpoint()
            let identity = Evaluator.infoIdentifyingLabels.map { s.labels.get($0) ?? "" }
            let isInfo = s.labels.metricName.map { n in infoMatchers.allSatisfy { $0.matches(n) } } ?? false
            let ignored = identity.allSatisfy(\.isEmpty) || isInfo
            let candidates = ignored ? [] : (byIdentity[identity] ?? [])
            for i in 0..<grid.count where s.present[i] {
                if ignored {
                    try out.set(out.slot(s.labels, dropName: s.dropName), i, s.values[i])
                    continue
                }
                // Newest sample per info metric name.
                var chosen: [String: Int] = [:]
                for k in candidates where infos[k].present[i] {
                    let name = infos[k].labels.metricName ?? ""
                    if let c = chosen[name], infos[c].values[i] >= infos[k].values[i] { continue }
                    chosen[name] = k
                }
                if chosen.isEmpty {
                    if emptyOK { try out.set(out.slot(s.labels, dropName: s.dropName), i, s.values[i]) }
                    continue
                }
                var added: [String: String] = [:]
                for k in chosen.values {
                    for l in infos[k].labels where l.name != Labels.metricName
                        && !Evaluator.infoIdentifyingLabels.contains(l.name) && !s.labels.has(l.name)
                        && (wanted?.contains(l.name) ?? true) && !l.value.isEmpty
                    {
                        if let prev = added[l.name], prev != l.value {
                            throw EvaluationError(.execution, "conflicting label: \(l.name) has values \(GoQuote.quote(prev)) and \(GoQuote.quote(l.value)) in info metrics")
                        }
                        added[l.name] = l.value
                    }
                }
                var labels = s.labels
                for (name, value) in added { labels = labels.setting(name, to: value) }
                try out.set(out.slot(labels, dropName: s.dropName), i, s.values[i])
            }
        }
        return out.finish()
    }

    /// Prometheus 3's `combineWithInfoVector`: at a step where the base vector is not empty, an
    /// info series fetched for it (its identifying labels among the values of the base series
    /// that are not ignored, label by label, as `fetchInfoSeries` builds its regex matchers)
    /// with a histogram sample fails the query with `info sample should be float`.
    func checkInfoSamplesAreFloats(_ base: [StepSeries], _ infos: [StepSeries], infoMatchers: [LabelMatcher],
                                   grid: StepGrid) throws(EvaluationError) {
        guard infos.contains(where: { !$0.histograms.isEmpty }) else { return }
        var values: [String: Set<String>] = [:]
        for s in base {
            if let n = s.labels.metricName, infoMatchers.allSatisfy({ $0.matches(n) }) { continue }
            for l in Evaluator.infoIdentifyingLabels {
                if let v = s.labels.get(l), !v.isEmpty { values[l, default: []].insert(v) }
            }
        }
        guard !values.isEmpty else { return }
        let fetched = infos.filter { info in
            values.allSatisfy { name, vals in vals.contains(info.labels.get(name) ?? "") }
        }
        for i in 0..<grid.count where base.contains(where: { $0.present[i] }) {
            if fetched.contains(where: { $0.histogram(i) != nil }) {
                throw EvaluationError(.execution, "info sample should be float")
            }
        }
    }
}
