import ArgumentParser
import PromQLSyntax

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `sundial promql format 'EXPR'`: prints the canonical form of a PromQL expression (as
/// Prometheus's `/api/v1/format_query` does for single-line output), or the parse error with a
/// caret under the offending position on stderr and a non-zero exit status.
struct PromQLFormat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "format",
        abstract: "Print a PromQL expression in canonical form, or show where it fails to parse."
    )

    @Argument(help: "The PromQL expression.")
    var expression: String

    @Flag(help: "Accept Prometheus v3 syntax (duration expressions, fill modifiers, limitk, info(), ...).")
    var v3 = false

    func run() throws {
        do {
            let expr = try Parser.parse(expression, options: v3 ? .v3 : .prometheus2)
            print(Printer.print(expr))
        } catch {
            var message = error.caretDiagnostic + "\n"
            message.withUTF8 { buf in _ = write(2, buf.baseAddress, buf.count) }
            throw ExitCode(1)
        }
    }
}
