import SundialCore

extension Parser {
    /// `name(args...)`, resolved against ``Function`` and type-checked (Prometheus `checkAST` for calls).
    mutating func parseCall() throws(ParseError) -> Expr {
        let nameToken = advance()
        let name = text(nameToken)
        var resolved = Function(name: name)
        if let f = resolved, f.isV3Only && !options.experimentalFunctions { resolved = nil }
        // An unknown name is reported after the arguments parse, so an earlier syntax error wins
        // (as in Prometheus, where the name is checked when the whole call is reduced).
        let function = resolved ?? .abs
        try enter(Self.heavyFrameWeight)
        defer { depth -= Self.heavyFrameWeight }
        advance()  // (
        var args: [Expr] = []
        if current.kind != .rightParen {
            while true {
                // Prometheus v3 lets `info`'s label-selector argument match everything.
                allowEmptyMatchers = function == .info && args.count == 1
                args.append(try parseExpr())
                allowEmptyMatchers = false
                if current.kind == .comma {
                    let comma = advance()
                    if current.kind == .rightParen {
                        throw error("trailing commas not allowed in function call args", comma.position)
                    }
                    continue
                }
                if current.kind == .rightParen { break }
                throw unexpected(current, context: "function call", expected: "\",\" or \")\"")
            }
        }
        let close = advance()
        let position = nameToken.position.union(close.position)
        guard resolved != nil else { throw error("unknown function with name \(GoQuote.quote(name))", nameToken.position) }
        try checkCall(function, args: args, position: position)
        return .call(Call(function: function, args: args, position: position))
    }

    private func checkCall(_ f: Function, args: [Expr], position: SourceRange) throws(ParseError) {
        let sig = f.signature
        let name = GoQuote.quote(f.rawValue)
        if sig.variadic == 0 {
            if args.count != sig.arguments.count {
                throw error("expected \(sig.arguments.count) argument(s) in call to \(name), got \(args.count)", position)
            }
        } else {
            if args.count < sig.minArguments {
                throw error("expected at least \(sig.minArguments) argument(s) in call to \(name), got \(args.count)", position)
            }
            if let max = sig.maxArguments, args.count > max {
                throw error("expected at most \(max) argument(s) in call to \(name), got \(args.count)", position)
            }
        }
        for (i, arg) in args.enumerated() {
            try expectType(arg, sig.argumentType(at: i), context: "call to function \(name)")
        }
        if f == .info, args.count == 2 {
            guard case .vectorSelector = args[1].unparenthesized else {
                throw error("expected label selectors as the second argument to \"info\" function, got \(args[1].type)", args[1].position)
            }
        }
    }

    /// Prometheus `expectType`: `expected type <want> in <context>, got <have>`.
    func expectType(_ e: Expr, _ want: ValueType, context: String) throws(ParseError) {
        if e.type != want {
            throw error("expected type \(want) in \(context), got \(e.type)", e.position)
        }
    }

    /// `op [by|without (...)] (args) [by|without (...)]`.
    mutating func parseAggregation(_ op: AggregationOp) throws(ParseError) -> Expr {
        let opToken = advance()
        try enter(Self.heavyFrameWeight)
        defer { depth -= Self.heavyFrameWeight }
        var grouping: [String] = []
        var without = false
        var hasModifier = false
        if current.kind == .keyword(.by) || current.kind == .keyword(.without) {
            without = advance().kind == .keyword(.without)
            grouping = try parseLabelList(context: "grouping opts")
            hasModifier = true
        }
        guard current.kind == .leftParen else {
            throw unexpected(current, context: "aggregation", expected: "")
        }
        advance()
        var args: [Expr] = []
        if current.kind != .rightParen {
            while true {
                args.append(try parseExpr())
                if current.kind == .comma {
                    let comma = advance()
                    if current.kind == .rightParen {
                        throw error("trailing commas not allowed in function call args", comma.position)
                    }
                    continue
                }
                if current.kind == .rightParen { break }
                throw unexpected(current, context: "aggregation", expected: "\",\" or \")\"")
            }
        }
        var end = advance().position
        if !hasModifier, current.kind == .keyword(.by) || current.kind == .keyword(.without) {
            without = advance().kind == .keyword(.without)
            grouping = try parseLabelList(context: "grouping opts")
            end = tokens[index - 1].position
        }
        let position = opToken.position.union(end)
        if args.isEmpty { throw error("no arguments for aggregate expression provided", position) }
        let desired = op.parameterType == nil ? 1 : 2
        if args.count != desired {
            throw error("wrong number of arguments for aggregate expression provided, expected \(desired), got \(args.count)", position)
        }
        let expr = args[desired - 1]
        let param: Expr? = desired == 2 ? args[0] : nil
        try expectType(expr, .instantVector, context: "aggregation expression")
        if let param, let want = op.parameterType {
            try expectType(param, want, context: "aggregation parameter")
        }
        return .aggregation(Aggregation(op: op, expr: expr, param: param, grouping: grouping, without: without, position: position))
    }

    /// `( label, ... )` for `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    /// Keywords are valid label names here; a trailing comma is allowed.
    mutating func parseLabelList(context: String) throws(ParseError) -> [String] {
        _ = try expect(.leftParen, context: context, expected: "\"(\"")
        var labels: [String] = []
        while current.kind != .rightParen {
            let t = current
            switch t.kind {
            case .keyword(.without):
                // Prometheus's `maybe_label` omits WITHOUT.
                throw unexpected(t, context: context, expected: "label")
            case .identifier, .keyword:
                labels.append(text(t))
            case .string where options.quotedNames:
                labels.append(try unquote(t))
            default:
                throw unexpected(t, context: context, expected: "label")
            }
            advance()
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightParen {
                throw unexpected(current, context: context, expected: "\",\" or \")\"")
            }
        }
        advance()
        return labels
    }
}
