import SundialCore

/// The modifiers written between a binary operator and its right operand.
struct BinaryModifiers {
    var returnBool = false
    var matching = VectorMatching()
    /// True when `on(...)`/`ignoring(...)` was written (even with an empty list).
    var hasMatchingClause = false
}

extension Parser {
    /// `[bool] [on|ignoring (labels) [group_left|group_right [(labels)]]] [fill...(v)]`.
    mutating func parseBinaryModifiers(op: BinaryOp, opToken: Token) throws(ParseError) -> BinaryModifiers {
        var m = BinaryModifiers()
        if current.kind == .keyword(.bool) {
            advance()
            m.returnBool = true
        }
        if current.kind == .keyword(.on) || current.kind == .keyword(.ignoring) {
            m.matching.on = advance().kind == .keyword(.on)
            m.matching.matchingLabels = try parseLabelList(context: "grouping opts")
            m.hasMatchingClause = true
            if current.kind == .keyword(.groupLeft) || current.kind == .keyword(.groupRight) {
                m.matching.cardinality = advance().kind == .keyword(.groupLeft) ? .manyToOne : .oneToMany
                if current.kind == .leftParen {
                    m.matching.include = try parseLabelList(context: "grouping opts")
                }
            }
        }
        if options.fillModifiers {
            while current.kind == .identifier, peek().kind == .leftParen {
                let name = text(current)
                guard name == "fill" || name == "fill_left" || name == "fill_right" else { break }
                let t = advance()
                advance()
                var sign = 1.0
                if current.kind == .sub || current.kind == .add {
                    if advance().kind == .sub { sign = -1 }
                }
                let n = try expect(.number, context: "fill modifier", expected: "number")
                let v = sign * (try parseNumber(n))
                _ = try expect(.rightParen, context: "fill modifier", expected: "\")\"")
                switch name {
                case "fill":
                    if m.matching.fillLeft != nil || m.matching.fillRight != nil {
                        throw error("fill modifier may not be set multiple times", t.position)
                    }
                    m.matching.fillLeft = v
                    m.matching.fillRight = v
                case "fill_left":
                    if m.matching.fillLeft != nil { throw error("fill_left may not be set multiple times", t.position) }
                    m.matching.fillLeft = v
                default:
                    if m.matching.fillRight != nil { throw error("fill_right may not be set multiple times", t.position) }
                    m.matching.fillRight = v
                }
            }
        }
        return m
    }

    /// Builds a binary expression and applies Prometheus's `checkAST` rules for it.
    func makeBinary(op: BinaryOp, opToken: Token, lhs: Expr, rhs: Expr, modifiers m: BinaryModifiers) throws(ParseError) -> Expr {
        let position = lhs.position.union(rhs.position)
        let lt = lhs.type
        let rt = rhs.type
        var matching = m.matching
        if m.returnBool && !op.isComparison {
            throw error("bool modifier can only be used on comparison operators", opToken.position)
        }
        if op.isComparison && !m.returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", opToken.position)
        }
        if op.isSetOperator && matching.cardinality == .oneToOne { matching.cardinality = .manyToMany }
        if matching.on {
            for l1 in matching.matchingLabels where matching.include.contains(l1) {
                throw error("label \(GoQuote.quote(l1)) must not occur in ON and GROUP clause at once", opToken.position)
            }
        }
        if lt != .scalar && lt != .instantVector {
            throw error("binary expression must contain only scalar and instant vector types", lhs.position)
        }
        if rt != .scalar && rt != .instantVector {
            throw error("binary expression must contain only scalar and instant vector types", rhs.position)
        }
        let bothVectors = lt == .instantVector && rt == .instantVector
        if !bothVectors {
            if !matching.matchingLabels.isEmpty {
                throw error("vector matching only allowed between instant vectors", position)
            }
        } else if op.isSetOperator {
            if matching.cardinality == .oneToMany || matching.cardinality == .manyToOne {
                throw error("no grouping allowed for \"\(op)\" operation", position)
            }
        }
        if (lt == .scalar || rt == .scalar) && op.isSetOperator {
            throw error("set operator \(GoQuote.quote(op.description)) not allowed in binary scalar expression", position)
        }
        if (matching.fillLeft != nil || matching.fillRight != nil) && !bothVectors {
            throw error("fill modifiers are only allowed between instant vectors", position)
        }
        return .binary(BinaryExpr(
            op: op, lhs: lhs, rhs: rhs, returnBool: m.returnBool, matching: bothVectors ? matching : nil,
            position: position))
    }
}
