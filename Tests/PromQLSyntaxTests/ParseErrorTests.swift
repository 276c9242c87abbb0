import PromQLSyntax
import Testing

/// Error positions and rendering.
@Suite struct ParseErrorTests {
    static func error(_ q: String) -> ParseError? {
        do {
            _ = try Parser.parse(q)
            return nil
        } catch {
            return error
        }
    }

    @Test func lineAndColumnAreOneBasedBytes() throws {
        let e = try #require(Self.error("sum by (a) (x) by (b)"))
        #expect(e.description == "1:16: parse error: unexpected <by>")
        #expect(e.position == SourceRange(start: 15, end: 17))
        let multi = try #require(Self.error("sum(\n  rate(x[5m])\n  ,, )"))
        #expect(multi.lineColumn.line == 3)
        #expect(multi.lineColumn.column == 4)
        // Columns count bytes, as Prometheus does: "é" is two bytes.
        let utf8 = try #require(Self.error("\"é\" + ]"))
        #expect(utf8.lineColumn.column == 8)
    }

    @Test func caretPointsAtTheOffendingToken() throws {
        let e = try #require(Self.error("rate(foo[5m]) by (x)"))
        let lines = e.caretDiagnostic.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1] == "rate(foo[5m]) by (x)")
        #expect(lines[2] == "              ^^")
        let u = try #require(Self.error("\"日本\" + ]"))
        let ul = u.caretDiagnostic.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(ul[2] == "       ^")  // padded by characters, so it lines up on a terminal
    }

    @Test func endOfInputErrors() throws {
        #expect(Self.error("sum(")?.message == "unclosed left parenthesis")
        #expect(Self.error("foo{a=\"b\"")?.message == "unexpected end of input inside braces")
        #expect(Self.error("foo[5m")?.message == "unclosed left bracket")
        #expect(Self.error("1 +")?.message == "unexpected end of input")
        #expect(Self.error("")?.message == "no expression found in input")
    }

    @Test func typeErrorsReadLikePrometheus() {
        #expect(Self.error("rate(x)")?.description
            == "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector")
        #expect(Self.error("sum(x[5m])")?.message == "expected type instant vector in aggregation expression, got range vector")
        #expect(Self.error("1 > 2")?.message == "comparisons between scalars must use BOOL modifier")
        #expect(Self.error("x and 1")?.message == "set operator \"and\" not allowed in binary scalar expression")
        #expect(Self.error("x + bool y")?.message == "bool modifier can only be used on comparison operators")
        #expect(Self.error("x[5m:1m][5m:]")?.message == "subquery is only allowed on instant vector, got matrix instead")
    }
}
