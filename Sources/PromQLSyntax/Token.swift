/// Keywords recognised (case-insensitively) outside braces, as in Prometheus's lexer key table.
public enum Keyword: Sendable, Hashable {
    case and, or, unless, atan2
    case bool, by, without, on, ignoring, groupLeft, groupRight
    case offset, start, end
    case aggregation(AggregationOp)
    /// v3 range-selector modifiers (only with ``ParserOptions/extendedRangeSelectors``).
    case anchored, smoothed

    /// Looks up a lowercased word.
    static func lookup(_ lower: String, options: ParserOptions) -> Keyword? {
        switch lower {
        case "and": return .and
        case "or": return .or
        case "unless": return .unless
        case "atan2": return .atan2
        case "bool": return .bool
        case "by": return .by
        case "without": return .without
        case "on": return .on
        case "ignoring": return .ignoring
        case "group_left": return .groupLeft
        case "group_right": return .groupRight
        case "offset": return .offset
        case "start": return .start
        case "end": return .end
        case "anchored": return options.extendedRangeSelectors ? .anchored : nil
        case "smoothed": return options.extendedRangeSelectors ? .smoothed : nil
        default:
            guard let op = AggregationOp(rawValue: lower) else { return nil }
            if op.isV3Only && !options.experimentalFunctions { return nil }
            return .aggregation(op)
        }
    }
}

/// The kind of a lexical token.
public enum TokenKind: Sendable, Hashable {
    case eof
    /// The lexer failed here; the parser reports the lexer's error when it reaches this token.
    case error
    /// A name without `:` (`foo`, `rate`, a label name).
    case identifier
    /// A name containing `:` (`job:rate5m`), only valid as a metric name.
    case metricIdentifier
    /// A keyword; the token text keeps the original spelling.
    case keyword(Keyword)
    /// A float: decimal, hex, exponent, `Inf`/`NaN` (any case).
    case number
    /// A duration such as `5m` or `1h30m`.
    case duration
    /// A quoted string (the token spans the quotes).
    case string
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, colon, at
    /// `=` (label matcher).
    case assign
    /// `=~`, `!~`.
    case regexMatch, regexNoMatch
    case add, sub, mul, div, mod, pow
    case eql, neq, gtr, lss, gte, lte
    /// v3 `</` and `>/`.
    case trimUpper, trimLower
}

/// A token: a kind and the byte range of its text.
public struct Token: Sendable, Hashable {
    /// What was lexed.
    public var kind: TokenKind
    /// Its bytes in the input.
    public var position: SourceRange

    /// A token.
    public init(kind: TokenKind, position: SourceRange) {
        self.kind = kind
        self.position = position
    }

    /// The binary operator this token spells, if any (`and`/`or`/`unless`/`atan2` included).
    var binaryOp: BinaryOp? {
        switch kind {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .mod: .mod
        case .pow: .pow
        case .eql: .eql
        case .neq: .neq
        case .gtr: .gtr
        case .lss: .lss
        case .gte: .gte
        case .lte: .lte
        case .trimUpper: .trimUpper
        case .trimLower: .trimLower
        case .keyword(.and): .and
        case .keyword(.or): .or
        case .keyword(.unless): .unless
        case .keyword(.atan2): .atan2
        default: nil
        }
    }
}
