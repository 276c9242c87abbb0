/// Totals over many evals and the text `sundial promql test` prints.
public struct TestReport: Sendable {
    public var outcomes: [EvalOutcome] = []

    public init() {}

    public var passed: Int { outcomes.filter { $0.status == .passed }.count }
    public var failed: Int { outcomes.filter { if case .failed = $0.status { true } else { false } }.count }
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
        lines.append(summary)
        return lines.joined(separator: "\n")
    }
}
