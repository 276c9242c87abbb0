/// A label set: labels sorted by name in byte order, names unique.
///
/// Value type with copy-on-write storage. Comparison follows Prometheus's `labels.Compare`:
/// label by label (name, then value), then the shorter set first. Equality and hashing use
/// Swift `String` semantics (canonically equivalent Unicode strings compare equal).
public struct Labels: Hashable, Sendable, Comparable, RandomAccessCollection, CustomStringConvertible {
    /// The reserved label holding the metric name.
    public static let metricName = "__name__"

    /// The labels, sorted by name.
    public internal(set) var labels: [Label]

    /// The empty label set.
    public init() { labels = [] }

    /// Builds a label set from labels in any order. Later duplicates of a name replace earlier ones.
    public init(_ unsorted: [Label]) {
        var ls = unsorted
        ls.sort { byteOrderLess($0.name, $1.name) }
        // Keep the last occurrence of each name.
        var out: [Label] = []
        out.reserveCapacity(ls.count)
        for l in ls {
            if let last = out.last, last.name == l.name { out[out.count - 1] = l } else { out.append(l) }
        }
        labels = out
    }

    /// Builds a label set from `(name, value)` pairs in any order.
    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Label($0.key, $0.value) })
    }

    /// Builds from a dictionary (order irrelevant).
    public init(_ dict: [String: String]) {
        self.init(dict.map { Label($0.key, $0.value) })
    }

    /// Wraps labels the caller guarantees are sorted by name in byte order with unique names.
    /// - Precondition: sorted and unique (checked only under `SUNDIAL_INTERNAL_CHECKS`).
    public init(sorted: [Label]) {
        #if SUNDIAL_INTERNAL_CHECKS
        for i in sorted.indices.dropFirst() { precondition(byteOrderLess(sorted[i - 1].name, sorted[i].name)) }
        #endif
        labels = sorted
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { labels.count }
    public subscript(i: Int) -> Label { labels[i] }

    /// The value of label `name`, or nil if absent. - Complexity: O(log n).
    public func get(_ name: String) -> String? {
        var lo = 0, hi = labels.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let n = labels[mid].name
            if n == name { return labels[mid].value }
            if byteOrderLess(n, name) { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Subscript by label name; nil when absent.
    public subscript(name: String) -> String? { self.get(name) }

    /// The metric name (`__name__`), or nil.
    public var metricName: String? { self.get(Labels.metricName) }

    /// True if a label with `name` exists.
    public func has(_ name: String) -> Bool { self.get(name) != nil }

    /// A copy with `name` set to `value`; an empty value removes the label (Prometheus semantics).
    public func setting(_ name: String, to value: String) -> Labels {
        var out = labels.filter { $0.name != name }
        if !value.isEmpty {
            let idx = out.firstIndex { byteOrderLess(name, $0.name) } ?? out.count
            out.insert(Label(name, value), at: idx)
        }
        return Labels(sorted: out)
    }

    /// A copy without the named labels.
    public func removing(_ names: some Sequence<String>) -> Labels {
        let set = Set(names)
        return Labels(sorted: labels.filter { !set.contains($0.name) })
    }

    /// A copy without `__name__`.
    public var droppingMetricName: Labels {
        guard let first = labels.first, first.name == Labels.metricName else {
            // __name__ sorts before any name starting with a lowercase letter but after "A"–"Z" and "_"-prefixed
            // names like "_a"; search properly.
            return labels.contains { $0.name == Labels.metricName } ? removing([Labels.metricName]) : self
        }
        return Labels(sorted: Array(labels.dropFirst()))
    }

    /// A copy keeping only the named labels.
    public func keeping(_ names: some Sequence<String>) -> Labels {
        let set = Set(names)
        return Labels(sorted: labels.filter { set.contains($0.name) })
    }

    /// Prometheus's `labels.Compare`.
    public static func < (a: Labels, b: Labels) -> Bool { compare(a, b) < 0 }

    /// Three-way comparison as Prometheus's `labels.Compare`: negative, zero or positive.
    public static func compare(_ a: Labels, _ b: Labels) -> Int {
        let n = Swift.min(a.labels.count, b.labels.count)
        for i in 0..<n {
            let x = a.labels[i], y = b.labels[i]
            if x.name != y.name { return byteOrderLess(x.name, y.name) ? -1 : 1 }
            if x.value != y.value { return byteOrderLess(x.value, y.value) ? -1 : 1 }
        }
        return a.labels.count - b.labels.count
    }

    /// `{__name__="up", job="x"}`, the form Prometheus's `Labels.String()` and `promtool tsdb dump` print.
    public var description: String {
        var s = "{"
        for (i, l) in labels.enumerated() {
            if i > 0 { s += ", " }
            s += l.name
            s += "="
            s += GoQuote.quote(l.value)
        }
        s += "}"
        return s
    }

    /// A stable 64-bit hash of the label set (FNV-1a over names and values with 0xff separators).
    /// Stable across processes, unlike `hashValue`; used for sharding and the head's stripes.
    public var stableHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ b: UInt8) {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        for l in labels {
            for b in l.name.utf8 { mix(b) }
            mix(0xff)
            for b in l.value.utf8 { mix(b) }
            mix(0xff)
        }
        return h
    }
}
