import SundialCore

extension Parser {
    /// The content of `[...]` before or after the `:`. Nil only when `allowEmpty` and the next
    /// token is `]` (an omitted subquery step).
    mutating func parseBracketDuration(context: String, allowEmpty: Bool) throws(ParseError) -> DurationExpr? {
        if allowEmpty && current.kind == .rightBracket { return nil }
        guard options.durationExpressions else {
            // (The lexer already rejected anything but a duration right after `[`.)
            let t = try expect(.duration, context: "subquery selector", expected: allowEmpty ? "duration or \"]\"" : "duration")
            return .literal(try parseDuration(t))
        }
        let start = current.position
        let d = try parseDurationExpr(minPrecedence: BinaryOp.add.precedence)
        return try foldLiteral(d, start.union(tokens[index - 1].position))
    }

    /// The duration after `offset`: `[-]5m` in 2.42; with duration expressions a signed number,
    /// duration, `step()`, `range()`, `min_of(..)`, `max_of(..)` or parenthesised expression
    /// (anything else belongs to the enclosing binary expression: `x offset 100 + 2`).
    mutating func parseOffsetDuration() throws(ParseError) -> DurationExpr {
        guard options.durationExpressions else {
            var negative = false
            if current.kind == .sub {
                negative = true
                advance()
            }
            let t = try expect(.duration, context: "offset", expected: "duration")
            let ms = try parseDuration(t)
            return .literal(negative ? -ms : ms)
        }
        let start = current.position
        var sign: UnaryOp? = nil
        if current.kind == .sub || current.kind == .add {
            sign = advance().kind == .sub ? .minus : .plus
        }
        var d = try parseDurationAtom(context: "offset")
        if let sign {
            switch d {
            case .literal(let ms): d = .literal(sign == .minus ? -ms : ms)
            case .number(let v): d = .number(sign == .minus ? -v : v)
            default: d = .unary(sign, d)
            }
        }
        return try foldLiteral(d, start.union(tokens[index - 1].position))
    }

    /// A bare number at the top of a duration means seconds: store it as a literal.
    private func foldLiteral(_ d: DurationExpr, _ position: SourceRange) throws(ParseError) -> DurationExpr {
        guard case .number(let v) = d else { return d }
        let ms = (v * 1000).rounded()
        guard v.isFinite, abs(ms) < 9.2e18 else { throw error("duration out of range: \(v)", position) }
        return .literal(Int64(ms))
    }

    private mutating func parseDurationExpr(minPrecedence: Int) throws(ParseError) -> DurationExpr {
        try enter()
        defer { depth -= 1 }
        var lhs = try parseDurationUnary()
        var chain = 0
        while let op = current.binaryOp, op.precedence >= minPrecedence {
            chain += 1
            if depth + chain > options.maxDepth {
                throw error("expression nesting exceeds the maximum depth of \(options.maxDepth)", current.position)
            }
            switch op {
            case .add, .sub, .mul, .div, .mod, .pow: break
            default: throw unexpected(current, context: "duration expression", expected: "")
            }
            advance()
            let rhs = try parseDurationExpr(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = .binary(op, lhs, rhs)
        }
        return lhs
    }

    private mutating func parseDurationUnary() throws(ParseError) -> DurationExpr {
        guard current.kind == .add || current.kind == .sub else { return try parseDurationAtom(context: "duration expression") }
        try enter()
        defer { depth -= 1 }
        let op: UnaryOp = advance().kind == .sub ? .minus : .plus
        let operand = try parseDurationExpr(minPrecedence: BinaryOp.pow.precedence)
        switch operand {
        case .literal(let ms): return .literal(op == .minus ? -ms : ms)
        case .number(let v): return .number(op == .minus ? -v : v)
        default: return .unary(op, operand)
        }
    }

    private mutating func parseDurationAtom(context: String) throws(ParseError) -> DurationExpr {
        let t = current
        switch t.kind {
        case .number:
            advance()
            return .number(try parseNumber(t))
        case .duration:
            advance()
            return .literal(try parseDuration(t))
        case .leftParen:
            try enter()
            defer { depth -= 1 }
            advance()
            let inner = try parseDurationExpr(minPrecedence: 1)
            _ = try expect(.rightParen, context: context, expected: "\")\"")
            return .paren(inner)
        case .identifier:
            switch text(t).lowercased() {
            case "step", "range":
                let isStep = text(t).lowercased() == "step"
                advance()
                _ = try expect(.leftParen, context: context, expected: "\"(\"")
                _ = try expect(.rightParen, context: context, expected: "\")\"")
                return isStep ? .step : .range
            case "min_of", "max_of":
                let isMin = text(t).lowercased() == "min_of"
                try enter()
                defer { depth -= 1 }
                advance()
                _ = try expect(.leftParen, context: context, expected: "\"(\"")
                let a = try parseDurationExpr(minPrecedence: 1)
                _ = try expect(.comma, context: context, expected: "\",\"")
                let b = try parseDurationExpr(minPrecedence: 1)
                _ = try expect(.rightParen, context: context, expected: "\")\"")
                return isMin ? .minOf(a, b) : .maxOf(a, b)
            default:
                throw unexpected(t, context: context, expected: "duration")
            }
        default:
            throw unexpected(t, context: context, expected: "duration")
        }
    }
}
