import PromQLSyntax

/// libFuzzer target: the PromQL lexer and parser, both grammars (2.42 and v3). Traps on a
/// `ParseError` whose position lies outside the input, or an accepted expression whose printed
/// form (plain or pretty) does not parse back to the same tree.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let q = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for options in [ParserOptions.prometheus2, ParserOptions.v3] {
        do {
            let e = try Parser.parse(q, options: options)
            for printed in [Printer.print(e), Printer.pretty(e)] {
                let again: Expr
                do { again = try Parser.parse(printed, options: options) } catch {
                    preconditionFailure("\(q.debugDescription) printed as \(printed.debugDescription) does not parse: \(error)")
                }
                precondition(again == e, "\(q.debugDescription) printed as \(printed.debugDescription) parses differently")
            }
        } catch {
            let n = q.utf8.count
            precondition(!error.message.isEmpty && error.position.start >= 0 && error.position.start <= error.position.end
                         && error.position.end <= n + 1, "bad error position \(error.position) for \(n) bytes: \(error)")
            _ = error.description
        }
    }
    return 0
}
