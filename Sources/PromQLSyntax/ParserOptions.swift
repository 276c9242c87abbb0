/// Which grammar extensions beyond Prometheus 2.42 the parser accepts (like Prometheus's
/// `parser.Options` and its feature flags). The default is the 2.42 grammar exactly; ``v3`` turns
/// on everything the Prometheus v3.14 test scripts use.
///
/// A `Sendable` value passed per parse; no global state.
public struct ParserOptions: Sendable, Hashable {
    /// Functions and aggregations added after 2.42 (`limitk`, `limit_ratio`, `info`,
    /// `sort_by_label`, `mad_over_time`, `histogram_avg`, `double_exponential_smoothing`, `step()`, ...).
    public var experimentalFunctions: Bool
    /// v3 duration expressions: arithmetic in ranges, subquery steps and offsets
    /// (`[5m+1m]`, `offset (1h*2)`, `step()`, `min_of`), numbers as durations (`[300]`), and
    /// durations as numbers (`5m` in an expression is 300).
    public var durationExpressions: Bool
    /// v3 `fill(v)`, `fill_left(v)`, `fill_right(v)` binary-operator modifiers.
    public var fillModifiers: Bool
    /// v3 `anchored` and `smoothed` selector modifiers.
    public var extendedRangeSelectors: Bool
    /// v3 quoted UTF-8 names: `{"metric.name", "label.name"="v"}` and quoted grouping labels.
    public var quotedNames: Bool
    /// v3 underscores between digits in numbers (`1_000`).
    public var numberUnderscores: Bool
    /// Maximum depth of the syntax tree (nesting plus the length of an operator chain such as
    /// `a + b + c ...`); deeper input fails with a parse error instead of exhausting the stack in
    /// the parser or in later recursive walks (printing, comparing, releasing the tree).
    /// Prometheus has no explicit limit (Go stacks grow); a debug build overflowed a test thread's
    /// stack at a depth of 5 000, so the default keeps a 5x margin and is far beyond real queries.
    public var maxDepth: Int

    /// Options; the defaults are the Prometheus 2.42 grammar.
    public init(
        experimentalFunctions: Bool = false, durationExpressions: Bool = false, fillModifiers: Bool = false,
        extendedRangeSelectors: Bool = false, quotedNames: Bool = false, numberUnderscores: Bool = false,
        maxDepth: Int = 1000
    ) {
        self.experimentalFunctions = experimentalFunctions
        self.durationExpressions = durationExpressions
        self.fillModifiers = fillModifiers
        self.extendedRangeSelectors = extendedRangeSelectors
        self.quotedNames = quotedNames
        self.numberUnderscores = numberUnderscores
        self.maxDepth = maxDepth
    }

    /// The Prometheus 2.42 grammar (the default).
    public static let prometheus2 = ParserOptions()

    /// Everything the v3.14 test scripts use.
    public static let v3 = ParserOptions(
        experimentalFunctions: true, durationExpressions: true, fillModifiers: true, extendedRangeSelectors: true,
        quotedNames: true, numberUnderscores: true
    )
}
