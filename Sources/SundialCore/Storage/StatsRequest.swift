/// What a cardinality-statistics caller asks for (`/api/v1/status/tsdb`): Prometheus 2.42's
/// `limit`, plus VictoriaMetrics's `match[]`, `focusLabel` and `date` (its cardinality explorer,
/// `app/vmselect/README` "TSDB stats"). A `Sendable` value.
///
/// Wrappers narrow a request before passing it on: tenancy's label mode ANDs its tenant matcher
/// into every matcher set (``and(_:)``) and hides its tenant label (``hiddenLabelNames``), so the
/// figures it returns cover exactly that tenant's series.
public struct StatsRequest: Sendable, Hashable {
    /// Entries per top-N list (Prometheus `limit`, VictoriaMetrics `topN`); at least 1.
    public var limit: Int
    /// Series selectors (`match[]`): a series counts when it matches every matcher of at least one
    /// set. Empty = every series. A set never is empty.
    public var matcherSets: [[LabelMatcher]]
    /// A label whose values get their own top-N by series count (`seriesCountByFocusLabelValue`).
    public var focusLabel: String?
    /// Only series with a sample in `[minTime, maxTime]` (closed, ms) count; nil = no time filter.
    /// VictoriaMetrics's `date=YYYY-MM-DD` is the day `[00:00, 24:00)` UTC.
    public var timeRange: ClosedRange<Timestamp>?
    /// Label names left out of every per-label figure (the tenant label in label mode). They still
    /// select series through ``matcherSets``.
    public var hiddenLabelNames: [String]

    /// A request; the defaults give Prometheus's `/status/tsdb` (top 10 of the whole head).
    public init(limit: Int = 10, matcherSets: [[LabelMatcher]] = [], focusLabel: String? = nil,
                timeRange: ClosedRange<Timestamp>? = nil, hiddenLabelNames: [String] = []) {
        self.limit = Swift.max(1, limit)
        self.matcherSets = matcherSets.filter { !$0.isEmpty }
        self.focusLabel = focusLabel
        self.timeRange = timeRange
        self.hiddenLabelNames = hiddenLabelNames
    }

    /// True when every series counts (no matcher and no time filter).
    public var selectsAll: Bool { matcherSets.isEmpty && timeRange == nil }

    /// The request with `matchers` AND-ed into every matcher set (into one set when there is none),
    /// e.g. a tenant's `tenant_id="a"`.
    public func and(_ matchers: [LabelMatcher]) -> StatsRequest {
        guard !matchers.isEmpty else { return self }
        var r = self
        r.matcherSets = matcherSets.isEmpty ? [matchers] : matcherSets.map { $0 + matchers }
        return r
    }
}

/// A bounded top-N list ordered by value descending, then name ascending (byte order), so equal
/// counts always list in the same order. Names are built only for candidates that get in.
///
/// - Complexity: `offer` is O(1) when the value cannot enter, O(limit) when it does.
package struct TopN {
    package let limit: Int
    package private(set) var entries: [StorageStats.Entry] = []

    package init(limit: Int) {
        self.limit = Swift.max(1, limit)
        entries.reserveCapacity(Swift.min(self.limit, 64))
    }

    /// Offers `value` under the name `name()` (evaluated only if it may enter).
    @inline(__always)
    package mutating func offer(_ value: Int, _ name: () -> String) {
        if entries.count == limit, let last = entries.last, value < last.value { return }
        insert(StorageStats.Entry(name: name(), value: value))
    }

    private mutating func insert(_ e: StorageStats.Entry) {
        // First position whose entry ranks after `e`.
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let m = entries[mid]
            if m.value > e.value || (m.value == e.value && !byteOrderLess(e.name, m.name)) { lo = mid + 1 } else { hi = mid }
        }
        if lo >= limit { return }
        entries.insert(e, at: lo)
        if entries.count > limit { entries.removeLast() }
    }
}
