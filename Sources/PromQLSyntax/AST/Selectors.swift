public import SundialCore

/// The `@` modifier of a selector or subquery: evaluate at a fixed time instead of the step's.
public enum AtModifier: Sendable, Hashable {
    /// `@ <float seconds>`, stored as milliseconds since the epoch (rounded, like Prometheus's
    /// `timestamp.FromFloatSeconds`).
    case timestamp(Int64)
    /// `@ start()`: the query's start time.
    case start
    /// `@ end()`: the query's end time.
    case end
}

/// An instant vector selector: `name{matchers} [offset d] [@ t]`.
///
/// `matchers` always contains every matcher the query implies, including the `__name__="name"`
/// equality matcher for a leading metric name (first), as Prometheus's parser adds it.
public struct VectorSelector: Sendable, Equatable {
    /// The metric name written before the braces, or nil for `{...}`-only selectors (even when
    /// they contain a `__name__` matcher).
    public var name: String?
    /// All matchers, the implicit `__name__` one first when `name` is set. Never empty; at least
    /// one matcher does not match the empty string (checked by the parser).
    public var matchers: [LabelMatcher]
    /// The `offset` modifier, nil when absent or zero. Positive looks back in time; negative
    /// (`offset -5m`) looks forward.
    public var offset: DurationExpr?
    /// The `@` modifier, nil when absent.
    public var at: AtModifier?
    /// The v3 `anchored` modifier (``ParserOptions/extendedRangeSelectors``).
    public var anchored: Bool
    /// The v3 `smoothed` modifier (``ParserOptions/extendedRangeSelectors``).
    public var smoothed: Bool
    /// The selector's text, from the name (or `{`) to the end of its modifiers.
    public var position: SourceRange

    /// A selector.
    public init(
        name: String?, matchers: [LabelMatcher], offset: DurationExpr? = nil, at: AtModifier? = nil,
        anchored: Bool = false, smoothed: Bool = false, position: SourceRange
    ) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
        self.anchored = anchored
        self.smoothed = smoothed
        self.position = position
    }

    /// The literal offset in milliseconds: 0 when absent, nil when it is a duration expression
    /// that needs the query's step or range (see ``DurationExpr/evaluate(stepMs:rangeMs:)``).
    public var offsetMs: Int64? {
        guard let offset else { return 0 }
        return offset.literalMs
    }

    /// Compares everything but positions; matchers compare as a multiset (order-insensitive),
    /// because the canonical printer sorts them as Prometheus does.
    public static func == (a: VectorSelector, b: VectorSelector) -> Bool {
        guard a.name == b.name, a.offset == b.offset, a.at == b.at, a.anchored == b.anchored,
              a.smoothed == b.smoothed, a.matchers.count == b.matchers.count else { return false }
        if a.matchers == b.matchers { return true }
        return a.matchers.map(\.description).sorted() == b.matchers.map(\.description).sorted()
    }
}

/// A range vector selector: `selector[range]`. Offset, `@`, `anchored` and `smoothed` written
/// after the brackets live on ``vectorSelector``, as in Prometheus.
public struct MatrixSelector: Sendable, Equatable {
    /// The selector the window applies to.
    public var vectorSelector: VectorSelector
    /// The window length (> 0). A literal in milliseconds for 2.42 syntax.
    public var range: DurationExpr
    /// From the selector's start to the end of its modifiers.
    public var position: SourceRange

    /// A range selector.
    public init(vectorSelector: VectorSelector, range: DurationExpr, position: SourceRange) {
        self.vectorSelector = vectorSelector
        self.range = range
        self.position = position
    }

    /// The window in milliseconds when it is a literal; nil for a duration expression.
    public var rangeMs: Int64? { range.literalMs }

    /// Compares everything but positions.
    public static func == (a: MatrixSelector, b: MatrixSelector) -> Bool {
        a.vectorSelector == b.vectorSelector && a.range == b.range
    }
}

/// A subquery: `expr[range:step] [offset d] [@ t]`.
public struct Subquery: Sendable, Equatable {
    /// The inner expression; an instant vector.
    public var expr: Expr
    /// The window (> 0).
    public var range: DurationExpr
    /// The resolution, nil when omitted (`[30m:]`: the engine's default evaluation interval).
    public var step: DurationExpr?
    /// The `offset` modifier, nil when absent or zero.
    public var offset: DurationExpr?
    /// The `@` modifier.
    public var at: AtModifier?
    /// From the inner expression's start to the end of the modifiers.
    public var position: SourceRange

    /// A subquery.
    public init(
        expr: Expr, range: DurationExpr, step: DurationExpr?, offset: DurationExpr? = nil, at: AtModifier? = nil,
        position: SourceRange
    ) {
        self.expr = expr
        self.range = range
        self.step = step
        self.offset = offset
        self.at = at
        self.position = position
    }

    /// The literal window in milliseconds; nil for a duration expression.
    public var rangeMs: Int64? { range.literalMs }
    /// The literal step in milliseconds: 0 when omitted, nil for a duration expression.
    public var stepMs: Int64? {
        guard let step else { return 0 }
        return step.literalMs
    }
    /// The literal offset in milliseconds: 0 when absent, nil for a duration expression.
    public var offsetMs: Int64? {
        guard let offset else { return 0 }
        return offset.literalMs
    }

    /// Compares everything but positions.
    public static func == (a: Subquery, b: Subquery) -> Bool {
        a.expr == b.expr && a.range == b.range && a.step == b.step && a.offset == b.offset && a.at == b.at
    }
}
