#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SundialCore
import PromQLSyntax

/// Binary operators (Prometheus `VectorBinop`, `VectorscalarBinop`, `scalarBinop`,
/// `vectorElemBinop`, v2.42.0).
enum BinaryArithmetic {
    /// Go's `math.Mod` (result has the sign of `x`).
    @inline(__always) static func mod(_ x: Double, _ y: Double) -> Double { fmod(x, y) }

    /// `lhs op rhs` for arithmetic; for comparisons `(lhs, keep)`.
    @inline(__always)
    static func apply(_ op: BinaryOp, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .pow: return (GoMath.pow(l, r), true)
        case .mod: return (mod(l, r), true)
        case .atan2: return (Glibc.atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, true)
        // v3 histogram trimming: not defined on floats, so float samples produce nothing.
        case .trimUpper, .trimLower: return (l, false)
        }
    }

    /// Operators whose result drops `__name__` (Prometheus `shouldDropMetricName`; v3 adds `atan2`).
    static func dropsName(_ op: BinaryOp, v3: Bool = false) -> Bool {
        switch op {
        case .add, .sub, .mul, .div, .pow, .mod: true
        case .atan2: v3
        default: false
        }
    }
}

extension Evaluator {
    func evalBinary(_ b: BinaryExpr, _ grid: StepGrid) throws(EvaluationError) -> EvalValue {
        let lhs = try eval(b.lhs, grid)
        let rhs = try eval(b.rhs, grid)
        switch (lhs, rhs) {
        case (.scalar(let l), .scalar(let r)):
            var out = [Double](repeating: 0, count: grid.count)
            for i in 0..<grid.count {
                let (v, keep) = BinaryArithmetic.apply(b.op, l[i], r[i])
                out[i] = b.op.isComparison ? (keep ? 1 : 0) : v
            }
            return .scalar(out)
        case (.vector(let l), .scalar(let r)):
            if l.contains(where: { $0.hasHistograms }) { return .vector(try vectorScalarWithHistograms(b, l, r, swap: false)) }
            return .vector(try vectorScalar(b, l, r, swap: false))
        case (.scalar(let l), .vector(let r)):
            if r.contains(where: { $0.hasHistograms }) { return .vector(try vectorScalarWithHistograms(b, r, l, swap: true)) }
            return .vector(try vectorScalar(b, r, l, swap: true))
        case (.vector(var l), .vector(var r)):
            switch b.op {
            case .and, .or, .unless:
                return .vector(try setOperation(b, l, r, grid.count))
            default:
                if l.contains(where: { $0.hasHistograms }) || r.contains(where: { $0.hasHistograms }) {
                    if b.matching?.fillLeft == nil && b.matching?.fillRight == nil {
                        return .vector(try vectorVectorWithHistograms(b, l, r, grid.count))
                    }
                    dropHistogramSamples(&l)
                    dropHistogramSamples(&r)
                }
                return .vector(try vectorVector(b, l, r, grid.count))
            }
        default:
            throw EvaluationError(.execution, "binary expression must contain only scalar and instant vector types")
        }
    }

    func vectorScalar(_ b: BinaryExpr, _ vec: [StepSeries], _ sc: [Double], swap: Bool) throws(EvaluationError)
        -> [StepSeries]
    {
        let comparison = b.op.isComparison
        let drop = BinaryArithmetic.dropsName(b.op, v3: isV3) || b.returnBool
        var out: [StepSeries] = []
        out.reserveCapacity(vec.count)
        for var s in vec {
            var any = false
            for i in s.values.indices where s.present[i] {
                var l = s.values[i], r = sc[i]
                if swap { Swift.swap(&l, &r) }
                var (v, keep) = BinaryArithmetic.apply(b.op, l, r)
                // A scalar on the left of a comparison still yields the vector's value.
                if comparison && swap { v = r }
                if b.returnBool {
                    v = keep ? 1 : 0
                    keep = true
                }
                if keep {
                    s.values[i] = v
                    any = true
                } else {
                    s.present[i] = false
                }
            }
            guard any else { continue }
            if drop { dropName(&s) }
            out.append(s)
        }
        return drop ? try checkUniqueLabels(out) : out
    }

    /// The matching signature of a series (Prometheus `signatureFunc`): `on` keeps the listed
    /// labels, otherwise all labels but the listed ones and `__name__`.
    static func signature(_ l: Labels, _ m: VectorMatching) -> Labels {
        m.on ? l.keeping(m.matchingLabels) : l.removing(m.matchingLabels + [Labels.metricName])
    }

    /// `and`, `or`, `unless` (many-to-many).
    func setOperation(_ b: BinaryExpr, _ l: [StepSeries], _ r: [StepSeries], _ steps: Int) throws(EvaluationError)
        -> [StepSeries]
    {
        let m = b.matching ?? VectorMatching(cardinality: .manyToMany)
        var sigIDs: [Labels: Int] = [:]
        func id(_ s: Labels) -> Int {
            if let i = sigIDs[s] { return i }
            let i = sigIDs.count
            sigIDs[s] = i
            return i
        }
        let lsig = l.map { id(Evaluator.signature($0.labels, m)) }
        let rsig = r.map { id(Evaluator.signature($0.labels, m)) }
        let nsig = sigIDs.count
        // presence[sig * steps + i]: the other side has a series with this signature at step i.
        func presence(_ side: [StepSeries], _ sigs: [Int]) -> [Bool] {
            var p = [Bool](repeating: false, count: nsig * steps)
            for (k, s) in side.enumerated() {
                for i in 0..<steps where s.present[i] { p[sigs[k] * steps + i] = true }
            }
            return p
        }
        switch b.op {
        case .and, .unless:
            let rp = presence(r, rsig)
            let keepIfPresent = b.op == .and
            var out: [StepSeries] = []
            for (k, var s) in l.enumerated() {
                var any = false
                for i in 0..<steps where s.present[i] {
                    if rp[lsig[k] * steps + i] != keepIfPresent { s.present[i] = false } else { any = true }
                }
                if any { out.append(s) }
            }
            return out
        default:  // or
            let lp = presence(l, lsig)
            var out = l
            for (k, var s) in r.enumerated() {
                var any = false
                for i in 0..<steps where s.present[i] {
                    if lp[rsig[k] * steps + i] { s.present[i] = false } else { any = true }
                }
                if any { out.append(s) }
            }
            return try checkUniqueLabels(out)
        }
    }

    /// Arithmetic and comparisons between two vectors with one-to-one, many-to-one or one-to-many
    /// matching, including Prometheus's errors for ambiguous matches.
    func vectorVector(_ b: BinaryExpr, _ lhs: [StepSeries], _ rhs: [StepSeries], _ steps: Int) throws(EvaluationError)
        -> [StepSeries]
    {
        let m = b.matching ?? VectorMatching()
        // group_right: swap so that `many` is always the left side.
        let swapped = m.cardinality == .oneToMany
        let many = swapped ? rhs : lhs
        let one = swapped ? lhs : rhs
        var sigIDs: [Labels: Int] = [:]
        var sigLabels: [Labels] = []
        func id(_ s: Labels) -> Int {
            if let i = sigIDs[s] { return i }
            let i = sigLabels.count
            sigIDs[s] = i
            sigLabels.append(s)
            return i
        }
        let manySig = many.map { id(Evaluator.signature($0.labels, m)) }
        let oneSig = one.map { id(Evaluator.signature($0.labels, m)) }
        let nsig = sigLabels.count
        var b2 = VectorBuilder(steps: steps)
        var oneAt = [Int](repeating: -1, count: nsig)
        var matched = [Int](repeating: -1, count: nsig)  // one-to-one: which many-series matched
        var manyAt = [Bool](repeating: false, count: nsig)  // v3 fill: a many-series had this signature
        let fillMany = m.fillLeft, fillOne = m.fillRight
        var touched: [Int] = []
        // Output slot cache per (many, one) pair.
        var slotCache: [Int: Int] = [:]
        // group_left/right: detect two outputs with equal label sets at a step.
        let oneSideName = swapped ? "left" : "right"
        let drop = BinaryArithmetic.dropsName(b.op, v3: isV3)
        let delayed = delaysNameRemoval
        for i in 0..<steps {
            try checkpoint()
            for sg in touched {
                oneAt[sg] = -1
                matched[sg] = -1
                manyAt[sg] = false
            }
            touched.removeAll(keepingCapacity: true)
            for (k, s) in one.enumerated() where s.present[i] {
                let sg = oneSig[k]
                if oneAt[sg] >= 0 {
                    throw EvaluationError(.execution, "found duplicate series for the match group \(sigLabels[sg]) on the \(oneSideName) hand-side of the operation: [\(s.labels), \(one[oneAt[sg]].labels)];many-to-many matching not allowed: matching labels must be unique on one side")
                }
                oneAt[sg] = k
                touched.append(sg)
            }
            for (k, s) in many.enumerated() where s.present[i] {
                let sg = manySig[k]
                let o = oneAt[sg]
                if fillMany != nil && !manyAt[sg] {
                    manyAt[sg] = true
                    if o < 0 { touched.append(sg) }
                }
                guard o >= 0 else {
                    // v3 `fill_right` (the "one" side): a missing match takes the fill value.
                    if let f = fillOne {
                        var vl = s.values[i], vr = f
                        if swapped { Swift.swap(&vl, &vr) }
                        var (v, keep) = BinaryArithmetic.apply(b.op, vl, vr)
                        if b.returnBool { v = keep ? 1 : 0; keep = true }
                        if keep {
                            let labels = Evaluator.resultLabels(s.labels, Labels(), m, dropName: (drop || b.returnBool) && !delayed, v3: isV3)
                            try b2.set(b2.slot(labels, dropName: delayed && (drop || b.returnBool || s.dropName)), i, v)
                        }
                    }
                    continue
                }
                var vl = s.values[i], vr = one[o].values[i]
                if swapped { Swift.swap(&vl, &vr) }
                var (v, keep) = BinaryArithmetic.apply(b.op, vl, vr)
                // v3 detects ambiguous one-to-one matches even when the comparison filters them out.
                if isV3 && m.cardinality == .oneToOne {
                    if matched[sg] >= 0 {
                        throw EvaluationError(.execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                    matched[sg] = k
                }
                if b.returnBool {
                    v = keep ? 1 : 0
                } else if !keep {
                    continue
                }
                if !isV3 && m.cardinality == .oneToOne {
                    if matched[sg] >= 0 {
                        throw EvaluationError(.execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                    matched[sg] = k
                }
                let cacheKey = k &* (one.count + 1) &+ o
                let slot: Int
                if let c = slotCache[cacheKey] {
                    slot = c
                } else {
                    let labels = Evaluator.resultLabels(s.labels, one[o].labels, m, dropName: (drop || b.returnBool) && !delayed, v3: isV3)
                    slot = b2.slot(labels, dropName: delayed && (drop || b.returnBool || s.dropName))
                    slotCache[cacheKey] = slot
                }
                if b2.series[slot].present[i] {
                    if m.cardinality == .oneToOne {
                        throw EvaluationError(.execution, "vector cannot contain metrics with the same labelset")
                    }
                    throw EvaluationError(.execution, "multiple matches for labels: grouping labels must ensure unique matches")
                }
                try b2.set(slot, i, v)
            }
            // v3 `fill_left` (the "many" side): a "one" series without any match produces one sample
            // labelled with its match group.
            if let f = fillMany {
                for (k, s) in one.enumerated() where s.present[i] && !manyAt[oneSig[k]] {
                    var vl = f, vr = s.values[i]
                    if swapped { Swift.swap(&vl, &vr) }
                    var (v, keep) = BinaryArithmetic.apply(b.op, vl, vr)
                    if b.returnBool { v = keep ? 1 : 0; keep = true }
                    if keep { try b2.set(b2.slot(sigLabels[oneSig[k]]), i, v) }
                }
            }
        }
        return b2.finish()
    }

    /// Labels of a vector/vector result (Prometheus `resultMetric`): the "many" side's labels,
    /// without `__name__` for arithmetic, reduced to the `on` labels (or without the `ignoring`
    /// ones) for one-to-one matching, plus the `group_x` extra labels from the "one" side.
    static func resultLabels(_ many: Labels, _ one: Labels, _ m: VectorMatching, dropName: Bool, v3: Bool) -> Labels {
        var l = dropName ? many.droppingName(v3: v3) : many
        if m.cardinality == .oneToOne {
            l = m.on ? l.keeping(m.matchingLabels) : l.removing(m.matchingLabels)
        }
        for name in m.include {
            l = l.setting(name, to: one.get(name) ?? "")
        }
        return l
    }
}
