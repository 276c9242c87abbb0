/// The aggregation operators.
public enum AggregationOp: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sum, avg, count, min, max, group, stddev, stdvar
    case topk, bottomk, quantile
    case countValues = "count_values"
    /// v3 only (``ParserOptions/experimentalFunctions``).
    case limitk
    /// v3 only (``ParserOptions/experimentalFunctions``).
    case limitRatio = "limit_ratio"

    /// The keyword as written.
    public var description: String { rawValue }

    /// The type of the parameter, or nil for operators without one.
    /// `topk`, `bottomk`, `quantile`, `limitk`, `limit_ratio`: scalar; `count_values`: string.
    public var parameterType: ValueType? {
        switch self {
        case .topk, .bottomk, .quantile, .limitk, .limitRatio: .scalar
        case .countValues: .string
        default: nil
        }
    }

    /// True for operators not in Prometheus 2.42.
    public var isV3Only: Bool { self == .limitk || self == .limitRatio }

    /// Looks up a keyword case-insensitively, as Prometheus's lexer does (`SUM` works).
    public init?(keyword: String) {
        self.init(rawValue: keyword.lowercased())
    }
}

/// An aggregation: `op [by|without (labels)] ([param,] expr) [by|without (labels)]`.
public struct Aggregation: Sendable, Equatable {
    /// The operator.
    public var op: AggregationOp
    /// The aggregated instant vector.
    public var expr: Expr
    /// The parameter of `topk`, `bottomk`, `quantile`, `count_values`, `limitk`, `limit_ratio`.
    public var param: Expr?
    /// The `by`/`without` labels in written order (duplicates kept, as Prometheus keeps them).
    public var grouping: [String]
    /// True for `without`, false for `by` or no clause.
    public var without: Bool
    /// From the operator to the end of the argument list or trailing clause.
    public var position: SourceRange

    /// An aggregation.
    public init(op: AggregationOp, expr: Expr, param: Expr? = nil, grouping: [String] = [], without: Bool = false,
                position: SourceRange) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.position = position
    }

    /// Compares everything but positions.
    public static func == (a: Aggregation, b: Aggregation) -> Bool {
        a.op == b.op && a.without == b.without && a.grouping == b.grouping && a.param == b.param && a.expr == b.expr
    }
}

/// A function call `name(args...)`, resolved to a ``Function`` at parse time.
public struct Call: Sendable, Equatable {
    /// The function.
    public var function: Function
    /// The arguments, already type-checked against ``Function/signature``.
    public var args: [Expr]
    /// From the name to the closing `)`.
    public var position: SourceRange

    /// A call.
    public init(function: Function, args: [Expr], position: SourceRange) {
        self.function = function
        self.args = args
        self.position = position
    }

    /// Compares function and arguments; ignores positions.
    public static func == (a: Call, b: Call) -> Bool { a.function == b.function && a.args == b.args }
}
