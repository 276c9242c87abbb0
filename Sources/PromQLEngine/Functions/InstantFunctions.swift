#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SundialCore
import PromQLSyntax

/// Go's `math.Max`: NaN wins, `+0` beats `-0`.
@inline(__always) func goMax(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && b == 0 { return a.sign == .minus ? b : a }
    return a > b ? a : b
}

/// Go's `math.Min`: NaN wins, `-0` beats `+0`.
@inline(__always) func goMin(_ a: Double, _ b: Double) -> Double {
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && b == 0 { return a.sign == .minus ? a : b }
    return a < b ? a : b
}

/// Functions over instant vectors and scalars (Prometheus `promql/functions.go`).
extension Evaluator {
    /// Applies `f` to every present value of every series, dropping `__name__`.
    func mapValues(_ input: [StepSeries], keepName: Bool = false, _ f: (Double, Int) -> Double?) throws(EvaluationError)
        -> [StepSeries]
    {
        var out: [StepSeries] = []
        out.reserveCapacity(input.count)
        for var s in input {
            var any = false
            for i in s.values.indices where s.present[i] {
                if let r = f(s.values[i], i) {
                    s.values[i] = r
                    any = true
                } else {
                    s.present[i] = false
                }
            }
            guard any else { continue }
            if !keepName { dropName(&s) }
            out.append(s)
        }
        return try checkUniqueLabels(out)
    }

    static func simpleMath(_ f: Function) -> ((Double) -> Double)? {
        switch f {
        case .abs: { Swift.abs($0) }
        case .ceil: { $0.rounded(.up) }
        case .floor: { $0.rounded(.down) }
        case .exp: { GoMath.exp($0) }
        case .sqrt: { $0.squareRoot() }
        // Go's algorithms, not glibc's: they differ in the last bit for some inputs (GoMath).
        case .ln: { GoMath.log($0) }
        case .log2: { GoMath.log2($0) }
        case .log10: { GoMath.log10($0) }
        case .sin: { Glibc.sin($0) }
        case .cos: { Glibc.cos($0) }
        case .tan: { Glibc.tan($0) }
        case .asin: { Glibc.asin($0) }
        case .acos: { Glibc.acos($0) }
        case .atan: { Glibc.atan($0) }
        case .sinh: { Glibc.sinh($0) }
        case .cosh: { Glibc.cosh($0) }
        case .tanh: { Glibc.tanh($0) }
        case .asinh: { Glibc.asinh($0) }
        case .acosh: { Glibc.acosh($0) }
        case .atanh: { Glibc.atanh($0) }
        case .deg: { $0 * 180 / Double.pi }
        case .rad: { $0 * Double.pi / 180 }
        case .sgn: { $0 < 0 ? -1 : ($0 > 0 ? 1 : $0) }
        default: nil
        }
    }

    func evalInstantFunction(_ call: Call, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        let f = call.function
        let args = call.args
        if let r = try evalNativeHistogramFunction(call, grid) { return r }
        if let m = Evaluator.simpleMath(f) {
            return .vector(try mapValues(try evalVector(args[0], grid)) { v, _ in m(v) })
        }
        switch f {
        case .time:
            return .scalar((0..<grid.count).map { Double(grid.time($0)) / 1000 })
        case .pi:
            return .scalar([Double](repeating: Double.pi, count: grid.count))
        case .start:
            return .scalar([Double](repeating: Double(queryStart) / 1000, count: grid.count))
        case .end:
            return .scalar([Double](repeating: Double(queryEnd) / 1000, count: grid.count))
        case .range:
            return .scalar([Double](repeating: Double(queryEnd - queryStart) / 1000, count: grid.count))
        case .step:
            return .scalar([Double](repeating: Double(queryStep) / 1000, count: grid.count))
        case .minOf, .maxOf:
            let a = try evalScalar(args[0], grid), b = try evalScalar(args[1], grid)
            return .scalar((0..<grid.count).map { f == .minOf ? goMin(a[$0], b[$0]) : goMax(a[$0], b[$0]) })
        case .startTimestamp:
            // Prometheus 3 (start_timestamps.test): the start timestamp (s) of each sample an
            // instant selector picks, float or histogram, 0 for a sample without one; over any
            // other expression the start timestamps are gone and the result is empty. No storage
            // keeps start timestamps yet (docs/start-timestamps.md), so every sample reads 0.
            guard case .vectorSelector = args[0].unparenthesized else {
                _ = try evalVectorWithHistograms(args[0], grid)
                return .vector([])
            }
            var v = try evalVectorWithHistograms(args[0], grid)
            for k in v.indices { v[k].histograms = [] }
            return .vector(try mapValues(v) { _, _ in 0 })
        case .vector:
            let xs = try evalScalar(args[0], grid)
            var s = StepSeries(labels: Labels(), steps: grid.count)
            s.values = xs
            s.present = [Bool](repeating: true, count: grid.count)
            return .vector([s])
        case .scalar:
            let v = try evalVector(args[0], grid)
            var out = [Double](repeating: .nan, count: grid.count)
            var counts = [Int](repeating: 0, count: grid.count)
            for s in v {
                for i in 0..<grid.count where s.present[i] {
                    counts[i] += 1
                    out[i] = s.values[i]
                }
            }
            for i in 0..<grid.count where counts[i] != 1 { out[i] = .nan }
            return .scalar(out)
        case .timestamp:
            if case .vectorSelector(let vs) = args[0].unparenthesized {
                var v = try evalVectorSelector(vs, grid, sampleTimestamps: true)
                for k in v.indices { v[k].histograms = [] }  // values hold the sample times
                return .vector(try mapValues(v) { x, _ in x })
            }
            var v = try evalVectorWithHistograms(args[0], grid)
            for k in v.indices { v[k].histograms = [] }  // every sample becomes the step's time
            return .vector(try mapValues(v) { _, i in Double(grid.time(i)) / 1000 })
        case .absent:
            let v = try evalVectorWithHistograms(args[0], grid)
            var labels = Labels()
            if case .vectorSelector(let vs) = args[0].unparenthesized { labels = Evaluator.absentLabels(vs) }
            var s = StepSeries(labels: labels, steps: grid.count)
            var any = false
            for i in 0..<grid.count where !v.contains(where: { $0.present[i] }) {
                s.present[i] = true
                s.values[i] = 1
                any = true
            }
            return .vector(any ? [s] : [])
        case .round:
            let v = try evalVector(args[0], grid)
            let nearest = args.count > 1 ? try evalScalar(args[1], grid) : [Double](repeating: 1, count: grid.count)
            return .vector(try mapValues(v) { x, i in
                let inv = 1.0 / nearest[i]
                return (x * inv + 0.5).rounded(.down) / inv
            })
        case .clamp:
            let v = try evalVector(args[0], grid)
            let lo = try evalScalar(args[1], grid), hi = try evalScalar(args[2], grid)
            return .vector(try mapValues(v) { x, i in
                if hi[i] < lo[i] { return nil }
                return goMax(lo[i], goMin(hi[i], x))
            })
        case .clampMax:
            let v = try evalVector(args[0], grid)
            let hi = try evalScalar(args[1], grid)
            return .vector(try mapValues(v) { x, i in goMin(hi[i], x) })
        case .clampMin:
            let v = try evalVector(args[0], grid)
            let lo = try evalScalar(args[1], grid)
            return .vector(try mapValues(v) { x, i in goMax(lo[i], x) })
        case .sort, .sortDesc:
            checkSortInRange(call, grid)
            var v = try evalVector(args[0], grid)
            if grid.count == 1 {
                // NaN sorts last in both directions (Prometheus `funcSort`/`funcSortDesc`).
                let desc = f == .sortDesc
                v = stableSorted(v) { a, b in
                    let x = a.values[0], y = b.values[0]
                    if x.isNaN { return false }
                    if y.isNaN { return true }
                    return desc ? x > y : x < y
                }
            }
            return .vector(v)
        case .sortByLabel, .sortByLabelDesc:
            checkSortInRange(call, grid)
            var v = try evalVector(args[0], grid)
            var names: [String] = []
            for a in args.dropFirst() { names.append(try evalString(a, grid)) }
            let desc = f == .sortByLabelDesc
            v = stableSorted(v) { a, b in
                for n in names {
                    let x = a.labels.get(n) ?? "", y = b.labels.get(n) ?? ""
                    if x != y { return desc ? NaturalSort.less(y, x) : NaturalSort.less(x, y) }
                }
                let c = Labels.compare(a.labels, b.labels)
                return desc ? c > 0 : c < 0
            }
            return .vector(v)
        case .info where isV3:
            return .vector(try evalInfo(call, grid))
        case .labelReplace:
            return .vector(try labelReplace(call, grid))
        case .labelJoin:
            return .vector(try labelJoin(call, grid))
        case .histogramQuantile:
            let q = try evalScalar(args[0], grid)
            checkQuantileParams(q, args[0])
            let v = try evalVector(args[1], grid)
            var notes = HistogramQuantile.Notes()
            let out = try HistogramQuantile.evaluate(q: q, input: v, steps: grid.count, delayedName: delaysNameRemoval, v3: isV3,
                                                     notes: &notes)
            annotateClassicBuckets(notes, args[1])
            return .vector(out)
        case .histogramQuantiles where isV3:
            // v3 `histogram_quantiles(v, "label", φ1, ...)`: one output per φ, labelled with it.
            let v = try evalVector(args[0], grid)
            let label = try evalString(args[1], grid)
            if !Evaluator.isValidUTF8LabelName(label) {
                throw EvaluationError(.execution, "invalid quantile label name: \(label)")
            }
            var out: [StepSeries] = []
            for a in args.dropFirst(2) {
                let q = try evalScalar(a, grid)
                checkQuantileParams(q, a)
                var notes = HistogramQuantile.Notes()
                var part = try HistogramQuantile.evaluate(q: q, input: v, steps: grid.count, delayedName: delaysNameRemoval, v3: isV3,
                                                          notes: &notes)
                annotateClassicBuckets(notes, args[0])
                // One φ per argument: its label value is fixed over the steps (Go `FormatOpenMetricsFloat`).
                let text = GoFormat.openMetricsFloat(q.first ?? .nan)
                for k in part.indices { part[k].labels = part[k].labels.setting(label, to: text) }
                out += part
            }
            return .vector(try checkUniqueLabels(out))
        case .daysInMonth, .dayOfMonth, .dayOfWeek, .dayOfYear, .hour, .minute, .month, .year:
            let v: [StepSeries]
            if args.isEmpty {
                var s = StepSeries(labels: Labels(), steps: grid.count)
                for i in 0..<grid.count {
                    s.present[i] = true
                    s.values[i] = Double(grid.time(i)) / 1000
                }
                v = [s]
            } else {
                v = try evalVector(args[0], grid)
            }
            return .vector(try mapValues(v) { x, _ in DateParts.apply(f, x) })
        case .histogramFraction where isV3:
            let lo = try evalScalar(args[0], grid), hi = try evalScalar(args[1], grid)
            let v = try evalVector(args[2], grid)
            var notes = HistogramQuantile.Notes()
            let out = try HistogramQuantile.fraction(lower: lo, upper: hi, input: v, steps: grid.count,
                                                     delayedName: delaysNameRemoval, v3: isV3, notes: &notes)
            annotateClassicBuckets(notes, args[2])
            return .vector(out)
        case .histogramCount, .histogramSum, .histogramAvg, .histogramFraction, .histogramStddev, .histogramStdvar:
            // Native-histogram functions ignore float samples.
            for a in args { _ = try eval(a, grid) }
            return .vector([])
        default:
            throw EvaluationError(.execution, "function \(f.rawValue) is not supported")
        }
    }

    /// A stable sort (Go's sort for the small inputs the PromQL tests use behaves stably).
    func stableSorted(_ v: [StepSeries], by less: (StepSeries, StepSeries) -> Bool) -> [StepSeries] {
        let idx = v.indices.sorted { a, b in
            if less(v[a], v[b]) { return true }
            if less(v[b], v[a]) { return false }
            return a < b
        }
        return idx.map { v[$0] }
    }
}

/// Calendar parts of Unix-second timestamps in UTC (Prometheus `dateWrapper` functions).
enum DateParts {
    static func apply(_ f: Function, _ seconds: Double) -> Double? {
        guard seconds.isFinite, Swift.abs(seconds) < 1e17 else { return .nan }
        let secs = Int64(seconds)  // Go: time.Unix(int64(v), 0), truncating
        var days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let secOfDay = secs - days * 86400
        let (y, m, d) = CivilDate.fromDays(days)
        switch f {
        case .hour: return Double(secOfDay / 3600)
        case .minute: return Double((secOfDay % 3600) / 60)
        case .year: return Double(y)
        case .month: return Double(m)
        case .dayOfMonth: return Double(d)
        case .dayOfWeek:
            // 1970-01-01 was a Thursday (4).
            var w = (days + 4) % 7
            if w < 0 { w += 7 }
            return Double(w)
        case .dayOfYear:
            days -= CivilDate.days(year: y, month: 1, day: 1)
            return Double(days + 1)
        case .daysInMonth:
            let next = m == 12 ? CivilDate.days(year: y + 1, month: 1, day: 1) : CivilDate.days(year: y, month: m + 1, day: 1)
            return Double(next - CivilDate.days(year: y, month: m, day: 1))
        default: return nil
        }
    }
}

/// Natural ("version") string order used by v3 `sort_by_label`: digit runs compare numerically.
enum NaturalSort {
    static func less(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        while i < x.count && j < y.count {
            let cx = x[i], cy = y[j]
            let dx = cx >= 48 && cx <= 57, dy = cy >= 48 && cy <= 57
            if dx && dy {
                var ie = i, je = j
                while ie < x.count && x[ie] >= 48 && x[ie] <= 57 { ie += 1 }
                while je < y.count && y[je] >= 48 && y[je] <= 57 { je += 1 }
                var ti = i, tj = j
                while ti < ie - 1 && x[ti] == 48 { ti += 1 }
                while tj < je - 1 && y[tj] == 48 { tj += 1 }
                if ie - ti != je - tj { return ie - ti < je - tj }
                for k in 0..<(ie - ti) where x[ti + k] != y[tj + k] { return x[ti + k] < y[tj + k] }
                i = ie
                j = je
            } else {
                if cx != cy { return cx < cy }
                i += 1
                j += 1
            }
        }
        return x.count - i < y.count - j
    }
}
