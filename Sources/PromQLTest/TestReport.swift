/// Totals over many evals and the text `sundial promql test` prints.
public struct TestReport: Sendable {
    public var outcomes: [EvalOutcome] = []

    public init() {}

    public var passed: Int { outcomes.filter { $0.status == .passed }.count }
    public var failed: Int { outcomes.filter { if case .failed = $0.status { true } else { false } }.count }
    /// The `expect warn|info|no_warn|no_info` lines over all evals: held (their eval passed),
    /// failed (their eval failed on them), unverified (the eval failed on something else or was skipped).
    public var annotationTally: (lines: Int, held: Int, failed: Int, unverified: Int) {
        var t = (lines: 0, held: 0, failed: 0, unverified: 0)
        for o in outcomes where o.annotationLines > 0 {
            t.lines += o.annotationLines
            switch o.annotationsHeld {
            case true?: t.held += o.annotationLines
            case false?: t.failed += o.annotationLines
            case nil: t.unverified += o.annotationLines
            }
        }
        return t
    }

    public var skipped: Int { outcomes.filter { if case .skipped = $0.status { true } else { false } }.count }

    /// One line per failing eval (`file:line: query: message`), one per skipped eval with its
    /// reason, then `N passed, M failed[, K skipped]`.
    public func render(showSkipped: Bool = true) -> String {
        var lines: [String] = []
        for o in outcomes {
            if case .failed(let m) = o.status { lines.append("FAIL \(o.file):\(o.line): \(o.query): \(m)") }
        }
        if showSkipped {
            for o in outcomes {
                if case .skipped(let r) = o.status { lines.append("SKIP \(o.file):\(o.line): \(o.query): \(r)") }
            }
        }
        var summary = "\(passed) passed, \(failed) failed"
        if skipped > 0 { summary += ", \(skipped) skipped" }
        let a = annotationTally
        if a.lines > 0 {
            lines.append("annotation expectations (expect warn/info/no_warn/no_info lines): \(a.held) held, \(a.failed) failed, "
                         + "\(a.unverified) unverified (eval failed earlier or skipped), of \(a.lines)")
        }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }
}
