/// A reference to a series in the head. Stable for the life of the head; never 0 for a real series.
public struct SeriesRef: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// "No reference known": the appender looks the series up by its labels.
    public static let none = SeriesRef(0)
    @inlinable public static func < (a: SeriesRef, b: SeriesRef) -> Bool { a.rawValue < b.rawValue }
    public var description: String { String(rawValue) }
}

/// A reference to a chunk inside a block's chunk segments, as the Prometheus index stores it:
/// `(segmentSequence << 32) | offsetInSegment` (tsdb/docs/format/index.md, chunks.md).
public struct ChunkRef: Hashable, Comparable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(segment: UInt32, offset: UInt32) {
        rawValue = UInt64(segment) << 32 | UInt64(offset)
    }
    /// The segment index: file `000001` is 0 (Prometheus `BlockChunkRef`, checked against a block
    /// Prometheus 2.42 wrote: testdata/blocks/prom-2.42-small).
    @inlinable public var segment: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }
    /// Byte offset of the chunk inside its segment file.
    @inlinable public var offset: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    @inlinable public static func < (a: ChunkRef, b: ChunkRef) -> Bool { a.rawValue < b.rawValue }
}
