import SundialCore

extension Parser {
    /// `name? { matchers }?`; `nameToken` is the metric-name token when one was written.
    mutating func parseSelector(name: String?, nameToken: Token?) throws(ParseError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        var start = nameToken?.position.start ?? current.position.start
        var end = nameToken?.position.end ?? current.position.start
        var metricName = name
        if let name {
            matchers.append(LabelMatcher.equal("__name__", name))
        }
        if current.kind == .leftBrace {
            let open = advance()
            start = Swift.min(start, open.position.start)
            while current.kind != .rightBrace {
                try parseMatcher(into: &matchers, metricName: &metricName, hadName: name != nil)
                if current.kind == .comma {
                    advance()
                } else if current.kind != .rightBrace {
                    throw unexpected(current, context: "label matching", expected: "\",\" or \"}\"")
                }
            }
            end = advance().position.end
        }
        let position = SourceRange(start: start, end: end)
        // Prometheus `newVectorSelector` / checkAST: a name given twice, and selectors that
        // would match every series.
        var nameMatchers = 0
        for m in matchers where m.name == "__name__" { nameMatchers += 1 }
        if name != nil && nameMatchers > 1 {
            for m in matchers.dropFirst() where m.name == "__name__" {
                throw error("metric name must not be set twice: \(GoQuote.quote(name!)) or \(GoQuote.quote(m.value))", position)
            }
        }
        if !allowEmptyMatchers && !matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", position)
        }
        return VectorSelector(name: name, matchers: matchers, position: position)
    }

    /// One `label op "value"` (or, with quoted names, a bare `"metric.name"`).
    private mutating func parseMatcher(into matchers: inout [LabelMatcher], metricName: inout String?, hadName: Bool) throws(ParseError) {
        let labelToken = current
        let label: String
        switch labelToken.kind {
        case .identifier:
            label = text(labelToken)
            advance()
        case .string where options.quotedNames:
            label = try unquote(labelToken)
            advance()
            if current.kind == .comma || current.kind == .rightBrace {
                // `{"metric.name"}`: a metric name written as a string.
                if hadName || metricName != nil {
                    throw error("metric name must not be set twice: \(GoQuote.quote(metricName ?? "")) or \(GoQuote.quote(label))", labelToken.position)
                }
                metricName = label
                matchers.append(LabelMatcher.equal("__name__", label))
                return
            }
        default:
            throw unexpected(labelToken, context: "label matching", expected: "identifier or \"}\"")
        }
        let type: MatchType
        switch current.kind {
        case .assign: type = .equal
        case .neq: type = .notEqual
        case .regexMatch: type = .regexMatch
        case .regexNoMatch: type = .regexNoMatch
        default: throw unexpected(current, context: "label matching", expected: "label matching operator")
        }
        advance()
        let valueToken = current
        guard valueToken.kind == .string else {
            throw unexpected(valueToken, context: "label matching", expected: "string")
        }
        advance()
        let value = try unquote(valueToken)
        do {
            if let matcherCache, type == .regexMatch || type == .regexNoMatch {
                matchers.append(try matcherCache.matcher(type, label, value))
            } else {
                matchers.append(try LabelMatcher(type, label, value))
            }
        } catch {
            throw self.error("error parsing regexp: \(error.message)", labelToken.position.union(valueToken.position))
        }
    }

    /// `[range]` after a vector selector, or `[range:step?]` after any instant-vector expression.
    mutating func parseRangeOrSubquery(_ e: Expr) throws(ParseError) -> Expr {
        let open = advance()
        let range = try parseBracketDuration(context: "subquery or range selector", allowEmpty: false)!
        if current.kind == .rightBracket {
            let close = advance()
            // Prometheus reports these at the brackets.
            let brackets = open.position.union(close.position)
            guard case .vectorSelector(let vs) = e else {
                throw error("ranges only allowed for vector selectors", brackets)
            }
            if vs.offset != nil {
                throw error("no offset modifiers allowed before range", brackets)
            }
            if vs.at != nil {
                throw error("no @ modifiers allowed before range", brackets)
            }
            try checkPositive(range, open.position.union(close.position))
            return .matrixSelector(MatrixSelector(vectorSelector: vs, range: range, position: vs.position.union(close.position)))
        }
        guard current.kind == .colon else {
            throw unexpected(current, context: "subquery or range", expected: "\":\" or \"]\"")
        }
        advance()
        let step = try parseBracketDuration(context: "subquery or range selector", allowEmpty: true)
        let close = try expect(.rightBracket, context: "subquery or range", expected: "\"]\"")
        let position = e.position.union(close.position)
        try checkPositive(range, open.position.union(close.position))
        if let step { try checkPositive(step, open.position.union(close.position)) }
        guard e.type == .instantVector else {
            throw error("subquery is only allowed on instant vector, got \(e.type.apiName) instead", position)
        }
        return .subquery(Subquery(expr: e, range: range, step: step, position: position))
    }

    /// A literal range or step must be > 0 (Prometheus `parseDuration`: "duration must be greater than 0").
    private func checkPositive(_ d: DurationExpr, _ position: SourceRange) throws(ParseError) {
        if let ms = d.literalMs, ms <= 0 { throw error("duration must be greater than 0", position) }
    }

    /// `offset d` after a selector or subquery.
    mutating func parseOffset(_ e: Expr) throws(ParseError) -> Expr {
        let kw = advance()
        let d = try parseOffsetDuration()
        let value: DurationExpr? = d.literalMs == 0 ? nil : d
        let position = e.position.union(tokens[index - 1].position)
        let dup = "offset may not be set multiple times"
        switch e {
        case .vectorSelector(var vs):
            if vs.offset != nil { throw error(dup, position) }
            vs.offset = value
            vs.position = position
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.vectorSelector.offset != nil { throw error(dup, position) }
            ms.vectorSelector.offset = value
            ms.position = position
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.offset != nil { throw error(dup, position) }
            sq.offset = value
            sq.position = position
            return .subquery(sq)
        default:
            _ = kw
            throw error(
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                position)
        }
    }

    /// `@ t`, `@ start()`, `@ end()` after a selector or subquery.
    mutating func parseAt(_ e: Expr) throws(ParseError) -> Expr {
        let atToken = advance()
        let at: AtModifier
        switch current.kind {
        case .keyword(.start), .keyword(.end):
            let isStart = current.kind == .keyword(.start)
            advance()
            _ = try expect(.leftParen, context: "@", expected: "timestamp")
            _ = try expect(.rightParen, context: "@", expected: "timestamp")
            at = isStart ? .start : .end
        case .number, .add, .sub, .duration:
            var sign = 1.0
            if current.kind == .add || current.kind == .sub {
                if current.kind == .sub { sign = -1 }
                advance()
            }
            let n = current
            let ts: Double
            if n.kind == .duration && options.durationExpressions {
                advance()
                ts = sign * Double(try parseDuration(n)) / 1000
            } else {
                _ = try expect(.number, context: "@", expected: "timestamp")
                ts = sign * (try parseNumber(n))
            }
            let ms = (ts * 1000).rounded(.toNearestOrAwayFromZero)
            guard ts.isFinite, ms > -9.223372036854775e18, ms < 9.223372036854775e18 else {
                throw error("timestamp out of bounds for @ modifier: \(formatFixed(ts))", e.position.union(n.position))
            }
            at = .timestamp(Int64(ms))
        default:
            throw unexpected(current, context: "@", expected: "timestamp")
        }
        let position = e.position.union(tokens[index - 1].position)
        let dup = "@ <timestamp> may not be set multiple times"
        switch e {
        case .vectorSelector(var vs):
            if vs.at != nil { throw error(dup, position) }
            vs.at = at
            vs.position = position
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.vectorSelector.at != nil { throw error(dup, position) }
            ms.vectorSelector.at = at
            ms.position = position
            return .matrixSelector(ms)
        case .subquery(var sq):
            if sq.at != nil { throw error(dup, position) }
            sq.at = at
            sq.position = position
            return .subquery(sq)
        default:
            _ = atToken
            throw error(
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                position)
        }
    }

    /// v3 `anchored` / `smoothed` after a selector or range selector.
    mutating func parseRangeModifier(_ e: Expr) throws(ParseError) -> Expr {
        let t = advance()
        let anchored = t.kind == .keyword(.anchored)
        let name = anchored ? "anchored" : "smoothed"
        func apply(_ vs: inout VectorSelector) throws(ParseError) {
            if vs.anchored || vs.smoothed {
                throw error("\(name) may not be combined with another range modifier", t.position)
            }
            if anchored { vs.anchored = true } else { vs.smoothed = true }
        }
        switch e {
        case .vectorSelector(var vs):
            try apply(&vs)
            vs.position = vs.position.union(t.position)
            return .vectorSelector(vs)
        case .matrixSelector(var ms):
            try apply(&ms.vectorSelector)
            ms.position = ms.position.union(t.position)
            return .matrixSelector(ms)
        default:
            throw error("\(name) modifier must be preceded by an instant vector selector or range vector selector", t.position)
        }
    }
}

/// `%f` formatting (6 decimals) for messages.
func formatFixed(_ v: Double) -> String {
    if !v.isFinite { return v.isNaN ? "NaN" : (v > 0 ? "+Inf" : "-Inf") }
    let scaled = (abs(v) * 1_000_000).rounded()
    if scaled >= 9e18 {
        // Beyond Int64: the shortest digits padded with zeros (exact for the integral doubles
        // this can be), then Go's six decimals.
        let (negative, digits, pointPos) = Printer.shortestDigits(v)
        let intPart = String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: Swift.max(0, pointPos - digits.count))
        return (negative ? "-" : "") + intPart + ".000000"
    }
    let i = Int64(scaled)
    let frac = String(i % 1_000_000)
    return (v < 0 ? "-" : "") + String(i / 1_000_000) + "." + String(repeating: "0", count: 6 - frac.count) + frac
}
