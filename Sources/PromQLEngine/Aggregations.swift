import SundialCore
import PromQLSyntax

/// Aggregation operators (Prometheus `evaluator.aggregation`, v2.42.0): grouping is computed once
/// per input series; values are folded per step into dense per-group accumulators.
extension Evaluator {
    /// The group key of a series: `by` keeps the listed labels, `without` drops them and `__name__`.
    static func groupingKey(_ l: Labels, _ grouping: [String], without: Bool) -> Labels {
        if without {
            var out: [Label] = []
            out.reserveCapacity(l.count)
            for x in l where x.name != Labels.metricName && !grouping.contains(x.name) { out.append(x) }
            return out.count == l.count ? l : Labels(sorted: out)
        }
        if grouping.isEmpty { return Labels() }
        var out: [Label] = []
        out.reserveCapacity(grouping.count)
        for x in l where grouping.contains(x.name) { out.append(x) }
        return Labels(sorted: out)
    }

    /// Marks the series whose labels are in `keys` for delayed name removal.
    static func markDropped(_ out: [StepSeries], _ keys: Set<Labels>) -> [StepSeries] {
        guard !keys.isEmpty else { return out }
        var out = out
        for i in out.indices where keys.contains(out[i].labels) { out[i].dropName = true }
        return out
    }

    func evalAggregation(_ a: Aggregation, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        var param: [Double] = []
        var paramString = ""
        if let p = a.param {
            if a.op == .countValues {
                paramString = try evalString(p, grid)
                // v3 (UTF-8 names): non-empty valid UTF-8, printed with Go's %q (bad bytes as \xNN).
                var badBytes: [UInt8]? = nil
                if case .string(let lit) = p.unparenthesized { badBytes = lit.invalidUTF8Bytes }
                let valid = isV3 ? !paramString.isEmpty && badBytes == nil : Evaluator.isValidLabelName(paramString)
                if !valid {
                    let quoted = badBytes.map(GoFormat.quote(bytes:)) ?? GoQuote.quote(paramString)
                    throw EvaluationError(.execution, "invalid label name \(quoted)")
                }
            } else {
                param = try evalScalar(p, grid)
                if a.op == .quantile { checkQuantileParams(param, p) }
                if a.op == .limitRatio { checkLimitRatios(param, p) }
            }
        }
        switch a.op {
        case .sum, .avg, .count, .group, .min, .max, .stddev, .stdvar:
            if let out = try streamFoldAggregation(a, grid) { return .vector(out) }
        default: break
        }
        var input = try evalVectorWithHistograms(a.expr, grid)
        // limitk, limit_ratio and count_values take histogram samples like floats; the others
        // aggregate them apart (``mergeHistogramAggregation``) or ignore them.
        let keepsHistograms = a.op == .limitk || a.op == .limitRatio || a.op == .countValues
        let hinput = keepsHistograms ? [] : splitHistograms(&input)
        if !hinput.isEmpty && (a.op == .topk || a.op == .bottomk || a.op == .quantile) {
            annotate(.histogramIgnoredInAggregation(a.op.rawValue, a.expr.unparenthesized.position))
        }
        let steps = grid.count

        // Group membership, once per series.
        var groupOf = [Int](repeating: 0, count: input.count)
        var keys: [Labels] = []
        var index: [Labels: Int] = [:]
        for (i, s) in input.enumerated() {
            let k = Evaluator.groupingKey(s.labels, a.grouping, without: a.without)
            if let g = index[k] {
                groupOf[i] = g
            } else {
                groupOf[i] = keys.count
                index[k] = keys.count
                keys.append(k)
            }
        }
        let groups = keys.count

        // Delayed name removal: groups that keep `__name__` drop it at the end if a member was marked.
        var dropKeys = Set<Labels>()
        if delaysNameRemoval {
            for (i, s) in input.enumerated() where s.dropName && keys[groupOf[i]].has(Labels.metricName) {
                dropKeys.insert(keys[groupOf[i]])
            }
        }
        switch a.op {
        case .sum, .avg, .count, .group, .min, .max, .stddev, .stdvar:
            let floats = Evaluator.markDropped(try foldAggregation(a.op, input, groupOf, keys, steps), dropKeys)
            return .vector(mergeHistogramAggregation(a.op, floatOut: floats, hseries: hinput, grouping: a.grouping,
                                                     without: a.without, steps: steps, pos: a.expr.unparenthesized.position))
        case .topk, .bottomk:
            return .vector(try topK(a.op == .topk, input, groupOf, groups, param, steps))
        case .limitk, .limitRatio:
            return .vector(try limitK(a.op, input, groupOf, groups, param, steps))
        case .quantile:
            var out: [StepSeries] = (0..<groups).map { StepSeries(labels: keys[$0], steps: steps) }
            var members: [[Int]] = Array(repeating: [], count: groups)
            for (i, g) in groupOf.enumerated() { members[g].append(i) }
            var buf: [Double] = []
            for i in 0..<steps {
                for g in 0..<groups {
                    buf.removeAll(keepingCapacity: true)
                    for m in members[g] where input[m].present[i] { buf.append(input[m].values[i]) }
                    if buf.isEmpty { continue }
                    out[g].present[i] = true
                    out[g].values[i] = Quantile.quantile(param[i], &buf)
                }
            }
            return .vector(Evaluator.markDropped(out.filter { $0.present.contains(true) }, dropKeys))
        case .countValues:
            var b = VectorBuilder(steps: steps)
            var counts: [Int: [Int: Double]] = [:]  // slot -> step -> count
            for (si, s) in input.enumerated() {
                for i in 0..<steps where s.present[i] {
                    let text = s.histogram(i)?.description ?? GoFormat.shortest(s.values[i])
                    let key = keys[groupOf[si]].setting(paramString, to: text)
                    let slot = b.slot(key, dropName: s.dropName && dropKeys.contains(keys[groupOf[si]]))
                    counts[slot, default: [:]][i, default: 0] += 1
                }
            }
            for (slot, perStep) in counts {
                for (i, c) in perStep { try b.set(slot, i, c) }
            }
            return .vector(b.finish())
        }
    }

    /// sum, avg, count, group, min, max, stddev, stdvar over materialised input.
    func foldAggregation(_ op: AggregationOp, _ input: [StepSeries], _ groupOf: [Int], _ keys: [Labels], _ steps: Int)
        throws(EvaluationError) -> [StepSeries]
    {
        var f = Folder(op: op, steps: steps, kahan: isV3)
        f.ensureGroups(keys.count)
        for (si, s) in input.enumerated() {
            try checkpoint()
            f.add(groupOf[si], s)
        }
        return f.finish(keys)
    }

    /// The streaming form of ``foldAggregation``: the input series are folded as they are produced
    /// (no per-series materialisation). Returns nil when `expr` cannot be streamed.
    func streamFoldAggregation(_ a: Aggregation, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries]? {
        var f = Folder(op: a.op, steps: grid.count, kahan: isV3)
        let grouping = a.grouping, without = a.without
        // Group lookup without building the key for every series.
        var groups = GroupIndex(grouping: grouping, without: without)
        var dropKeys = Set<Labels>()
        var hseries: [StepSeries] = []
        // The streamed input's points per step: the rangeEval input profile 2.42 accounts for.
        var inputCounts = [Int](repeating: 0, count: grid.count)
        let fold = { (s: inout StepSeries) throws(EvaluationError) in
            for i in 0..<min(inputCounts.count, s.present.count) where s.present[i] { inputCounts[i] &+= 1 }
            if s.hasHistograms {
                // Histogram steps are aggregated apart (``mergeHistogramAggregation``); the float
                // steps fold as usual.
                var one = [s]
                hseries += self.splitHistograms(&one)
                guard let rest = one.first else { return }
                s = rest
            }
            let (g, created) = groups.group(of: s.labels)
            if created { f.ensureGroups(groups.keys.count) }
            if s.dropName && groups.keys[g].has(Labels.metricName) { dropKeys.insert(groups.keys[g]) }
            f.add(g, s)
        }
        switch a.expr.unparenthesized {
        case .call(let c):
            guard let rf = Evaluator.rangeFunction(c.function), rf != .absentOverTime else { return nil }
            // Grouping keys never take `__name__` from a range function's output (it is dropped,
            // `without` removes it anyway), unless `by` lists it.
            let nameIrrelevant = without || !grouping.contains(Labels.metricName)
            try streamRangeFunction(c, rf, grid, nameIrrelevant: nameIrrelevant && !delaysNameRemoval, fold)
        case .vectorSelector(let vs):
            // Without grouping every series folds into one group: the labels are never read.
            try streamVectorSelector(vs, grid, labelsUnused: !without && grouping.isEmpty, fold)
        default:
            return nil
        }
        let out = mergeHistogramAggregation(a.op, floatOut: Evaluator.markDropped(f.finish(groups.keys), dropKeys),
                                            hseries: hseries, grouping: grouping, without: without, steps: grid.count,
                                            pos: a.expr.unparenthesized.position)
        profiles.append(inputCounts)
        return out
    }

    /// topk / bottomk with Prometheus's heap semantics (Go `container/heap` over the
    /// `vectorByValueHeap` ordering, NaN counting as the smallest for topk and the largest for
    /// bottomk), then ordered by value like `sort.Sort(sort.Reverse(heap))`.
    func topK(_ top: Bool, _ input: [StepSeries], _ groupOf: [Int], _ groups: Int, _ param: [Double], _ steps: Int)
        throws(EvaluationError) -> [StepSeries]
    {
        var b = VectorBuilder(steps: steps)
        // Output slot per input series (full labels are kept).
        var slotOf: [Int] = []
        slotOf.reserveCapacity(input.count)
        for s in input { slotOf.append(b.slot(s.labels, dropName: s.dropName)) }
        var heaps: [[(Double, Int)]] = Array(repeating: [], count: groups)
        // less(i, j) of the heap: for topk, NaN or smaller first; for bottomk, NaN or larger first.
        func less(_ a: (Double, Int), _ c: (Double, Int)) -> Bool {
            if a.0.isNaN { return true }
            return top ? a.0 < c.0 : a.0 > c.0
        }
        var order: [[Int]] = Array(repeating: [], count: steps)
        for i in 0..<steps {
            try checkpoint()
            let kf = param[i]
            if kf.isNaN && isV3 { throw EvaluationError(.execution, "Parameter value is NaN") }
            // Go: int64(param) after an overflow check; values below 1 give no output for this step.
            guard !kf.isNaN, kf < 9.223372036854775807e18, kf >= -9.223372036854775808e18 else {
                throw EvaluationError(.execution, "Scalar value \(GoFormat.shortestG(kf)) overflows int64")
            }
            let k = Int(kf)
            guard k >= 1 else { continue }
            for g in 0..<groups { heaps[g].removeAll(keepingCapacity: true) }
            for (si, s) in input.enumerated() where s.present[i] {
                let g = groupOf[si]
                let x = (s.values[i], si)
                if heaps[g].count < k {
                    GoHeap.push(&heaps[g], x, less)
                } else if less(heaps[g][0], x) || heaps[g][0].0.isNaN {
                    // Replace the heap's minimum (Prometheus: pop then push, or overwrite for k == 1).
                    if k == 1 {
                        heaps[g][0] = x
                    } else {
                        _ = GoHeap.pop(&heaps[g], less)
                        GoHeap.push(&heaps[g], x, less)
                    }
                }
            }
            var emitted: [Int] = []
            for g in 0..<groups where !heaps[g].isEmpty {
                // sort.Sort(sort.Reverse(heap)): insertion-sort-stable order by reversed less.
                var h = heaps[g]
                GoSort.insertionSort(&h) { less($1, $0) }
                for (v, si) in h {
                    try b.set(slotOf[si], i, v)
                    emitted.append(si)
                }
            }
            order[i] = emitted
        }
        if steps == 1 {
            // Instant queries keep the emitted order (eval_ordered relies on it).
            var out: [StepSeries] = []
            for si in order[0] { out.append(b.series[slotOf[si]]) }
            return out
        }
        return b.finish()
    }

    /// v3 `limitk(k, v)` (first k series per group in input order) and `limit_ratio(r, v)`
    /// (a deterministic sample of series by label hash).
    func limitK(_ op: AggregationOp, _ input: [StepSeries], _ groupOf: [Int], _ groups: Int, _ param: [Double],
                _ steps: Int) throws(EvaluationError) -> [StepSeries]
    {
        var b = VectorBuilder(steps: steps)
        var slotOf: [Int] = []
        for s in input { slotOf.append(b.slot(s.labels, dropName: s.dropName)) }
        for i in 0..<steps {
            var taken = [Int](repeating: 0, count: groups)
            let p = param[i]
            if p.isNaN {
                throw EvaluationError(.execution, op == .limitk ? "Parameter value is NaN" : "Ratio value is NaN")
            }
            for (si, s) in input.enumerated() where s.present[i] {
                if op == .limitk {
                    let k = p.isNaN ? 0 : Int(Swift.max(-1e18, Swift.min(1e18, p)))
                    guard taken[groupOf[si]] < k else { continue }
                    taken[groupOf[si]] += 1
                } else {
                    let ratio = Swift.max(-1, Swift.min(1, p))
                    let h = Double(s.labels.stableHash) / Double(UInt64.max)
                    let keep = ratio >= 0 ? h < ratio : h >= 1 + ratio
                    guard keep else { continue }
                }
                try b.set(slotOf[si], i, s.values[i])
                if let h = s.histogram(i) { b.series[slotOf[si]].setHistogram(i, h) }
            }
        }
        return b.finish()
    }
}

/// Go's `container/heap` algorithms (so ties resolve as in Prometheus).
enum GoHeap {
    static func push<T>(_ h: inout [T], _ x: T, _ less: (T, T) -> Bool) {
        h.append(x)
        up(&h, h.count - 1, less)
    }

    static func pop<T>(_ h: inout [T], _ less: (T, T) -> Bool) -> T {
        let n = h.count - 1
        h.swapAt(0, n)
        down(&h, 0, n, less)
        return h.removeLast()
    }

    static func up<T>(_ h: inout [T], _ j0: Int, _ less: (T, T) -> Bool) {
        var j = j0
        while true {
            let i = (j - 1) / 2
            if i == j || j <= 0 || !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            j = i
        }
    }

    static func down<T>(_ h: inout [T], _ i0: Int, _ n: Int, _ less: (T, T) -> Bool) {
        var i = i0
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            let j2 = j1 + 1
            if j2 < n && less(h[j2], h[j1]) { j = j2 }
            if !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            i = j
        }
    }
}

/// Go's `sort.Sort` for small inputs is an insertion sort (stable); used where Prometheus's output
/// order for ties is observable.
enum GoSort {
    static func insertionSort<T>(_ a: inout [T], _ less: (T, T) -> Bool) {
        guard a.count > 1 else { return }
        for i in 1..<a.count {
            var j = i
            while j > 0 && less(a[j], a[j - 1]) {
                a.swapAt(j, j - 1)
                j -= 1
            }
        }
    }
}

/// Dense per-group, per-step accumulators for the folding aggregations (Prometheus 2.42's
/// `aggregation`: plain sum, incremental mean with infinity handling, Welford variance; v3 uses
/// Kahan-compensated sums).
struct Folder {
    let op: AggregationOp
    let steps: Int
    let kahan: Bool
    var value: [Double] = []
    var comp: [Double] = []  // Kahan compensation (sum/avg) or running mean (stddev/stdvar)
    var count: [Double] = []
    /// v3 avg: the running sum overflowed, so this group switched to an incremental mean
    /// (kept in `value`, with its compensation in `comp`).
    var incremental: [Bool] = []

    init(op: AggregationOp, steps: Int, kahan: Bool) {
        self.op = op
        self.steps = steps
        self.kahan = kahan
    }

    mutating func ensureGroups(_ n: Int) {
        let need = n * steps
        if value.count < need {
            let extra = need - value.count
            value.append(contentsOf: repeatElement(0, count: extra))
            comp.append(contentsOf: repeatElement(0, count: extra))
            count.append(contentsOf: repeatElement(0, count: extra))
            incremental.append(contentsOf: repeatElement(false, count: extra))
        }
    }

    /// Folds the present values of `s` into group `g`.
    @inline(__always)
    mutating func add(_ g: Int, _ s: StepSeries) {
        let base = g * steps
        for i in 0..<steps where s.present[i] {
            let x = s.values[i]
            let k = base + i
            let first = count[k] == 0
            count[k] += 1
            switch op {
            case .sum:
                if first {
                    value[k] = x
                } else if kahan {
                    RangeKernels.kahanAdd(x, &value[k], &comp[k])
                } else {
                    value[k] += x
                }
            case .avg:
                if first {
                    value[k] = x
                    continue
                }
                if kahan {
                    // v3: direct mean with a Kahan sum while the sum stays finite, then an
                    // incremental mean (Prometheus 3 `aggregation`, AVG).
                    let n = count[k]
                    if !incremental[k] {
                        var s = value[k], c = comp[k]
                        RangeKernels.kahanAdd(x, &s, &c)
                        if !s.isInfinite {
                            value[k] = s
                            comp[k] = c
                            continue
                        }
                        incremental[k] = true
                        value[k] = value[k] / (n - 1)
                        comp[k] = comp[k] / (n - 1)
                    }
                    let q = (n - 1) / n
                    var mean = q * value[k], c = q * comp[k]
                    RangeKernels.kahanAdd(x / n, &mean, &c)
                    value[k] = mean
                    comp[k] = c
                    continue
                }
                let mean = value[k]
                if mean.isInfinite {
                    if x.isInfinite && (mean > 0) == (x > 0) { continue }
                    if !x.isInfinite && !x.isNaN { continue }
                }
                value[k] = mean + (x / count[k] - mean / count[k])
            case .count, .group:
                value[k] = 1
            case .min:
                if first || value[k] > x || value[k].isNaN { value[k] = x }
            case .max:
                if first || value[k] < x || value[k].isNaN { value[k] = x }
            case .stddev, .stdvar:
                if first {
                    comp[k] = x
                    // v3: a NaN or infinite first value makes the group's deviation NaN.
                    value[k] = kahan && (x.isNaN || x.isInfinite) ? .nan : 0
                    continue
                }
                let delta = x - comp[k]
                comp[k] += delta / count[k]
                value[k] += delta * (x - comp[k])
            default:
                break
            }
        }
    }

    /// One output series per group with at least one value.
    func finish(_ keys: [Labels]) -> [StepSeries] {
        var out: [StepSeries] = []
        out.reserveCapacity(keys.count)
        for g in keys.indices {
            var s = StepSeries(labels: keys[g], steps: steps)
            var any = false
            for i in 0..<steps {
                let k = g * steps + i
                guard count[k] > 0 else { continue }
                any = true
                s.present[i] = true
                switch op {
                case .sum:
                    s.values[i] = kahan && !value[k].isInfinite ? value[k] + comp[k] : value[k]
                case .avg:
                    if kahan {
                        if incremental[k] {
                            s.values[i] = value[k] + comp[k]
                        } else {
                            s.values[i] = value[k].isInfinite ? value[k] / count[k] : (value[k] + comp[k]) / count[k]
                        }
                    } else {
                        s.values[i] = value[k]
                    }
                case .count: s.values[i] = count[k]
                case .group: s.values[i] = 1
                case .stdvar: s.values[i] = value[k] / count[k]
                case .stddev: s.values[i] = (value[k] / count[k]).squareRoot()
                default: s.values[i] = value[k]
                }
            }
            if any { out.append(s) }
        }
        return out
    }
}
