/// A syntax or type error in a PromQL expression, with the bytes it concerns.
///
/// `description` renders like Prometheus's `ParseErr.Error()`: `1:14: parse error: <message>`,
/// line and column 1-based, the column counted in bytes from the line's start.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in Prometheus's words where it has them (`unexpected <by> in aggregation`).
    public var message: String
    /// The offending bytes of the input.
    public var position: SourceRange
    /// The full input, for computing line and column.
    public var query: String

    /// An error at `position` in `query`.
    public init(message: String, position: SourceRange, query: String) {
        self.message = message
        self.position = position
        self.query = query
    }

    /// 1-based line and byte column of ``position``'s start.
    public var lineColumn: (line: Int, column: Int) {
        var line = 1
        var lastBreak = -1
        var i = 0
        for b in query.utf8 {
            if i >= position.start { break }
            if b == UInt8(ascii: "\n") {
                line += 1
                lastBreak = i
            }
            i += 1
        }
        return (line, position.start - lastBreak)
    }

    /// `line:col: parse error: message`.
    public var description: String {
        let (line, col) = lineColumn
        return "\(line):\(col): parse error: \(message)"
    }

    /// The error, the offending line and a caret line under the position (for terminals).
    public var caretDiagnostic: String {
        let bytes = Array(query.utf8)
        var lineStart = Swift.min(position.start, bytes.count)
        while lineStart > 0 && bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        var lineEnd = Swift.min(position.start, bytes.count)
        while lineEnd < bytes.count && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        let lineText = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
        // Pad by characters, not bytes, so the caret lines up under multi-byte text.
        let prefix = String(decoding: bytes[lineStart..<Swift.min(position.start, bytes.count)], as: UTF8.self)
        let width = Swift.max(1, Swift.min(position.end, lineEnd) - Swift.min(position.start, lineEnd))
        let underline = String(repeating: "^", count: Swift.min(width, Swift.max(1, lineText.count - prefix.count)))
        return "\(description)\n\(lineText)\n\(String(repeating: " ", count: prefix.count))\(underline)"
    }
}
