import SundialEncoding

/// A closed interval `[minTime, maxTime]` of ms timestamps whose samples are deleted.
public struct DeletedInterval: Sendable, Hashable {
    public var minTime: Int64
    public var maxTime: Int64
    public init(minTime: Int64, maxTime: Int64) {
        self.minTime = minTime
        self.maxTime = maxTime
    }
    /// True if `t` lies inside the interval (both ends inclusive).
    @inlinable public func contains(_ t: Int64) -> Bool { t >= minTime && t <= maxTime }
}

/// Deleted intervals per series of one block (the block's `tombstones` file,
/// `tsdb/docs/format/tombstones.md`). Value type: a block holds an immutable copy; deletion
/// builds a new one and rewrites the file.
public struct Tombstones: Sendable, Hashable {
    /// Series reference (index `offset/16`) → sorted, non-overlapping, non-adjacent intervals.
    public private(set) var intervals: [UInt64: [DeletedInterval]] = [:]

    public init() {}

    /// True when nothing is deleted.
    public var isEmpty: Bool { intervals.isEmpty }

    /// Number of intervals over all series (meta.json `numTombstones`).
    public var count: Int { intervals.values.reduce(0) { $0 + $1.count } }

    /// Deleted intervals of series `ref` (sorted), empty if none.
    public func deleted(_ ref: UInt64) -> [DeletedInterval] { intervals[ref] ?? [] }

    /// Adds `iv` to series `ref`, merging it with overlapping or adjacent intervals
    /// (Prometheus `Intervals.Add`).
    public mutating func add(_ ref: UInt64, _ iv: DeletedInterval) {
        guard iv.minTime <= iv.maxTime else { return }
        var list = intervals[ref] ?? []
        var merged = iv
        var out: [DeletedInterval] = []
        out.reserveCapacity(list.count + 1)
        var inserted = false
        for x in list {
            if Tombstones.gap(x.maxTime, merged.minTime) {
                out.append(x)
            } else if Tombstones.gap(merged.maxTime, x.minTime) {
                if !inserted { out.append(merged); inserted = true }
                out.append(x)
            } else {
                merged = DeletedInterval(minTime: min(x.minTime, merged.minTime), maxTime: max(x.maxTime, merged.maxTime))
            }
        }
        if !inserted { out.append(merged) }
        list = out
        intervals[ref] = list
    }

    /// True if `a < b - 1`: at least one timestamp lies strictly between (intervals neither overlap
    /// nor touch). Exact for the whole `Int64` range (no `b - 1` overflow at `Int64.min`).
    @inline(__always) static func gap(_ a: Int64, _ b: Int64) -> Bool {
        a < b && UInt64(bitPattern: b &- a) > 1
    }

    /// Drops every interval ending before `mint` (ms) and every series left without one
    /// (Prometheus `MemTombstones.TruncateBefore`: the head forgets deletions of data it no longer
    /// holds). Intervals reaching `mint` or later are kept whole.
    public mutating func truncate(before mint: Int64) {
        for (ref, list) in intervals {
            let kept = list.filter { $0.maxTime >= mint }
            if kept.isEmpty {
                intervals[ref] = nil
            } else if kept.count != list.count {
                intervals[ref] = kept
            }
        }
    }

    /// Forgets the intervals of the series in `refs` (series garbage-collected from the head,
    /// Prometheus `MemTombstones.DeleteTombstones`).
    public mutating func remove(_ refs: some Sequence<UInt64>) {
        for r in refs { intervals[r] = nil }
    }

    /// The `tombstones` file bytes (entries sorted by series ref, then time).
    public func encoded() -> [UInt8] {
        var entries: [TombstonesFormat.Entry] = []
        for ref in intervals.keys.sorted() {
            for iv in intervals[ref]! {
                entries.append(.init(seriesRef: ref, minTime: iv.minTime, maxTime: iv.maxTime))
            }
        }
        return TombstonesFormat.encode(entries)
    }

    /// Decodes a `tombstones` file. - Throws: ``BlockError`` `.corrupt` naming `path`.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Tombstones {
        var t = Tombstones()
        do {
            for e in try TombstonesFormat.decode(bytes) {
                t.add(e.seriesRef, DeletedInterval(minTime: e.minTime, maxTime: e.maxTime))
            }
        } catch { throw BlockError.corrupt(path, error) }
        return t
    }
}
