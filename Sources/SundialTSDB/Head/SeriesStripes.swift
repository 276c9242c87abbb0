import SundialCore
import Synchronization

/// The head's series maps (Prometheus `stripeSeries`, `tsdb/head.go`): series by label hash in
/// stripe `hash & mask`, each stripe with its own lock so that writers of different series rarely
/// contend, and series by ref in a dense ``SeriesTable`` (refs are handed out sequentially, so
/// consecutive refs share a page and a batch's lookups stay in a few cache lines).
///
/// Thread-safe. Lookups take one lock briefly; creation takes the hash stripe's lock and then a
/// table page's lock (always in that order, so no deadlock).
final class SeriesStripes: Sendable {
    /// A hash bucket: almost always one series; a list only on a 64-bit hash collision.
    enum Bucket {
        case one(MemSeries)
        case many([MemSeries])
    }

    final class Stripe: Sendable {
        let byHash = Mutex<[UInt64: Bucket]>([:])
    }

    let stripes: [Stripe]
    let mask: UInt64
    /// Series by ref.
    let table = SeriesTable()

    init(count: Int) {
        stripes = (0..<count).map { _ in Stripe() }
        mask = UInt64(count - 1)
    }

    /// The series with reference `ref`, or nil.
    @inline(__always)
    func get(_ ref: SeriesRef) -> MemSeries? { table.get(ref.rawValue) }

    /// The series with exactly `labels`, or nil.
    func get(hash: UInt64, labels: Labels) -> MemSeries? {
        stripes[Int(hash & mask)].byHash.withLock { SeriesStripes.find(labels, in: $0[hash]) }
    }

    static func find(_ labels: Labels, in bucket: Bucket?) -> MemSeries? {
        switch bucket {
        case .none: return nil
        case .one(let s): return s.labels == labels ? s : nil
        case .many(let list): return list.first { $0.labels == labels }
        }
    }

    /// The series with `labels`, created by `make` if absent.
    /// - Returns: the series and whether this call created it.
    func getOrCreate(hash: UInt64, labels: Labels, make: () -> MemSeries) -> (MemSeries, Bool) {
        let stripe = stripes[Int(hash & mask)]
        let (series, created): (MemSeries, Bool) = stripe.byHash.withLock { map in
            if let s = SeriesStripes.find(labels, in: map[hash]) { return (s, false) }
            let s = make()
            switch map[hash] {
            case .none: map[hash] = .one(s)
            case .one(let other): map[hash] = .many([other, s])
            case .many(let list): map[hash] = .many(list + [s])
            }
            return (s, true)
        }
        if created { table.insert(series) }
        return (series, created)
    }

    /// Removes a series from both maps.
    func remove(_ series: MemSeries, hash: UInt64) {
        stripes[Int(hash & mask)].byHash.withLock { map in
            switch map[hash] {
            case .none: break
            case .one(let s): if s === series { map[hash] = nil }
            case .many(let list):
                let rest = list.filter { $0 !== series }
                map[hash] = rest.count == 1 ? .one(rest[0]) : .many(rest)
            }
        }
        table.remove(series)
    }

    /// Calls `body` for every series, in ref order (no lock is held during `body`).
    func forEach(_ body: (MemSeries) -> Void) { table.forEach(body) }
}
