import SundialCore

/// Splits PromQL text into ``Token``s in one linear pass (the token rules of Prometheus's
/// `promql/parser/lex.go`).
///
/// Context matters as in Prometheus: inside `{...}` words are plain identifiers (keywords are
/// label names there and `:` is not part of a name); inside `[...]` a `:` is the subquery
/// separator. Comments (`#` to end of line) and whitespace are skipped.
///
/// Not thread-safe (a value with a cursor); each parse uses its own.
struct Lexer {
    let bytes: [UInt8]
    let query: String
    let options: ParserOptions
    private var pos = 0
    private var braceOpen = false
    private var bracketDepth = 0
    private var parenDepth = 0

    init(_ query: String, options: ParserOptions) {
        self.query = query
        self.bytes = Array(query.utf8)
        self.options = options
    }

    /// Tokenizes the whole input; the last token is `.eof`.
    /// - Complexity: O(n) in the input length.
    mutating func tokenize() throws(ParseError) -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3 + 2)
        while true {
            let t = try next()
            tokens.append(t)
            if t.kind == .eof { return tokens }
        }
    }

    private func error(_ message: String, _ start: Int, _ end: Int) -> ParseError {
        ParseError(message: message, position: SourceRange(start: start, end: end), query: query)
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : 0
    }

    private mutating func next() throws(ParseError) -> Token {
        // Skip whitespace and comments.
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                while pos < bytes.count && bytes[pos] != 0x0A { pos += 1 }
            } else {
                break
            }
        }
        let start = pos
        guard pos < bytes.count else {
            if braceOpen { throw error("unexpected end of input inside braces", start, start) }
            if bracketDepth > 0 { throw error("unexpected end of input inside brackets", start, start) }
            if parenDepth > 0 { throw error("unclosed left parenthesis", start, start) }
            return Token(kind: .eof, position: SourceRange(start: start, end: start))
        }
        let c = bytes[pos]
        func tok(_ k: TokenKind, _ n: Int) -> Token {
            pos += n
            return Token(kind: k, position: SourceRange(start: start, end: pos))
        }
        switch c {
        case UInt8(ascii: "("):
            parenDepth += 1
            return tok(.leftParen, 1)
        case UInt8(ascii: ")"):
            parenDepth -= 1
            if parenDepth < 0 { throw error("unexpected right parenthesis \")\"", start, start + 1) }
            return tok(.rightParen, 1)
        case UInt8(ascii: "{"):
            if braceOpen { throw error("unexpected left brace '{'", start, start + 1) }
            braceOpen = true
            return tok(.leftBrace, 1)
        case UInt8(ascii: "}"):
            if !braceOpen { throw error("unexpected right brace '}'", start, start + 1) }
            braceOpen = false
            return tok(.rightBrace, 1)
        case UInt8(ascii: "["):
            if braceOpen { throw error("unexpected left bracket '['", start, start + 1) }
            bracketDepth += 1
            return tok(.leftBracket, 1)
        case UInt8(ascii: "]"):
            if bracketDepth == 0 { throw error("unexpected right bracket ']'", start, start + 1) }
            bracketDepth -= 1
            return tok(.rightBracket, 1)
        case UInt8(ascii: ","): return tok(.comma, 1)
        case UInt8(ascii: "@"): return tok(.at, 1)
        case UInt8(ascii: "+"): return tok(.add, 1)
        case UInt8(ascii: "-"): return tok(.sub, 1)
        case UInt8(ascii: "*"): return tok(.mul, 1)
        case UInt8(ascii: "/"): return tok(.div, 1)
        case UInt8(ascii: "%"): return tok(.mod, 1)
        case UInt8(ascii: "^"): return tok(.pow, 1)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return tok(.eql, 2) }
            if peek(1) == UInt8(ascii: "~") { return tok(.regexMatch, 2) }
            return tok(.assign, 1)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return tok(.neq, 2) }
            if peek(1) == UInt8(ascii: "~") { return tok(.regexNoMatch, 2) }
            throw error("unexpected character after '!': \(describe(peek(1)))", start, start + 2)
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { return tok(.lte, 2) }
            if peek(1) == UInt8(ascii: "/") && options.experimentalFunctions { return tok(.trimUpper, 2) }
            return tok(.lss, 1)
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") { return tok(.gte, 2) }
            if peek(1) == UInt8(ascii: "/") && options.experimentalFunctions { return tok(.trimLower, 2) }
            return tok(.gtr, 1)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            try scanQuoted(quote: c)
            return Token(kind: .string, position: SourceRange(start: start, end: pos))
        case UInt8(ascii: "`"):
            pos += 1
            while pos < bytes.count && bytes[pos] != UInt8(ascii: "`") { pos += 1 }
            if pos >= bytes.count { throw error("unterminated raw string", start, pos) }
            pos += 1
            return Token(kind: .string, position: SourceRange(start: start, end: pos))
        case UInt8(ascii: ":"):
            if bracketDepth > 0 || braceOpen { return tok(.colon, 1) }
            return scanWord(start)
        default:
            if isDigit(c) || (c == UInt8(ascii: ".") && isDigit(peek(1))) {
                return try scanNumberOrDuration(start)
            }
            if isAlpha(c) { return scanWord(start) }
            throw error("unexpected character: \(describe(c))", start, start + 1)
        }
    }

    private func describe(_ c: UInt8) -> String {
        if c == 0 { return "end of input" }
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return String(format16: c)
    }

    private mutating func scanWord(_ start: Int) -> Token {
        let allowColon = !braceOpen
        while pos < bytes.count {
            let c = bytes[pos]
            if isAlpha(c) || isDigit(c) || (allowColon && c == UInt8(ascii: ":")) { pos += 1 } else { break }
        }
        let range = SourceRange(start: start, end: pos)
        if braceOpen { return Token(kind: .identifier, position: range) }
        let word = String(decoding: bytes[start..<pos], as: UTF8.self)
        var hasColon = false
        for b in bytes[start..<pos] where b == UInt8(ascii: ":") { hasColon = true }
        if hasColon { return Token(kind: .metricIdentifier, position: range) }
        let lower = word.lowercased()
        if lower == "inf" || lower == "nan" { return Token(kind: .number, position: range) }
        if let kw = Keyword.lookup(lower, options: options) { return Token(kind: .keyword(kw), position: range) }
        return Token(kind: .identifier, position: range)
    }

    /// Prometheus `scanNumber` + `acceptRemainingDuration`: a number not followed by a letter or
    /// digit, otherwise a duration made of `<digits><unit>` groups.
    private mutating func scanNumberOrDuration(_ start: Int) throws(ParseError) -> Token {
        var hex = false
        if peek() == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X")) {
            hex = true
            pos += 2
        }
        func digitsRun(_ hex: Bool) {
            while pos < bytes.count {
                let c = bytes[pos]
                if isDigit(c) || (hex && isHexLetter(c)) {
                    pos += 1
                } else if c == UInt8(ascii: "_") && options.numberUnderscores && pos > start
                    && pos + 1 < bytes.count && (isDigit(bytes[pos + 1]) || (hex && isHexLetter(bytes[pos + 1])))
                    && (isDigit(bytes[pos - 1]) || (hex && isHexLetter(bytes[pos - 1]))) {
                    pos += 1
                } else {
                    break
                }
            }
        }
        digitsRun(hex)
        if peek() == UInt8(ascii: ".") {
            pos += 1
            digitsRun(hex)
        }
        if !hex, peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            // An exponent, unless this is a duration (`1e` is not a unit, so no ambiguity).
            pos += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { pos += 1 }
            while isDigit(peek()) { pos += 1 }
        }
        if !isAlphaNumeric(peek()) {
            return Token(kind: .number, position: SourceRange(start: start, end: pos))
        }
        // Duration: `<unit>` then any number of `<digits><unit>` groups, then a non-alphanumeric.
        func acceptUnit(_ allowY: Bool) -> Bool {
            let c = peek()
            let units: [UInt8] = allowY ? Array("smhdwy".utf8) : Array("smhdw".utf8)
            guard units.contains(c) else { return false }
            pos += 1
            if peek() == UInt8(ascii: "s") { pos += 1 }
            return true
        }
        var ok = acceptUnit(true)
        while ok && isDigit(peek()) {
            while isDigit(peek()) { pos += 1 }
            ok = acceptUnit(false)
        }
        if ok && !isAlphaNumeric(peek()) {
            return Token(kind: .duration, position: SourceRange(start: start, end: pos))
        }
        while isAlphaNumeric(peek()) || peek() == UInt8(ascii: ".") { pos += 1 }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        throw error("bad number or duration syntax: \(GoQuoteLite.quote(text))", start, pos)
    }

    /// Scans a `"` or `'` string, validating escapes as Prometheus's `lexEscape` does.
    private mutating func scanQuoted(quote: UInt8) throws(ParseError) {
        let start = pos
        pos += 1
        while true {
            guard pos < bytes.count else { throw error("unterminated quoted string", start, pos) }
            let c = bytes[pos]
            if c == quote {
                pos += 1
                return
            }
            if c == 0x0A { throw error("unterminated quoted string", start, pos) }
            if c == UInt8(ascii: "\\") {
                let escStart = pos
                pos += 1
                guard pos < bytes.count else { throw error("escape sequence not terminated", escStart, pos) }
                let e = bytes[pos]
                pos += 1
                var n = 0
                var base: UInt32 = 0
                var max: UInt32 = 0
                switch e {
                case UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
                     UInt8(ascii: "t"), UInt8(ascii: "v"), UInt8(ascii: "\\"), quote:
                    continue
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    // The first octal digit is `e` itself: read three digits from it.
                    pos -= 1
                    n = 3; base = 8; max = 255
                case UInt8(ascii: "x"): n = 2; base = 16; max = 255
                case UInt8(ascii: "u"): n = 4; base = 16; max = 0x10FFFF
                case UInt8(ascii: "U"): n = 8; base = 16; max = 0x10FFFF
                case 0x0A: throw error("unterminated quoted string", start, pos)
                default:
                    throw error("unknown escape sequence \(describe(e))", escStart, pos)
                }
                var x: UInt32 = 0
                for _ in 0..<n {
                    guard pos < bytes.count else { throw error("escape sequence not terminated", escStart, pos) }
                    let d = digitValue(bytes[pos])
                    guard d < base else {
                        throw error("illegal character \(describe(bytes[pos])) in escape sequence", escStart, pos + 1)
                    }
                    x = x &* base &+ d
                    pos += 1
                }
                if x > max || (0xD800 <= x && x < 0xE000) {
                    throw error("escape sequence is an invalid Unicode code point", escStart, pos)
                }
                continue
            }
            pos += 1
        }
    }
}

@inline(__always) func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
@inline(__always) func isHexLetter(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }
@inline(__always) func isAlpha(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == UInt8(ascii: "_")
}
@inline(__always) func isAlphaNumeric(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }
@inline(__always) func digitValue(_ c: UInt8) -> UInt32 {
    switch c {
    case 0x30...0x39: UInt32(c - 0x30)
    case 0x61...0x66: UInt32(c - 0x61 + 10)
    case 0x41...0x46: UInt32(c - 0x41 + 10)
    default: 99
    }
}

extension String {
    /// `U+00XX` for a byte, as Go's `%#U` prints runes.
    init(format16 c: UInt8) {
        let h = String(c, radix: 16, uppercase: true)
        self = "U+" + String(repeating: "0", count: 4 - h.count) + h
    }
}

/// Go `%q` quoting for messages (delegates to Core's `GoQuote`).
enum GoQuoteLite {
    static func quote(_ s: String) -> String { GoQuote.quote(s) }
}
