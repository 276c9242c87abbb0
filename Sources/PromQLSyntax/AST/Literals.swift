/// A float literal. Signs written before a literal are folded into it (`-1` is one literal), as
/// Prometheus does.
public struct NumberLiteral: Sendable, Equatable {
    /// The value; may be ±Inf or NaN.
    public var value: Double
    /// True when written as a duration (`5m`, only with ``ParserOptions/durationExpressions``):
    /// the value is then in seconds and prints back as a duration.
    public var isDuration: Bool
    /// Where it was written.
    public var position: SourceRange

    /// A literal.
    public init(value: Double, isDuration: Bool = false, position: SourceRange) {
        self.value = value
        self.isDuration = isDuration
        self.position = position
    }

    /// Compares values (NaN equals NaN) and the duration flag; ignores positions.
    public static func == (a: NumberLiteral, b: NumberLiteral) -> Bool {
        Expr.sameFloat(a.value, b.value) && a.isDuration == b.isDuration
    }
}

/// A string literal, escapes already decoded.
public struct StringLiteral: Sendable, Equatable {
    /// The decoded value.
    public var value: String
    /// Where it was written.
    public var position: SourceRange
    /// The decoded bytes when escapes (`"\xc5"`, octal) made them invalid UTF-8, nil otherwise.
    /// ``value`` then holds U+FFFD in place of each bad byte (Swift strings are always valid
    /// Unicode); these bytes are what Go would hold, for validity checks and `%q` error texts.
    public var invalidUTF8Bytes: [UInt8]?

    /// A literal.
    public init(value: String, position: SourceRange, invalidUTF8Bytes: [UInt8]? = nil) {
        self.value = value
        self.position = position
        self.invalidUTF8Bytes = invalidUTF8Bytes
    }

    /// Compares values; ignores positions.
    public static func == (a: StringLiteral, b: StringLiteral) -> Bool { a.value == b.value }
}

/// A parenthesised expression, kept in the tree so the printer reproduces the parentheses.
public struct ParenExpr: Sendable, Equatable {
    /// The inner expression.
    public var expr: Expr { didSet { type = expr.type } }
    /// From `(` to `)` inclusive.
    public var position: SourceRange
    /// The inner expression's type (stored: O(1) for nested parentheses).
    public private(set) var type: ValueType

    /// A parenthesised expression.
    public init(expr: Expr, position: SourceRange) {
        self.expr = expr
        self.position = position
        self.type = expr.type
    }

    /// Compares the inner expressions; ignores positions.
    public static func == (a: ParenExpr, b: ParenExpr) -> Bool { a.expr == b.expr }
}

/// The unary operators.
public enum UnaryOp: Sendable, Hashable, CustomStringConvertible {
    /// `-`: negates scalars and vector sample values (and drops the metric name).
    case minus
    /// `+`: the identity.
    case plus

    /// `-` or `+`.
    public var description: String { self == .minus ? "-" : "+" }
}

/// A unary operator applied to a non-literal expression (`-foo`, `-(1)`); on a number literal the
/// sign is folded into the literal instead. Binds looser than `^` (`-1 ^ 2` is `-(1 ^ 2)`) and as
/// tight as `*`.
public struct UnaryExpr: Sendable, Equatable {
    /// The operator.
    public var op: UnaryOp
    /// The operand: a scalar or an instant vector.
    public var expr: Expr { didSet { type = expr.type } }
    /// From the operator to the end of the operand.
    public var position: SourceRange
    /// The operand's type (stored: O(1) for chains of signs).
    public private(set) var type: ValueType

    /// A unary expression.
    public init(op: UnaryOp, expr: Expr, position: SourceRange) {
        self.op = op
        self.expr = expr
        self.position = position
        self.type = expr.type
    }

    /// Compares operator and operand; ignores positions.
    public static func == (a: UnaryExpr, b: UnaryExpr) -> Bool { a.op == b.op && a.expr == b.expr }
}
