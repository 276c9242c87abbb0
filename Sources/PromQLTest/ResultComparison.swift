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
            var byLabels: [Labels: (Int, Double)] = [:]
            for (i, x) in exp.enumerated() {
                guard x.values.count == 1, case .float(let v) = x.values[0] else {
                    return .failed("expected one value for \(x.labels)")
                }
                byLabels[x.labels] = (i, v)
            }
            for (pos, s) in vec.enumerated() {
                guard let (i, v) = byLabels[s.labels] else {
                    return .failed("unexpected series \(s.labels) \(format(s.value)); expected \(describe(exp))")
                }
                if e.ordered && i != pos {
                    return .failed("expected \(s.labels) at position \(i), got it at \(pos)")
                }
                if !almostEqual(s.value, v) {
                    return .failed("expected \(format(v)) for \(s.labels), got \(format(s.value))")
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
            for (i, v) in vals.enumerated() {
                if case .float(let x) = v {
                    ts.append(start + Int64(i) * step)
                    vs.append(x)
                }
            }
            if ts != s.timestamps {
                return .failed("series \(s.labels): expected points at \(ts), got \(s.timestamps) (values \(s.values))")
            }
            for k in vs.indices where !almostEqual(vs[k], s.values[k]) {
                return .failed("series \(s.labels) at \(ts[k]): expected \(format(vs[k])), got \(format(s.values[k]))")
            }
        }
        return .passed
    }

    static func describe(_ v: [VectorSample]) -> String {
        "[" + v.map { "\($0.labels) \(format($0.value))" }.joined(separator: ", ") + "]"
    }

    static func describe(_ v: [(labels: Labels, values: [SeriesValue])]) -> String {
        "[" + v.map { x in
            let vals = x.values.map { v -> String in
                if case .float(let f) = v { return format(f) }
                return "_"
            }
            return "\(x.labels) \(vals.joined(separator: " "))"
        }.joined(separator: ", ") + "]"
    }
}
