/// A PromQL expression: an immutable, storage-free syntax tree (one case per construct, as in
/// Prometheus `promql/parser/ast.go`, minus any evaluation state).
///
/// Build one with ``Parser/parse(_:options:)``; print it with ``Printer`` (or `description`).
///
/// Equality (`==`) compares structure and values and **ignores source positions**, so
/// `parse(print(e)) == e` holds; NaN number literals compare equal to each other.
/// Every node is a value type and `Sendable`; sharing across tasks is free.
public indirect enum Expr: Sendable, Equatable {
    /// A float literal (`1`, `0x1f`, `1e3`, `Inf`, `NaN`; with ``ParserOptions/durationExpressions`` also `5m` as seconds).
    case number(NumberLiteral)
    /// A string literal.
    case string(StringLiteral)
    /// An instant vector selector (`foo{a="b"} offset 5m @ 100`).
    case vectorSelector(VectorSelector)
    /// A range vector selector (`foo[5m]`).
    case matrixSelector(MatrixSelector)
    /// A subquery (`expr[30m:1m]`).
    case subquery(Subquery)
    /// A function call.
    case call(Call)
    /// An aggregation (`sum by (a) (x)`).
    case aggregation(Aggregation)
    /// A binary operation.
    case binary(BinaryExpr)
    /// A unary `-` or `+` applied to a non-literal.
    case unary(UnaryExpr)
    /// A parenthesised expression.
    case paren(ParenExpr)

    /// The bytes of the input this expression was parsed from.
    public var position: SourceRange {
        switch self {
        case .number(let n): n.position
        case .string(let s): s.position
        case .vectorSelector(let v): v.position
        case .matrixSelector(let m): m.position
        case .subquery(let s): s.position
        case .call(let c): c.position
        case .aggregation(let a): a.position
        case .binary(let b): b.position
        case .unary(let u): u.position
        case .paren(let p): p.position
        }
    }

    /// The type of value this expression evaluates to (Prometheus `Expr.Type()`). O(1): composite
    /// nodes store their type.
    public var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .instantVector
        case .matrixSelector: .rangeVector
        case .subquery: .rangeVector
        case .call(let c): c.function.returnType
        case .aggregation: .instantVector
        case .binary(let b): b.type
        case .unary(let u): u.type
        case .paren(let p): p.type
        }
    }

    /// The expression with any enclosing parentheses removed.
    public var unparenthesized: Expr {
        var e = self
        while case .paren(let p) = e { e = p.expr }
        return e
    }
}

extension Expr {
    /// NaN-tolerant float equality used by the AST's `==`: equal values, or both NaN.
    @inlinable
    static func sameFloat(_ a: Double, _ b: Double) -> Bool {
        a == b || (a.isNaN && b.isNaN)
    }
}
