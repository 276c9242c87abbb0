import PromQLSyntax
import Testing

/// v3 duration expressions evaluate like Prometheus's duration visitor (float seconds).
@Suite struct DurationExprTests {
    static func range(_ q: String) throws -> DurationExpr? {
        switch try Parser.parse(q, options: .v3) {
        case .matrixSelector(let m): return m.range
        case .subquery(let s): return s.range
        default: return nil
        }
    }

    @Test(arguments: [
        ("x[26m+4m]", Int64(1_800_000)), ("x[60*30]", 1_800_000), ("x[2m*(10+5)]", 1_800_000), ("x[1h/2]", 1_800_000),
        ("x[1h30m % 1h]", 1_800_000), ("x[30m1s-30m1s % 1m]", 1_800_000), ("x[-5m+35m]", 1_800_000),
        ("x[24m+((1.5*2m)+2m)]", 1_740_000), ("x[2^3]", 8000), ("x[min_of(1h, 30m)]", 1_800_000),
        ("x[max_of(1m, 2m)]", 120_000),
    ])
    func constantExpressions(_ q: String, _ ms: Int64) throws {
        let d = try #require(try Self.range(q))
        #expect(d.isConstant)
        #expect(d.evaluateMs(stepMs: 0, rangeMs: 0) == ms)
    }

    @Test func queryDependentExpressions() throws {
        let d = try #require(try Self.range("x[step()*2+range()]"))
        #expect(!d.isConstant)
        #expect(d.literalMs == nil)
        #expect(d.evaluateMs(stepMs: 15_000, rangeMs: 3_600_000) == 3_630_000)
        let s = try #require(try Self.range("x[1+(STep()-5)*2]"))
        #expect(s.evaluateMs(stepMs: 10_000, rangeMs: 0) == 11_000)
    }

    @Test func literalsStayLiterals() throws {
        #expect(try Self.range("x[5m]") == .literal(300_000))
        #expect(try Self.range("x[1800]") == .literal(1_800_000))
        #expect(try Self.range("x[1.5]") == .literal(1500))
        #expect(throws: ParseError.self) { try Parser.parse("x[0]", options: .v3) }
        #expect(DurationExpr.binary(.div, .literal(1000), .number(0)).evaluateMs(stepMs: 0, rangeMs: 0) == nil)
    }
}
