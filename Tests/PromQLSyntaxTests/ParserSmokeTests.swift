import PromQLSyntax
import SundialCore
import Testing

@Suite struct ParserSmokeTests {
    @Test func parsesCommonQueries() throws {
        let queries = [
            "foo", "foo{a=\"b\"}", "rate(foo[5m])", "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))",
            "-1 ^ 2", "a - -b", "foo offset 5m @ 100", "rate(x[5m])[30m:1m]", "sum without () (x)",
            "{__name__=~\"a|b\"}", "topk(3, foo)", "foo and on(a) bar", "a / on(x) group_left(y) b",
            "1 == bool 2", "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", "count_values(\"v\", foo)",
        ]
        for q in queries {
            _ = try Parser.parse(q)
        }
    }

    @Test func unaryMinusBindsLooserThanPow() throws {
        let e = try Parser.parse("-1 ^ 2")
        guard case .unary(let u) = e, case .binary(let b) = u.expr else {
            Issue.record("got \(e)")
            return
        }
        #expect(b.op == .pow)
    }
}
