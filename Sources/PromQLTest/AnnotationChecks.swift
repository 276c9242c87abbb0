import SundialCore
public import PromQLEngine

/// One `expect warn` / `expect info` line: `msg: <exact text>`, `regex: <RE2, unanchored>`, or
/// nothing (any annotation of the level matches).
public enum AnnotationExpectation: Sendable, Equatable {
    /// Any annotation of the level.
    case any
    /// Exactly this text (no position).
    case message(String)
    /// A pattern found anywhere in the text (Go `regexp.MatchString`).
    case regex(String)

    /// Parses the argument after `expect warn`/`expect info`.
    init(argument arg: String) {
        if arg.hasPrefix("msg:") {
            self = .message(arg.dropFirst(4).trimmingCharacters(in: " \t"))
        } else if arg.hasPrefix("regex:") {
            self = .regex(arg.dropFirst(6).trimmingCharacters(in: " \t"))
        } else {
            self = .any
        }
    }

    /// Does `text` satisfy this line?
    func matches(_ text: String) -> Bool {
        switch self {
        case .any: return true
        case .message(let m): return m == text
        case .regex(let r): return (try? RE2Regex(r))?.partialMatch(text) ?? false
        }
    }
}

/// The annotation checks of Prometheus 3's script runner (`evalCmd.checkAnnotations` in
/// `promql/promqltest/test.go`), applied to the instant eval and each of its `@` variants, and to
/// range evals (not to the range-mode re-check of an instant eval).
enum AnnotationChecks {
    /// How a failure message caused by the annotation checks starts.
    static let failurePrefix = "annotations: "

    /// Why the annotations of one query do not meet `e`'s expectations, or nil when they do.
    static func check(_ e: EvalCommand, _ annotations: [Annotation]) -> String? {
        let warnings = annotations.filter { $0.level == .warning }.map(\.text)
        let infos = annotations.filter { $0.level == .info }.map(\.text)
        if e.expectWarn && warnings.isEmpty { return "expected warnings but got none" }
        if e.expectInfo && infos.isEmpty { return "expected info annotations but got none" }
        if let m = validate(e.warnExpectations, warnings, "warn") { return m }
        if let m = validate(e.infoExpectations, infos, "info") { return m }
        if e.expectNoWarn && !warnings.isEmpty { return "unexpected warning annotations: \(warnings)" }
        if e.expectNoInfo && !infos.isEmpty { return "unexpected info annotations: \(infos)" }
        return nil
    }

    /// Every expectation matched by some annotation, every annotation by some expectation.
    static func validate(_ expected: [AnnotationExpectation], _ actual: [String], _ kind: String) -> String? {
        guard !expected.isEmpty else { return nil }
        if actual.isEmpty { return "expected \(kind) annotations but none were found" }
        for x in expected where !actual.contains(where: { x.matches($0) }) {
            return "expected \(kind) annotation matching \(x) but none matched, found: \(actual)"
        }
        for a in actual where !expected.contains(where: { $0.matches(a) }) {
            return "unexpected \(kind) annotation \(GoQuote.quote(a))"
        }
        return nil
    }
}

extension EvalCommand {
    /// The eval states any annotation expectation (`expect warn|info|no_warn|no_info`).
    public var hasAnnotationExpectations: Bool { expectWarn || expectInfo || expectNoWarn || expectNoInfo }

    /// The number of `expect warn|info|no_warn|no_info` lines (an eval may have several).
    public var annotationExpectationLines: Int {
        warnExpectations.count + infoExpectations.count + (expectNoWarn ? 1 : 0) + (expectNoInfo ? 1 : 0)
    }
}
