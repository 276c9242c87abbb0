import SundialCore
import Synchronization

/// Interns label strings so that series sharing a name or value share one string buffer
/// (the head's symbol table). Only series creation goes through it, never the per-sample path.
///
/// Thread-safe (one lock). Strings are never removed: the set grows with the distinct strings
/// ever seen by this head (Prometheus keeps head symbols until a restart as well).
final class LabelInterner: Sendable {
    private let strings = Mutex(Set<String>())

    /// A copy of `labels` whose names and values are the interned instances.
    func intern(_ labels: Labels) -> Labels {
        strings.withLock { set in
            var out: [Label] = []
            out.reserveCapacity(labels.count)
            for l in labels {
                let n = set.insert(l.name).memberAfterInsert
                let v = set.insert(l.value).memberAfterInsert
                out.append(Label(n, v))
            }
            return Labels(sorted: out)
        }
    }

    /// Number of distinct strings held.
    var count: Int { strings.withLock { $0.count } }
}
