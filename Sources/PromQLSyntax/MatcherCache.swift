public import SundialCore
import Synchronization

/// A bounded, thread-safe cache of compiled regex label matchers, shared across parses.
///
/// Building a `=~`/`!~` ``LabelMatcher`` compiles an RE2 program (several microseconds, ~100
/// allocations), which dominates parsing a typical dashboard query; dashboards re-run the same
/// queries, so a server passes one cache to every ``Parser/parse(_:options:matcherCache:)`` call.
/// Equality matchers are never cached (they are cheap). When the cache holds `capacity` entries it
/// is emptied before the next insert (simple and bounded; entries are immutable, so sharing is safe).
///
/// Thread-safe: a `Mutex` guards the table; compiled matchers are immutable and `Sendable`.
public final class MatcherCache: Sendable {
    private struct Key: Hashable {
        var type: MatchType
        var name: String
        var value: String
    }

    private let table: Mutex<[Key: LabelMatcher]>
    /// The most entries held at once.
    public let capacity: Int

    /// An empty cache holding at most `capacity` matchers (at least 1).
    public init(capacity: Int = 4096) {
        self.capacity = Swift.max(1, capacity)
        self.table = Mutex([:])
    }

    /// The number of cached matchers.
    public var count: Int { table.withLock { $0.count } }

    /// The matcher for `name type value`, compiled once.
    /// - Throws: `RegexError` for an invalid regex (not cached).
    public func matcher(_ type: MatchType, _ name: String, _ value: String) throws(RegexError) -> LabelMatcher {
        let key = Key(type: type, name: name, value: value)
        if let m = table.withLock({ $0[key] }) { return m }
        let m = try LabelMatcher(type, name, value)
        let capacity = self.capacity
        table.withLock { t in
            if t.count >= capacity { t.removeAll(keepingCapacity: true) }
            t[key] = m
        }
        return m
    }
}
