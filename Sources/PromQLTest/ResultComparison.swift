import SundialCore
import PromQLEngine

/// Comparison of results with expectations, with Prometheus's float tolerance (`almostEqual`,
/// relative 1e-6; NaN equals NaN; stale markers are NaN).
enum ResultComparison {
    static let epsilon = 1e-6
    static let minNormal = 2.2250738585072014e-308

    static func almostEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let diff = Swift.abs(a - b)
        if a == 0 || b == 0 || diff < minNormal { return diff < epsilon * minNormal }
        return diff / (Swift.abs(a) + Swift.abs(b)) < epsilon
    }

    static func format(_ v: Double) -> String { "\(v)" }

    static func compareInstant(_ value: QueryValue, _ e: EvalCommand) -> EvalOutcome.Status {
        switch (value, e.expected) {
        case (.scalar(_, let v), .scalar(let x)):
            return almostEqual(v, x) ? .passed : .failed("expected scalar \(format(x)), got \(format(v))")
        case (.scalar(_, let v), .series(let s)) where s.isEmpty:
            return .failed("expected empty vector, got scalar \(format(v))")
        case (.string(_, let v), .string(let x)):
            return v == x ? .passed : .failed("expected string \(x), got \(v)")
        case (.vector(let vec), .series(let exp)):
            if vec.count != exp.count {
                return .failed("expected \(exp.count) samples, got \(vec.count): \(describe(vec)) vs expected \(describe(exp))")
            }
            var byLabels: [Labels: (Int, SeriesValue)] = [:]
            for (i, x) in exp.enumerated() {
                guard x.values.count == 1 else { return .failed("expected one value for \(x.labels)") }
                switch x.values[0] {
                case .gap: return .failed("expected one value for \(x.labels)")
                default: byLabels[x.labels] = (i, x.values[0])
                }
            }
            for (pos, s) in vec.enumerated() {
                guard let (i, v) = byLabels[s.labels] else {
                    return .failed("unexpected series \(s.labels) \(format(s)); expected \(describe(exp))")
                }
                if e.ordered && i != pos {
                    return .failed("expected \(s.labels) at position \(i), got it at \(pos)")
                }
                switch (v, s.histogram) {
                case (.float(let x), nil):
                    if !almostEqual(s.value, x) {
                        return .failed("expected \(format(x)) for \(s.labels), got \(format(s.value))")
                    }
                case (.float(let x), .some(let h)):
                    return .failed("expected float value \(format(x)) for \(s.labels) but got histogram \(h)")
                case (.histogram(let x, _), nil):
                    return .failed("expected histogram \(x) for \(s.labels) but got float value \(format(s.value))")
                case (.histogram(let x, let hintSet), .some(let h)):
                    if !x.matches(h, compareHint: hintSet, almostEqual: almostEqual) {
                        return .failed("expected \(x) for \(s.labels) but got \(h)")
                    }
                default:
                    return .failed("unexpected expectation for \(s.labels)")
                }
            }
            return .passed
        case (.matrix(let m), .rangeVector(let start, _, let step, let exp)):
            return compareMatrix(m, exp, start: start, step: step)
        case (.matrix(let m), .series(let exp)) where exp.isEmpty && m.isEmpty:
            return .passed
        default:
            return .failed("result type \(value.resultType) does not match the expectation")
        }
    }

    static func compareRange(_ value: QueryValue, _ e: EvalCommand) -> EvalOutcome.Status {
        guard case .matrix(let m) = value else { return .failed("range query returned \(value.resultType)") }
        switch e.expected {
        case .series(let exp): return compareMatrix(m, exp, start: e.start, step: e.step)
        case .scalar(let x):
            return compareMatrix(m, [(Labels(), [SeriesValue](repeating: .float(x), count: m.first?.values.count ?? 1))],
                                 start: e.start, step: e.step)
        default: return .failed("unexpected expectation for a range eval")
        }
    }

    static func compareMatrix(_ m: [SeriesResult], _ exp: [(labels: Labels, values: [SeriesValue])], start: Int64,
                              step: Int64) -> EvalOutcome.Status {
        if m.count != exp.count {
            return .failed("expected \(exp.count) series, got \(m.count): \(m.map { $0.labels.description })")
        }
        var byLabels: [Labels: [SeriesValue]] = [:]
        for x in exp { byLabels[x.labels] = x.values }
        for s in m {
            guard let vals = byLabels[s.labels] else { return .failed("unexpected series \(s.labels)") }
            var ts: [Int64] = []
            var vs: [Double] = []
            var hts: [Int64] = []
            var hs: [(FloatHistogram, Bool)] = []
            for (i, v) in vals.enumerated() {
                switch v {
                case .float(let x):
                    ts.append(start + Int64(i) * step)
                    vs.append(x)
                case .histogram(let h, let hintSet):
                    hts.append(start + Int64(i) * step)
                    hs.append((h, hintSet))
                case .gap:
                    break
                }
            }
            if ts != s.timestamps {
                return .failed("series \(s.labels): expected float points at \(ts), got \(s.timestamps) (values \(s.values))")
            }
            for k in vs.indices where !almostEqual(vs[k], s.values[k]) {
                return .failed("series \(s.labels) at \(ts[k]): expected \(format(vs[k])), got \(format(s.values[k]))")
            }
            if hts != s.histogramTimestamps {
                return .failed("series \(s.labels): expected histogram points at \(hts), got \(s.histogramTimestamps)")
            }
            for k in hs.indices where !hs[k].0.matches(s.histograms[k], compareHint: hs[k].1, almostEqual: almostEqual) {
                return .failed("series \(s.labels) at \(hts[k]): expected \(hs[k].0), got \(s.histograms[k])")
            }
        }
        return .passed
    }

    static func format(_ s: VectorSample) -> String {
        if let h = s.histogram { return h.description }
        return format(s.value)
    }

    static func describe(_ v: [VectorSample]) -> String {
        "[" + v.map { "\($0.labels) \(format($0))" }.joined(separator: ", ") + "]"
    }

    static func describe(_ v: [(labels: Labels, values: [SeriesValue])]) -> String {
        "[" + v.map { x in
            let vals = x.values.map { v -> String in
                switch v {
                case .float(let f): return format(f)
                case .histogram(let h, _): return h.description
                case .gap: return "_"
                }
            }
            return "\(x.labels) \(vals.joined(separator: " "))"
        }.joined(separator: ", ") + "]"
    }
}
