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
    private var bracketOpen = false
    private var gotColon = false
    /// Set after `[` in 2.42 mode: the next token must be a duration.
    private var expectDuration = false
    private var parenDepth = 0

    init(_ query: String, options: ParserOptions) {
        self.query = query
        self.bytes = Array(query.utf8)
        self.options = options
    }

    /// Tokenizes the whole input; the last token is `.eof`, or `.error` when the lexer failed
    /// (the error is then in ``lexError``). Deferring the error lets the parser report an earlier
    /// syntax error first, as Prometheus's on-demand lexer does.
    /// - Complexity: O(n) in the input length.
    mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        tokens.reserveCapacity(bytes.count / 3 + 2)
        while true {
            do {
                let t = try next()
                tokens.append(t)
                if t.kind == .eof { return tokens }
            } catch {
                lexError = error
                tokens.append(Token(kind: .error, position: error.position))
                return tokens
            }
        }
    }

    /// The lexer's error when the last token is `.error`.
    private(set) var lexError: ParseError?

    private func error(_ message: String, _ start: Int, _ end: Int) -> ParseError {
        ParseError(message: message, position: SourceRange(start: start, end: end), query: query)
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : 0
    }

    private mutating func skipSpaceAndComments() {
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
    }

    private mutating func next() throws(ParseError) -> Token {
        skipSpaceAndComments()
        let start = pos
        guard pos < bytes.count else {
            if braceOpen { throw error("unexpected end of input inside braces", start, start) }
            if bracketOpen { throw error("unclosed left bracket", start, start) }
            if parenDepth > 0 { throw error("unclosed left parenthesis", start, start) }
            return Token(kind: .eof, position: SourceRange(start: start, end: start))
        }
        if braceOpen { return try nextInsideBraces(start) }
        if expectDuration {
            // Prometheus 2.42 `lexDuration`: right after `[` only a duration may follow.
            expectDuration = false
            return try scanDurationOnly(start)
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
            if parenDepth < 0 { throw error("unexpected right parenthesis ')'", start + 1, start + 1) }
            return tok(.rightParen, 1)
        case UInt8(ascii: "{"):
            braceOpen = true
            return tok(.leftBrace, 1)
        case UInt8(ascii: "}"):
            throw error("unexpected character: '}'", start, start + 1)
        case UInt8(ascii: "["):
            if bracketOpen { throw error("unexpected left bracket '['", start, start + 1) }
            bracketOpen = true
            gotColon = false
            expectDuration = !options.durationExpressions
            return tok(.leftBracket, 1)
        case UInt8(ascii: "]"):
            if !bracketOpen { throw error("unexpected right bracket ']'", start, start + 1) }
            bracketOpen = false
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
            throw error("unexpected character after '!': \(describe(peek(1)))", start, start + 1)
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { return tok(.lte, 2) }
            if peek(1) == UInt8(ascii: "/") && options.experimentalFunctions { return tok(.trimUpper, 2) }
            return tok(.lss, 1)
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") { return tok(.gte, 2) }
            if peek(1) == UInt8(ascii: "/") && options.experimentalFunctions { return tok(.trimLower, 2) }
            return tok(.gtr, 1)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            try scanString(quote: c)
            return Token(kind: .string, position: SourceRange(start: start, end: pos))
        case UInt8(ascii: ":"):
            if bracketOpen {
                if gotColon { throw error("unexpected colon ':'", start, start + 1) }
                gotColon = true
                return tok(.colon, 1)
            }
            return scanWord(start)
        default:
            if isDigit(c) || (c == UInt8(ascii: ".") && isDigit(peek(1))) {
                return try scanNumberOrDuration(start)
            }
            if isAlpha(c) { return scanWord(start) }
            throw error("unexpected character: \(describe(c))", start, start + 1)
        }
    }

    /// Prometheus `lexInsideBraces`: label names, strings, matcher operators, commas, `}`.
    private mutating func nextInsideBraces(_ start: Int) throws(ParseError) -> Token {
        let c = bytes[pos]
        func tok(_ k: TokenKind, _ n: Int) -> Token {
            pos += n
            return Token(kind: k, position: SourceRange(start: start, end: pos))
        }
        switch c {
        case UInt8(ascii: ","): return tok(.comma, 1)
        case UInt8(ascii: "}"):
            braceOpen = false
            return tok(.rightBrace, 1)
        case UInt8(ascii: "{"): throw error("unexpected left brace '{'", start, start + 1)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "~") { return tok(.regexMatch, 2) }
            return tok(.assign, 1)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return tok(.neq, 2) }
            if peek(1) == UInt8(ascii: "~") { return tok(.regexNoMatch, 2) }
            throw error("unexpected character inside braces: '!'", start, start + 1)
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            try scanString(quote: c)
            return Token(kind: .string, position: SourceRange(start: start, end: pos))
        default:
            if isAlpha(c) { return scanWord(start) }
            throw error("unexpected character inside braces: \(describe(c))", start, start + 1)
        }
    }

    /// 2.42 `lexDuration`: a number without unit is "missing unit character in duration".
    private mutating func scanDurationOnly(_ start: Int) throws(ParseError) -> Token {
        let save = pos
        if scanNumberPart(start) { throw error("missing unit character in duration", start, pos) }
        pos = save
        _ = scanNumberPart(start)
        if acceptRemainingDuration() { return Token(kind: .duration, position: SourceRange(start: start, end: pos)) }
        let text = String(decoding: bytes[start..<Swift.min(pos, bytes.count)], as: UTF8.self)
        throw error("bad duration syntax: \(GoQuote.quote(text))", start, pos)
    }

    private func describe(_ c: UInt8) -> String {
        if c == 0 { return "end of input" }
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return String(format16: c)
    }

    /// Go's `%#U` for an ASCII byte: `U+0022 '"'`.
    private func goRuneDescription(_ c: UInt8) -> String {
        let code = String(format16: c)
        if c >= 0x20 && c < 0x7F { return code + " '" + String(Character(Unicode.Scalar(c))) + "'" }
        return code
    }

    private mutating func scanWord(_ start: Int) -> Token {
        let allowColon = !braceOpen && !bracketOpen
        while pos < bytes.count {
            let c = bytes[pos]
            if isAlpha(c) || isDigit(c) || (allowColon && c == UInt8(ascii: ":")) { pos += 1 } else { break }
        }
        let range = SourceRange(start: start, end: pos)
        if braceOpen { return Token(kind: .identifier, position: range) }
        var hasColon = false
        for i in start..<pos where bytes[i] == UInt8(ascii: ":") { hasColon = true }
        if hasColon { return Token(kind: .metricIdentifier, position: range) }
        // Keywords are at most 12 bytes (`count_values`): longer words skip the lookup; shorter
        // ones are looked up by their lowercased bytes packed into two integers (no allocation).
        guard pos - start <= Keyword.maxLength else { return Token(kind: .identifier, position: range) }
        let key = WordKey(lowercasing: bytes[start..<pos])
        if key == WordKey.inf || key == WordKey.nan { return Token(kind: .number, position: range) }
        if let kw = Keyword.lookup(key, options: options) { return Token(kind: .keyword(kw), position: range) }
        return Token(kind: .identifier, position: range)
    }

    /// Prometheus `scanNumber`: digits (hex after `0x`), optional fraction and exponent; true when
    /// the next character is not alphanumeric (a complete number).
    private mutating func scanNumberPart(_ start: Int) -> Bool {
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
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            pos += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { pos += 1 }
            while isDigit(peek()) { pos += 1 }
        }
        return !isAlphaNumeric(peek())
    }

    /// Prometheus `acceptRemainingDuration`: `<unit>` then `<digits><unit>` groups, then a
    /// non-alphanumeric character. Consumes like Go's lexer does, for the error text.
    private mutating func acceptRemainingDuration() -> Bool {
        func acceptUnit(_ allowY: Bool) -> Bool {
            let c = peek()
            let ok = c == UInt8(ascii: "s") || c == UInt8(ascii: "m") || c == UInt8(ascii: "h")
                || c == UInt8(ascii: "d") || c == UInt8(ascii: "w") || (allowY && c == UInt8(ascii: "y"))
            guard ok else { return false }
            pos += 1
            if peek() == UInt8(ascii: "s") { pos += 1 }
            return true
        }
        guard acceptUnit(true) else { return false }
        while isDigit(peek()) {
            while isDigit(peek()) { pos += 1 }
            guard acceptUnit(false) else { return false }
        }
        if isAlphaNumeric(peek()) {
            pos += 1
            return false
        }
        return true
    }

    /// A number, or a duration such as `5m` (Prometheus `lexNumberOrDuration`).
    private mutating func scanNumberOrDuration(_ start: Int) throws(ParseError) -> Token {
        if scanNumberPart(start) { return Token(kind: .number, position: SourceRange(start: start, end: pos)) }
        if acceptRemainingDuration() { return Token(kind: .duration, position: SourceRange(start: start, end: pos)) }
        let text = String(decoding: bytes[start..<Swift.min(pos, bytes.count)], as: UTF8.self)
        throw error("bad number or duration syntax: \(GoQuoteLite.quote(text))", start, pos)
    }

    /// Scans a string; for `"` and `'` validates escapes as Prometheus's `lexEscape` does.
    private mutating func scanString(quote: UInt8) throws(ParseError) {
        let start = pos
        pos += 1
        if quote == UInt8(ascii: "`") {
            while pos < bytes.count && bytes[pos] != quote { pos += 1 }
            if pos >= bytes.count { throw error("unterminated raw string", start, pos) }
            pos += 1
            return
        }
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
                    throw error("unknown escape sequence \(goRuneDescription(e))", start, pos)
                }
                var x: UInt32 = 0
                for _ in 0..<n {
                    guard pos < bytes.count else { throw error("escape sequence not terminated", escStart, pos) }
                    let d = digitValue(bytes[pos])
                    guard d < base else {
                        throw error("illegal character \(goRuneDescription(bytes[pos])) in escape sequence", start, pos + 1)
                    }
                    x = x &* base &+ d
                    pos += 1
                }
                if x > max || (0xD800 <= x && x < 0xE000) {
                    throw error("escape sequence is an invalid Unicode code point", start, pos)
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
