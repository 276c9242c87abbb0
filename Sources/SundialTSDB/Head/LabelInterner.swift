import SundialCore
import SundialEncoding
import Synchronization

/// Interns label strings so that series sharing a name or value share one string buffer
/// (the head's symbol table). Only series creation goes through it, never the per-sample path.
///
/// Thread-safe (one lock). Strings are never removed: the set grows with the distinct strings
/// ever seen by this head (Prometheus keeps head symbols until a restart as well).
final class LabelInterner: Sendable {
    private let strings = Mutex(Set<String>())

    /// `labels` with names and values that are the interned instances: `labels` itself (its array
    /// shared, nothing allocated) when every string already is (see ``StringStorage/isSame(_:as:)``),
    /// as for label sets decoded by an ingest path that interns its strings; otherwise a new array.
    func intern(_ labels: Labels) -> Labels {
        strings.withLock { set in
            var out: [Label] = []
            var copying = false
            for (i, l) in labels.enumerated() {
                let n = set.insert(l.name).memberAfterInsert
                let v = set.insert(l.value).memberAfterInsert
                if !copying {
                    if StringStorage.isSame(l.name, as: n) && StringStorage.isSame(l.value, as: v) { continue }
                    copying = true
                    out.reserveCapacity(labels.count)
                    out.append(contentsOf: labels.labels[0..<i])
                }
                out.append(Label(n, v))
            }
            return copying ? Labels(sorted: out) : labels
        }
    }

    /// Number of distinct strings held.
    var count: Int { strings.withLock { $0.count } }
}
