import SundialCore
import Synchronization

/// The head's series by ref, as a dense table: refs are handed out sequentially (``Head`` counts
/// them up from 1), so ref `r` lives in slot `r % 256` of page `r / 256`. A batch of samples for
/// consecutive refs (one scrape target, one remote-write request) reads one or two pages, whose
/// lock and slots stay in cache, instead of one hash map per stripe with a random cache line each
/// (the by-ref half of Prometheus `stripeSeries` in `tsdb/head.go`).
///
/// Refs at or above ``denseLimit`` (never handed out by a head in practice, but a WAL may name
/// them) go to an overflow dictionary. A page with no series left is dropped, so memory follows
/// the live series: about 8 bytes per ref in a page with at least one live series.
///
/// Thread-safe. The directory lock is taken for page lookups (briefly) and for inserts and
/// removals (with the page's lock inside it: always in that order).
final class SeriesTable: Sendable {
    /// log2 of the slots per page.
    static let pageShift: UInt64 = 8
    /// Slots per page.
    static let pageSize = 1 << pageShift
    /// Refs below this are kept in pages (the directory has at most 2^24 entries).
    static let denseLimit: UInt64 = 1 << 32

    /// A page of ``pageSize`` consecutive refs.
    final class Page: Sendable {
        struct Slots {
            var series: [MemSeries?] = Array(repeating: nil, count: SeriesTable.pageSize)
            /// Non-nil slots.
            var live = 0
        }
        let slots = Mutex(Slots())

        /// The series in `slot` (0 ..< ``pageSize``), or nil.
        @inline(__always)
        func get(_ slot: Int) -> MemSeries? { slots.withLock { $0.series[slot] } }
    }

    let directory = Mutex<[Page?]>([])
    let overflow = Mutex<[UInt64: MemSeries]>([:])

    /// Page `number`, or nil when none holds a series.
    @inline(__always)
    func page(_ number: Int) -> Page? {
        directory.withLock { number < $0.count ? $0[number] : nil }
    }

    /// The series with ref `ref`, or nil.
    func get(_ ref: UInt64) -> MemSeries? {
        guard ref < SeriesTable.denseLimit else { return overflow.withLock { $0[ref] } }
        return page(Int(ref &>> SeriesTable.pageShift))?.get(Int(ref & UInt64(SeriesTable.pageSize - 1)))
    }

    /// Stores `series` under its ref (replacing any series there).
    func insert(_ series: MemSeries) {
        let ref = series.ref.rawValue
        guard ref < SeriesTable.denseLimit else {
            overflow.withLock { $0[ref] = series }
            return
        }
        let number = Int(ref &>> SeriesTable.pageShift)
        let slot = Int(ref & UInt64(SeriesTable.pageSize - 1))
        directory.withLock { dir in
            if number >= dir.count { dir.append(contentsOf: repeatElement(nil, count: number + 1 - dir.count)) }
            let page: Page
            if let p = dir[number] {
                page = p
            } else {
                page = Page()
                dir[number] = page
            }
            page.slots.withLock { s in
                if s.series[slot] == nil { s.live += 1 }
                s.series[slot] = series
            }
        }
    }

    /// Removes `series` (if it is the one stored under its ref); drops its page when it empties.
    func remove(_ series: MemSeries) {
        let ref = series.ref.rawValue
        guard ref < SeriesTable.denseLimit else {
            overflow.withLock { map in if map[ref] === series { map[ref] = nil } }
            return
        }
        let number = Int(ref &>> SeriesTable.pageShift)
        let slot = Int(ref & UInt64(SeriesTable.pageSize - 1))
        directory.withLock { dir in
            guard number < dir.count, let page = dir[number] else { return }
            let empty = page.slots.withLock { s -> Bool in
                if s.series[slot] === series {
                    s.series[slot] = nil
                    s.live -= 1
                }
                return s.live == 0
            }
            if empty { dir[number] = nil }
        }
    }

    /// Calls `body` for every series in ref order, no lock held during `body` (each page's series
    /// are copied out first; series added meanwhile may or may not be visited).
    func forEach(_ body: (MemSeries) -> Void) {
        let pages = directory.withLock { $0.compactMap { $0 } }
        var list: [MemSeries] = []
        for page in pages {
            list.removeAll(keepingCapacity: true)
            page.slots.withLock { s in for case let series? in s.series { list.append(series) } }
            for series in list { body(series) }
        }
        let rest = overflow.withLock { $0.sorted { $0.key < $1.key }.map(\.value) }
        for series in rest { body(series) }
    }
}

/// Remembers the last page a sequence of ref lookups used, so that lookups of consecutive refs
/// skip the table's directory lock. Owned by one thread (an appender); a page dropped from the
/// table meanwhile only makes lookups miss (callers fall back to the label lookup).
struct SeriesTableCursor {
    var number = -1
    var page: SeriesTable.Page? = nil

    /// The series with ref `ref` in `table`, or nil.
    @inline(__always)
    mutating func get(_ ref: UInt64, in table: SeriesTable) -> MemSeries? {
        guard ref < SeriesTable.denseLimit else { return table.get(ref) }
        return page(of: ref, in: table)?.get(Int(ref & UInt64(SeriesTable.pageSize - 1)))
    }

    /// The page holding dense ref `ref` (`ref < SeriesTable.denseLimit`), remembered for the next
    /// lookup, or nil when the table has no such page.
    @inline(__always)
    mutating func page(of ref: UInt64, in table: SeriesTable) -> SeriesTable.Page? {
        let n = Int(ref &>> SeriesTable.pageShift)
        if n != number {
            guard let p = table.page(n) else { return nil }
            page = p
            number = n
        }
        return page
    }
}
