/// The binary operators, in Prometheus's precedence groups (lowest first):
/// `or`; `and unless`; `== != <= < >= >`; `+ -`; `* / % atan2 </ >/`; `^` (right-associative).
public enum BinaryOp: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case add, sub, mul, div, mod, pow, atan2
    case eql, neq, gtr, lss, gte, lte
    case and, or, unless
    /// v3 `</` (native histograms: keep the part of each histogram below the scalar; "trim upper").
    /// Needs ``ParserOptions/experimentalFunctions``.
    case trimUpper
    /// v3 `>/` (native histograms: keep the part of each histogram above the scalar; "trim lower").
    /// Needs ``ParserOptions/experimentalFunctions``.
    case trimLower

    /// The operator as written: `+`, `==`, `and`, `atan2`, ...
    public var description: String {
        switch self {
        case .add: "+"
        case .sub: "-"
        case .mul: "*"
        case .div: "/"
        case .mod: "%"
        case .pow: "^"
        case .atan2: "atan2"
        case .eql: "=="
        case .neq: "!="
        case .gtr: ">"
        case .lss: "<"
        case .gte: ">="
        case .lte: "<="
        case .and: "and"
        case .or: "or"
        case .unless: "unless"
        case .trimUpper: "</"
        case .trimLower: ">/"
        }
    }

    /// Binding strength: higher binds tighter (Prometheus `LowestPrec`..`^`): or=1, and/unless=2,
    /// comparisons=3, `+ -`=4, `* / % atan2 </ >/`=5, `^`=6.
    public var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2, .trimUpper, .trimLower: 5
        case .pow: 6
        }
    }

    /// True only for `^`.
    public var isRightAssociative: Bool { self == .pow }
    /// `== != > < >= <=`.
    public var isComparison: Bool { precedence == 3 }
    /// `and or unless`.
    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }
}

/// How the two sides of a vector/vector binary operation are matched.
public enum VectorMatchCardinality: Sendable, Hashable {
    /// Each side's series matches at most one on the other side (the default for arithmetic and comparisons).
    case oneToOne
    /// `group_left`: many left series per right series.
    case manyToOne
    /// `group_right`: many right series per left series.
    case oneToMany
    /// Set operators (`and`, `or`, `unless`).
    case manyToMany
}

/// The matching rules of a binary operation between two instant vectors.
public struct VectorMatching: Sendable, Equatable {
    /// The cardinality (`group_left` / `group_right` / set operator).
    public var cardinality: VectorMatchCardinality
    /// The labels of `on(...)` or `ignoring(...)`, in written order.
    public var matchingLabels: [String]
    /// True for `on(...)`, false for `ignoring(...)` or no clause.
    public var on: Bool
    /// The extra labels of `group_left(...)` / `group_right(...)` copied from the "one" side.
    public var include: [String]
    /// v3 `fill(v)` / `fill_left(v)`: the value used for a missing left-hand sample
    /// (``ParserOptions/fillModifiers``); nil when not given.
    public var fillLeft: Double?
    /// v3 `fill(v)` / `fill_right(v)`: the value used for a missing right-hand sample.
    public var fillRight: Double?

    /// Matching rules; the default is one-to-one on all labels.
    public init(
        cardinality: VectorMatchCardinality = .oneToOne, matchingLabels: [String] = [], on: Bool = false,
        include: [String] = [], fillLeft: Double? = nil, fillRight: Double? = nil
    ) {
        self.cardinality = cardinality
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
        self.fillLeft = fillLeft
        self.fillRight = fillRight
    }

    /// Compares all fields (fill values NaN-tolerantly).
    public static func == (a: VectorMatching, b: VectorMatching) -> Bool {
        func same(_ x: Double?, _ y: Double?) -> Bool {
            switch (x, y) {
            case (nil, nil): true
            case (let x?, let y?): Expr.sameFloat(x, y)
            default: false
            }
        }
        return a.cardinality == b.cardinality && a.matchingLabels == b.matchingLabels && a.on == b.on
            && a.include == b.include && same(a.fillLeft, b.fillLeft) && same(a.fillRight, b.fillRight)
    }
}

/// A binary operation `lhs op [bool] [on/ignoring(...)] [group_left/right(...)] rhs`.
public struct BinaryExpr: Sendable, Equatable {
    /// The operator.
    public var op: BinaryOp
    /// The left operand.
    public var lhs: Expr { didSet { type = BinaryExpr.resultType(lhs, rhs) } }
    /// The right operand.
    public var rhs: Expr { didSet { type = BinaryExpr.resultType(lhs, rhs) } }
    /// `bool` modifier: comparisons return 0/1 instead of filtering. Only set on comparisons.
    public var returnBool: Bool
    /// Set exactly when both operands are instant vectors: the matching rules (one-to-one on all
    /// labels when no clause was written; many-to-many for set operators). Nil otherwise.
    public var matching: VectorMatching?
    /// From the start of `lhs` to the end of `rhs`.
    public var position: SourceRange

    /// A binary expression.
    public init(
        op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: Bool = false, matching: VectorMatching? = nil,
        position: SourceRange
    ) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        self.position = position
        self.type = BinaryExpr.resultType(lhs, rhs)
    }

    /// Scalar when both sides are scalars, otherwise instant vector. Stored (kept current when an
    /// operand changes), so asking a long operator chain for its type is O(1), not O(n).
    public private(set) var type: ValueType

    private static func resultType(_ lhs: Expr, _ rhs: Expr) -> ValueType {
        lhs.type == .scalar && rhs.type == .scalar ? .scalar : .instantVector
    }

    /// Compares everything but positions.
    public static func == (a: BinaryExpr, b: BinaryExpr) -> Bool {
        a.op == b.op && a.returnBool == b.returnBool && a.matching == b.matching && a.lhs == b.lhs && a.rhs == b.rhs
    }
}
