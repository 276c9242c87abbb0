import SundialCore
import PromQLSyntax

/// Binary operators with native-histogram operands (Prometheus 3 `vectorElemBinop`,
/// docs/querying/operators.md "Native histograms"): histogram ± histogram, histogram × float,
/// float × histogram, histogram ÷ float; `==`/`!=` between histograms; every other combination
/// drops the sample (with an info annotation upstream). Only used when an operand holds
/// histograms, so float evaluation is unchanged.
extension Evaluator {
    /// A sample value: float or histogram.
    enum Sample {
        case float(Double)
        case histogram(FloatHistogram)
    }

    /// `l op r`; nil drops the sample.
    func histogramBinop(_ op: BinaryOp, _ l: Sample, _ r: Sample, returnBool: Bool, pos: SourceRange?) -> Sample? {
        func incompatible(_ lt: String, _ rt: String) -> Sample? {
            annotate(.incompatibleTypesInBinOp(lt, op.description, rt, pos))
            return nil
        }
        switch (l, r) {
        case (.float(let a), .float(let b)):
            var (v, keep) = BinaryArithmetic.apply(op, a, b)
            if returnBool { v = keep ? 1 : 0; keep = true }
            return keep ? .float(v) : nil
        case (.histogram(let a), .histogram(let b)):
            switch op {
            case .add, .sub:
                var notes = HistogramCombineNotes()
                do throws(HistogramCombineError) {
                    var h = try a.combined(with: b, sign: op == .add ? 1 : -1, notes: &notes)
                    if op == .sub { h.counterResetHint = .gauge }
                    if notes.reconciledCustomBounds {
                        annotate(.mismatchedCustomBuckets(op == .add ? "addition" : "subtraction", pos))
                    }
                    if notes.counterResetCollision {
                        annotate(.histogramCounterResetCollision(op == .add ? "addition" : "subtraction", pos))
                    }
                    return .histogram(h.compacted())
                } catch {
                    annotate(.incompatibleBucketLayoutInBinOp(op.description, pos))
                    return nil
                }
            case .eql, .neq:
                let equal = a.sameValue(as: b)
                let keep = op == .eql ? equal : !equal
                if returnBool { return .float(keep ? 1 : 0) }
                return keep ? l : nil
            default:
                return incompatible("histogram", "histogram")
            }
        case (.histogram(let h), .float(let f)):
            switch op {
            case .mul: return .histogram(h.scaled(by: f))
            case .div: return .histogram(h.divided(by: f))
            case .trimUpper: return .histogram(h.trimmed(at: f, keepAbove: false))
            case .trimLower: return .histogram(h.trimmed(at: f, keepAbove: true))
            default: return incompatible("histogram", "float")
            }
        case (.float(let f), .histogram(let h)):
            return op == .mul ? .histogram(h.scaled(by: f)) : incompatible("float", "histogram")
        }
    }

    @inline(__always)
    func sample(_ s: StepSeries, _ i: Int) -> Sample {
        if let h = s.histogram(i) { return .histogram(h) }
        return .float(s.values[i])
    }

    /// Vector ⊕ scalar when the vector holds histograms (see ``vectorScalar(_:_:_:swap:)``).
    func vectorScalarWithHistograms(_ b: BinaryExpr, _ vec: [StepSeries], _ sc: [Double], swap: Bool)
        throws(EvaluationError) -> [StepSeries]
    {
        let comparison = b.op.isComparison
        let drop = BinaryArithmetic.dropsName(b.op, v3: isV3) || b.returnBool
        var out: [StepSeries] = []
        for var s in vec {
            var any = false
            for i in s.values.indices where s.present[i] {
                let x = sample(s, i)
                let r = swap ? histogramBinop(b.op, .float(sc[i]), x, returnBool: b.returnBool, pos: b.position)
                    : histogramBinop(b.op, x, .float(sc[i]), returnBool: b.returnBool, pos: b.position)
                switch r {
                case nil:
                    s.clear(i)
                case .float(let v)?:
                    // A scalar on the left of a filtering comparison still yields the vector's value.
                    if comparison && swap && !b.returnBool, case .float(let own) = x { s.setFloat(i, own) } else { s.setFloat(i, v) }
                    any = true
                case .histogram(let h)?:
                    s.setHistogram(i, h)
                    any = true
                }
            }
            guard any else { continue }
            s.shrinkHistograms()
            if drop { dropName(&s) }
            out.append(s)
        }
        return drop ? try checkUniqueLabels(out) : out
    }

    /// Vector ⊕ vector when a side holds histograms: the matching of ``vectorVector(_:_:_:_:)``
    /// (one-to-one, group_left, group_right, with its errors), values by ``histogramBinop``.
    func vectorVectorWithHistograms(_ b: BinaryExpr, _ lhs: [StepSeries], _ rhs: [StepSeries], _ steps: Int)
        throws(EvaluationError) -> [StepSeries]
    {
        let m = b.matching ?? VectorMatching()
        let swapped = m.cardinality == .oneToMany
        let many = swapped ? rhs : lhs
        let one = swapped ? lhs : rhs
        let manySig = many.map { Evaluator.signature($0.labels, m) }
        let oneSig = one.map { Evaluator.signature($0.labels, m) }
        let oneSideName = swapped ? "left" : "right"
        let drop = BinaryArithmetic.dropsName(b.op, v3: isV3)
        let delayed = delaysNameRemoval
        var outIndex: [Labels: Int] = [:]
        var out: [StepSeries] = []
        for i in 0..<steps {
            try checkpoint()
            var oneAt: [Labels: Int] = [:]
            for (k, s) in one.enumerated() where s.present[i] {
                if let prev = oneAt[oneSig[k]] {
                    throw EvaluationError(.execution, "found duplicate series for the match group \(oneSig[k]) on the \(oneSideName) hand-side of the operation: [\(s.labels), \(one[prev].labels)];many-to-many matching not allowed: matching labels must be unique on one side")
                }
                oneAt[oneSig[k]] = k
            }
            var matched: [Labels: Int] = [:]
            for (k, s) in many.enumerated() where s.present[i] {
                guard let o = oneAt[manySig[k]] else { continue }
                if m.cardinality == .oneToOne {
                    if matched[manySig[k]] != nil {
                        throw EvaluationError(.execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                    matched[manySig[k]] = k
                }
                let l = swapped ? sample(one[o], i) : sample(s, i)
                let r = swapped ? sample(s, i) : sample(one[o], i)
                guard let v = histogramBinop(b.op, l, r, returnBool: b.returnBool, pos: b.position) else { continue }
                let labels = Evaluator.resultLabels(s.labels, one[o].labels, m, dropName: (drop || b.returnBool) && !delayed, v3: isV3)
                let slot: Int
                if let x = outIndex[labels] {
                    slot = x
                } else {
                    slot = out.count
                    outIndex[labels] = slot
                    out.append(StepSeries(labels: labels, steps: steps))
                }
                if delayed && (drop || b.returnBool || s.dropName) { out[slot].dropName = true }
                if out[slot].present[i] {
                    if m.cardinality == .oneToOne {
                        throw EvaluationError(.execution, "vector cannot contain metrics with the same labelset")
                    }
                    throw EvaluationError(.execution, "multiple matches for labels: grouping labels must ensure unique matches")
                }
                switch v {
                case .float(var x):
                    // Filtering comparisons keep the left operand's value.
                    if b.op.isComparison && !b.returnBool, case .float(let lv) = l { x = lv }
                    out[slot].setFloat(i, x)
                case .histogram(let h):
                    out[slot].setHistogram(i, h)
                }
            }
        }
        for k in out.indices { out[k].shrinkHistograms() }
        return out.filter { $0.present.contains(true) }
    }
}
