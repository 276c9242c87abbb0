/// Keywords recognised (case-insensitively) outside braces, as in Prometheus's lexer key table.
public enum Keyword: Sendable, Hashable {
    case and, or, unless, atan2
    case bool, by, without, on, ignoring, groupLeft, groupRight
    case offset, start, end
    case aggregation(AggregationOp)
    /// v3 range-selector modifiers (only with ``ParserOptions/extendedRangeSelectors``).
    case anchored, smoothed

    /// The longest keyword (`count_values`), in bytes.
    static let maxLength = 12

    /// Every keyword by its lowercase spelling (immutable, built once).
    private static let table: [WordKey: Keyword] = {
        var t: [WordKey: Keyword] = [:]
        let words: [(String, Keyword)] = [
            ("and", .and), ("or", .or), ("unless", .unless), ("atan2", .atan2), ("bool", .bool), ("by", .by),
            ("without", .without), ("on", .on), ("ignoring", .ignoring), ("group_left", .groupLeft),
            ("group_right", .groupRight), ("offset", .offset), ("start", .start), ("end", .end),
            ("anchored", .anchored), ("smoothed", .smoothed),
        ]
        for (w, k) in words { t[WordKey(lowercasing: Array(w.utf8)[...])] = k }
        for op in AggregationOp.allCases { t[WordKey(lowercasing: Array(op.rawValue.utf8)[...])] = .aggregation(op) }
        return t
    }()

    /// Looks up a word (case-insensitively); v3-only keywords only when the options enable them.
    static func lookup(_ key: WordKey, options: ParserOptions) -> Keyword? {
        guard let kw = table[key] else { return nil }
        switch kw {
        case .anchored, .smoothed: return options.extendedRangeSelectors ? kw : nil
        case .aggregation(let op) where op.isV3Only: return options.experimentalFunctions ? kw : nil
        default: return kw
        }
    }
}

/// Up to 16 lowercased ASCII bytes packed into two integers: an allocation-free dictionary key
/// for keyword lookup.
struct WordKey: Hashable {
    var low: UInt64 = 0
    var high: UInt64 = 0

    /// Packs `bytes` (at most 16; longer input is truncated), ASCII letters lowercased.
    init(lowercasing bytes: ArraySlice<UInt8>) {
        var i = 0
        for c in bytes.prefix(16) {
            let b = UInt64((c >= 0x41 && c <= 0x5A) ? c | 0x20 : c)
            if i < 8 { low |= b << (8 * UInt64(i)) } else { high |= b << (8 * UInt64(i - 8)) }
            i += 1
        }
    }

    static let inf = WordKey(lowercasing: Array("inf".utf8)[...])
    static let nan = WordKey(lowercasing: Array("nan".utf8)[...])
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
