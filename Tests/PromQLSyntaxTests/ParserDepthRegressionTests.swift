import PromQLSyntax
import Testing

/// Inputs found by the seeded fuzzers in Tests/FuzzTests (PromQLParserFuzzTests.deepAndLongInputs)
/// that crashed the process with a stack overflow before the fix.
@Suite struct ParserDepthRegressionTests {
    /// `sum(sum(…(foo)…))` 450+ deep passed the depth limit (each level counted 2 of 1000) yet
    /// overflowed an 8 MiB stack in a debug build: calls and aggregations now count 3 per level.
    @Test func deeplyNestedAggregationsAndCallsAreErrors() {
        for head in ["sum(", "abs(", "topk(1, ", "sum by (a) ("] {
            let q = String(repeating: head, count: 600) + "foo" + String(repeating: ")", count: 600)
            #expect(throws: ParseError.self) { try Parser.parse(q) }
        }
        // Real queries nest a handful of levels; 150 still parse.
        let ok = String(repeating: "sum(", count: 150) + "foo" + String(repeating: ")", count: 150)
        #expect(throws: Never.self) { try Parser.parse(ok) }
    }
}
