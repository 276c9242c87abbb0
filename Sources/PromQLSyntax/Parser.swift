import SundialCore

/// A hand-written recursive-descent / precedence-climbing PromQL parser.
///
/// Grammar and type rules follow Prometheus 2.42 (`promql/parser/generated_parser.y`, `parse.go`
/// `checkAST`); v3 extensions are accepted only when enabled in ``ParserOptions``. Parsing is
/// linear in the input and bounded in depth (``ParserOptions/maxDepth``); bad input never traps.
///
/// Use the static ``parse(_:options:)``. A `Parser` value is single-use and not thread-safe.
public struct Parser {
    let query: String
    let bytes: [UInt8]
    let options: ParserOptions
    var tokens: [Token]
    var index = 0
    var depth = 0
    /// Set while parsing the second argument of v3 `info()`, whose selector may match the empty set.
    var allowEmptyMatchers = false

    /// The lexer's error, reported when the parser reaches the `.error` token.
    let lexError: ParseError?
    /// Where compiled regex matchers come from, when the caller shares one.
    let matcherCache: MatcherCache?

    init(query: String, options: ParserOptions, matcherCache: MatcherCache? = nil) {
        self.matcherCache = matcherCache
        var lexer = Lexer(query, options: options)
        self.query = query
        self.bytes = lexer.bytes
        self.options = options
        self.tokens = lexer.tokenize()
        self.lexError = lexer.lexError
    }

    /// Parses and type-checks one PromQL expression.
    /// - Parameters:
    ///   - options: the grammar (2.42 by default; ``ParserOptions/v3`` for v3 syntax).
    ///   - matcherCache: a shared cache of compiled regex matchers, or nil to compile each one.
    /// - Throws: ``ParseError`` with the offending position for any syntax or type error.
    /// - Complexity: O(n) in the length of `query`.
    public static func parse(
        _ query: String, options: ParserOptions = .prometheus2, matcherCache: MatcherCache? = nil
    ) throws(ParseError) -> Expr {
        var p = Parser(query: query, options: options, matcherCache: matcherCache)
        if p.current.kind == .eof { throw p.error("no expression found in input", p.current.position) }
        let e = try p.parseExpr()
        if p.current.kind != .eof {
            throw p.unexpected(p.current, context: "", expected: "")
        }
        return e
    }

    // MARK: - Token cursor

    var current: Token { tokens[index] }
    func peek(_ n: Int = 1) -> Token { tokens[Swift.min(index + n, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func text(_ t: Token) -> String {
        String(decoding: bytes[t.position.start..<t.position.end], as: UTF8.self)
    }

    func error(_ message: String, _ position: SourceRange) -> ParseError {
        ParseError(message: message, position: position, query: query)
    }

    /// Prometheus's `desc()` of a token: `<by>`, `identifier "foo"`, `number "5"`, `"("`, `<op:+>`, `end of input`.
    func describe(_ t: Token) -> String {
        let s = text(t)
        switch t.kind {
        case .eof: return "end of input"
        case .identifier: return "identifier \(GoQuote.quote(s))"
        case .metricIdentifier: return "metric identifier \(GoQuote.quote(s))"
        case .number: return "number \(GoQuote.quote(s))"
        case .duration: return "duration \(GoQuote.quote(s))"
        case .string:
            let q = GoQuote.quote(s)
            return "string " + (s.count > 10 ? GoQuote.quote(String(s.prefix(10))) + "..." : q)
        case .keyword(.aggregation): return "<aggr:\(s)>"
        case .keyword(.and), .keyword(.or), .keyword(.unless), .keyword(.atan2): return "<op:\(s)>"
        case .keyword: return "<\(s)>"
        case .add, .sub, .mul, .div, .mod, .pow, .eql, .neq, .gtr, .lss, .gte, .lte, .regexMatch, .regexNoMatch,
             .assign, .trimUpper, .trimLower:
            return "<op:\(s)>"
        default: return GoQuote.quote(s)
        }
    }

    func unexpected(_ t: Token, context: String, expected: String) -> ParseError {
        if t.kind == .error, let lexError { return lexError }
        var m = "unexpected " + describe(t)
        if !context.isEmpty { m += " in " + context }
        if !expected.isEmpty { m += ", expected " + expected }
        return error(m, t.position)
    }

    mutating func expect(_ kind: TokenKind, context: String, expected: String) throws(ParseError) -> Token {
        guard current.kind == kind else { throw unexpected(current, context: context, expected: expected) }
        return advance()
    }

    /// Depth units one call or aggregation level costs (see ``enter(_:)``).
    static let heavyFrameWeight = 3

    /// Counts one level of recursion against ``ParserOptions/maxDepth``. `weight` is the level's
    /// stack cost in units of a parenthesis level: calls and aggregations recurse through more and
    /// larger frames (fuzzing found `sum(sum(sum(…` 450 deep overflowing an 8 MiB stack in a debug
    /// build while parentheses 500 deep did not), so they count ``heavyFrameWeight``.
    mutating func enter(_ weight: Int = 1) throws(ParseError) {
        depth += weight
        if depth > options.maxDepth {
            throw error("expression nesting exceeds the maximum depth of \(options.maxDepth)", current.position)
        }
    }

    // MARK: - Expressions

    /// expr := unary (binop modifiers unary)*, by precedence climbing.
    mutating func parseExpr(minPrecedence: Int = 1) throws(ParseError) -> Expr {
        try enter()
        defer { depth -= 1 }
        var lhs = try parseUnary()
        // A left-associative chain deepens the tree without recursing here; count it against the
        // depth limit too, since every later walk of the tree (printing, equality, release) recurses.
        var chain = 0
        while let op = current.binaryOp, op.precedence >= minPrecedence {
            chain += 1
            if depth + chain > options.maxDepth {
                throw error("expression nesting exceeds the maximum depth of \(options.maxDepth)", current.position)
            }
            let opToken = advance()
            let modifiers = try parseBinaryModifiers(op: op, opToken: opToken)
            let next = op.isRightAssociative ? op.precedence : op.precedence + 1
            let rhs = try parseExpr(minPrecedence: next)
            lhs = try makeBinary(op: op, opToken: opToken, lhs: lhs, rhs: rhs, modifiers: modifiers)
        }
        return lhs
    }

    /// unary := ('+'|'-') unary-operand | postfix. A sign binds looser than `^` and tighter than `*`
    /// (Prometheus: `unary_op expr %prec MUL`); on a number literal it is folded into the literal.
    mutating func parseUnary() throws(ParseError) -> Expr {
        guard current.kind == .add || current.kind == .sub else { return try parsePostfix() }
        try enter()
        defer { depth -= 1 }
        let opToken = advance()
        let op: UnaryOp = opToken.kind == .sub ? .minus : .plus
        let operand = try parseExpr(minPrecedence: BinaryOp.pow.precedence)
        let position = opToken.position.union(operand.position)
        if case .number(var n) = operand {
            if op == .minus { n.value = -n.value }
            n.position = position
            return .number(n)
        }
        guard operand.type == .scalar || operand.type == .instantVector else {
            throw error(
                "unary expression only allowed on expressions of type scalar or instant vector, got \(GoQuote.quote(operand.type.description))",
                position)
        }
        return .unary(UnaryExpr(op: op, expr: operand, position: position))
    }

    /// primary followed by any number of `[range]`, `[range:step]`, `offset d`, `@ t`,
    /// `anchored`, `smoothed` (these bind tighter than every operator).
    mutating func parsePostfix() throws(ParseError) -> Expr {
        var e = try parsePrimary()
        while true {
            switch current.kind {
            case .leftBracket: e = try parseRangeOrSubquery(e)
            case .keyword(.offset): e = try parseOffset(e)
            case .at: e = try parseAt(e)
            case .keyword(.anchored), .keyword(.smoothed): e = try parseRangeModifier(e)
            default: return e
            }
        }
    }

    mutating func parsePrimary() throws(ParseError) -> Expr {
        let t = current
        switch t.kind {
        case .number:
            advance()
            return .number(NumberLiteral(value: try parseNumber(t), position: t.position))
        case .duration where options.durationExpressions:
            advance()
            let ms = try parseDuration(t)
            return .number(NumberLiteral(value: Double(ms) / 1000, isDuration: true, position: t.position))
        case .string:
            advance()
            let bytes = try unquotedBytes(t)
            let value = String(decoding: bytes, as: UTF8.self)
            let valid = String(validating: bytes, as: UTF8.self) != nil
            return .string(StringLiteral(value: value, position: t.position, invalidUTF8Bytes: valid ? nil : bytes))
        case .leftParen:
            try enter()
            defer { depth -= 1 }
            advance()
            let inner = try parseExpr()
            let close = try expect(.rightParen, context: "paren expression", expected: "\")\"")
            return .paren(ParenExpr(expr: inner, position: t.position.union(close.position)))
        case .leftBrace:
            return .vectorSelector(try parseSelector(name: nil, nameToken: nil))
        case .identifier, .metricIdentifier:
            if t.kind == .identifier && peek().kind == .leftParen { return try parseCall() }
            advance()
            return .vectorSelector(try parseSelector(name: text(t), nameToken: t))
        case .keyword(.aggregation(let op)):
            let n = peek().kind
            if n == .leftParen || n == .keyword(.by) || n == .keyword(.without) { return try parseAggregation(op) }
            advance()
            return .vectorSelector(try parseSelector(name: text(t), nameToken: t))
        case .keyword(.start) where peek().kind == .leftParen && options.experimentalFunctions,
             .keyword(.end) where peek().kind == .leftParen && options.experimentalFunctions:
            return try parseCall()
        case .keyword(.by), .keyword(.without), .keyword(.and), .keyword(.or), .keyword(.unless),
             .keyword(.offset), .keyword(.start), .keyword(.end), .keyword(.anchored), .keyword(.smoothed):
            // Prometheus's `metric_identifier` accepts these keywords as metric names.
            advance()
            return .vectorSelector(try parseSelector(name: text(t), nameToken: t))
        case .eof:
            throw error("unexpected end of input", t.position)
        case .error:
            throw unexpected(t, context: "", expected: "")
        default:
            throw unexpected(t, context: "", expected: "")
        }
    }
}
