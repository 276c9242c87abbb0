import SundialCore
import Synchronization

/// The head's series maps, striped (Prometheus `stripeSeries`, `tsdb/head.go`): series by ref in
/// stripe `ref & mask`, series by label hash in stripe `hash & mask`, each stripe with its own
/// lock so that writers of different series rarely contend.
///
/// Thread-safe. Lookups take one stripe lock briefly; creation takes the hash stripe's lock and
/// then the ref stripe's lock (always in that order, so no deadlock).
final class SeriesStripes: Sendable {
    /// A hash bucket: almost always one series; a list only on a 64-bit hash collision.
    enum Bucket {
        case one(MemSeries)
        case many([MemSeries])
    }

    final class Stripe: Sendable {
        let byRef = Mutex<[UInt64: MemSeries]>([:])
        let byHash = Mutex<[UInt64: Bucket]>([:])
    }

    let stripes: [Stripe]
    let mask: UInt64

    init(count: Int) {
        stripes = (0..<count).map { _ in Stripe() }
        mask = UInt64(count - 1)
    }

    /// The series with reference `ref`, or nil.
    @inline(__always)
    func get(_ ref: SeriesRef) -> MemSeries? {
        stripes[Int(ref.rawValue & mask)].byRef.withLock { $0[ref.rawValue] }
    }

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
        if created {
            stripes[Int(series.ref.rawValue & mask)].byRef.withLock { $0[series.ref.rawValue] = series }
        }
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
        stripes[Int(series.ref.rawValue & mask)].byRef.withLock { _ = $0.removeValue(forKey: series.ref.rawValue) }
    }

    /// Calls `body` for every series, one stripe at a time (the stripe lock is not held during
    /// `body`: the stripe's series are copied out first).
    func forEach(_ body: (MemSeries) -> Void) {
        for stripe in stripes {
            let list = stripe.byRef.withLock { Array($0.values) }
            for s in list { body(s) }
        }
    }
}
