import ArgumentParser
import PromQLSyntax

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `sundial promql format 'EXPR'`: prints the canonical form of a PromQL expression exactly as
/// Prometheus 2.42's `/api/v1/format_query` does (`Printer.pretty`: split over lines past 100
/// characters; `--single-line` gives `Expr.String()`'s one-line form), or the parse error with a
/// caret under the offending position on stderr and a non-zero exit status.
///
/// `--lines` checks many expressions at once: one per stdin line, one result line each on stdout
/// (`ok<TAB>canonical` or `err<TAB>line:col: parse error: ...`); the exit status is 0.
struct PromQLFormat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "format",
        abstract: "Print a PromQL expression in canonical form, or show where it fails to parse."
    )

    @Argument(help: "The PromQL expression (omit with --lines).")
    var expression: String?

    @Flag(help: "Accept Prometheus v3 syntax (duration expressions, fill modifiers, limitk, info(), ...).")
    var v3 = false

    @Flag(help: "Read one expression per stdin line and print one ok/err line per expression (single-line form).")
    var lines = false

    @Flag(help: "Print on one line (Prometheus's Expr.String()) even when longer than 100 characters.")
    var singleLine = false

    func validate() throws {
        if lines == (expression != nil) {
            throw ValidationError("give either an expression or --lines")
        }
    }

    func run() throws {
        let options: ParserOptions = v3 ? .v3 : .prometheus2
        if lines {
            while let line = readLine(strippingNewline: true) {
                switch Result(catching: { () throws(ParseError) in try Parser.parse(line, options: options) }) {
                case .success(let e): print("ok\t" + Printer.print(e))
                case .failure(let err): print("err\t" + err.description.replacingNewlines())
                }
            }
            return
        }
        do {
            let expr = try Parser.parse(expression ?? "", options: options)
            print(singleLine ? Printer.print(expr) : Printer.pretty(expr))
        } catch {
            var message = error.caretDiagnostic + "\n"
            message.withUTF8 { buf in _ = write(2, buf.baseAddress, buf.count) }
            throw ExitCode(1)
        }
    }
}

extension String {
    /// Newlines and tabs as spaces, so a result stays on one line.
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\t" || $0 == "\r" ? " " : $0 })
    }
}
