/// How a ``LabelMatcher`` compares a label value.
public enum MatchType: Sendable, Hashable, CustomStringConvertible {
    case equal, notEqual, regexMatch, regexNoMatch
    /// The PromQL operator: `=`, `!=`, `=~`, `!~`.
    public var description: String {
        switch self {
        case .equal: "="
        case .notEqual: "!="
        case .regexMatch: "=~"
        case .regexNoMatch: "!~"
        }
    }
}

/// A label matcher with Prometheus semantics (`model/labels/matcher.go`): regexes are fully
/// anchored RE2; a missing label has the value `""`, so a matcher that matches the empty string
/// also selects series without the label.
///
/// Immutable and `Sendable`; the regex is compiled once at construction.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public let type: MatchType
    public let name: String
    public let value: String
    /// The compiled anchored regex, for `=~`/`!~`.
    public let regex: RE2Regex?
    /// When the regex is a plain alternation of literals (`a|b|c`, no metacharacters), the
    /// literals: matching is a set lookup. Nil otherwise.
    public let literalAlternatives: Set<String>?
    /// A literal prefix every match starts with (e.g. `/api/` for `/api/.*`), or "" if none.
    public let literalPrefix: String

    /// Builds a matcher, compiling the regex for `=~`/`!~`.
    /// - Throws: ``RegexError`` for an invalid regex.
    public init(_ type: MatchType, _ name: String, _ value: String, dotMatchesNewline: Bool = false) throws(RegexError) {
        self.type = type
        self.name = name
        self.value = value
        switch type {
        case .equal, .notEqual:
            regex = nil
            literalAlternatives = nil
            literalPrefix = ""
        case .regexMatch, .regexNoMatch:
            regex = try RE2Regex(anchoring: value, dotMatchesNewline: dotMatchesNewline)
            literalAlternatives = LabelMatcher.literalAlternation(value)
            literalPrefix = LabelMatcher.literalPrefix(value)
        }
    }

    /// An equality matcher; never throws.
    public static func equal(_ name: String, _ value: String) -> LabelMatcher {
        // Non-regex matchers cannot fail to compile.
        try! LabelMatcher(.equal, name, value)
    }

    /// Whether `value` (the label's value, `""` when the label is absent) satisfies the matcher.
    @inlinable
    public func matches(_ v: String) -> Bool {
        switch type {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return regexMatches(v)
        case .regexNoMatch: return !regexMatches(v)
        }
    }

    @usableFromInline
    func regexMatches(_ v: String) -> Bool {
        if let set = literalAlternatives { return set.contains(v) }
        if !literalPrefix.isEmpty && !v.hasPrefix(literalPrefix) { return false }
        return regex!.fullMatch(v)
    }

    /// True when the matcher accepts the empty string (and therefore series lacking the label).
    public var matchesEmpty: Bool { matches("") }

    /// `name="value"` with Go quoting, as Prometheus prints matchers.
    public var description: String { "\(name)\(type)\(GoQuote.quote(value))" }

    public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
        a.type == b.type && a.name == b.name && a.value == b.value
    }
    public func hash(into h: inout Hasher) {
        h.combine(type)
        h.combine(name)
        h.combine(value)
    }

    static let metaCharacters: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$"]

    /// `a|b|c` with no regex metacharacters → {"a","b","c"}.
    static func literalAlternation(_ re: String) -> Set<String>? {
        var parts: [String] = []
        var cur = ""
        for c in re {
            if c == "|" { parts.append(cur); cur = ""; continue }
            if metaCharacters.contains(c) { return nil }
            cur.append(c)
        }
        parts.append(cur)
        return Set(parts)
    }

    /// The literal characters before the first metacharacter, when the regex has no top-level
    /// alternation (otherwise a prefix would be wrong).
    static func literalPrefix(_ re: String) -> String {
        if re.contains("|") { return "" }
        var p = ""
        for c in re {
            if metaCharacters.contains(c) { break }
            p.append(c)
        }
        // A quantifier right after the prefix applies to its last character: `ab*` → prefix "a".
        if let idx = re.index(re.startIndex, offsetBy: p.count, limitedBy: re.endIndex), idx < re.endIndex,
           "*?{".contains(re[idx]), !p.isEmpty {
            p.removeLast()
        }
        return p
    }
}
