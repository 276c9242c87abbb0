import CRE2

/// A compiled RE2 regular expression (via `libre2`), safe to share between threads.
///
/// Prometheus uses Go's `regexp`, an RE2 dialect, so RE2 gives the same syntax and linear-time
/// matching on hostile patterns. Prometheus matchers are fully anchored: use
/// ``RE2Regex/init(anchoring:dotMatchesNewline:)`` for them.
public final class RE2Regex: @unchecked Sendable {
    // RE2 objects are immutable after construction and documented thread-safe for matching.
    private let handle: OpaquePointer
    /// The pattern as given (before anchoring).
    public let pattern: String
    /// Number of capturing groups.
    public let groupCount: Int

    /// Compiles `pattern` as is (unanchored; `fullMatch` still anchors both ends).
    /// - Throws: ``RegexError`` with RE2's message for a syntax error.
    public init(_ pattern: String, dotMatchesNewline: Bool = false) throws(RegexError) {
        self.pattern = pattern
        var err: UnsafeMutablePointer<CChar>? = nil
        var utf8 = Array(pattern.utf8)
        utf8.append(0)
        let h = utf8.withUnsafeBufferPointer { buf in
            sundial_re2_new(buf.baseAddress, buf.count - 1, dotMatchesNewline ? 1 : 0, &err)
        }
        guard let h else {
            var message = "invalid regular expression"
            if let err {
                message = String(cString: err)
                sundial_re2_free_error(err)
            }
            throw RegexError(pattern: pattern, message: message)
        }
        handle = h
        groupCount = Int(sundial_re2_group_count(h))
    }

    /// Compiles `^(?:pattern)$`, the way Prometheus anchors label-matcher and `label_replace` regexes.
    public convenience init(anchoring pattern: String, dotMatchesNewline: Bool = false) throws(RegexError) {
        do {
            try self.init("^(?:" + pattern + ")$", dotMatchesNewline: dotMatchesNewline)
        } catch {
            // Report the user's pattern, not our anchored wrapper.
            throw RegexError(pattern: pattern, message: error.message)
        }
    }

    deinit { sundial_re2_delete(handle) }

    /// True when the whole of `s` matches.
    public func fullMatch(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { buf in
            sundial_re2_full_match(handle, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count) != 0
        }
    }

    /// Full match reporting capture groups as UTF-8 byte ranges (`nil` for an unmatched group).
    /// Index 0 is the whole match. Returns nil when `s` does not match.
    public func fullMatchGroups(_ s: String) -> [Range<Int>?]? {
        var s = s
        let n = groupCount + 1
        var starts = [Int64](repeating: -1, count: n)
        var ends = [Int64](repeating: -1, count: n)
        let ok = s.withUTF8 { buf in
            sundial_re2_full_match_groups(
                handle, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buf.count,
                &starts, &ends, Int32(n)) != 0
        }
        guard ok else { return nil }
        return (0..<n).map { starts[$0] < 0 ? nil : Int(starts[$0])..<Int(ends[$0]) }
    }
}

/// A regular expression that failed to compile.
public struct RegexError: Error, Sendable, CustomStringConvertible {
    public var pattern: String
    public var message: String
    public var description: String { "invalid regular expression \(GoQuote.quote(pattern)): \(message)" }
}
