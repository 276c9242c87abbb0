/// A half-open byte range `[start, end)` into the UTF-8 bytes of the parsed query text.
///
/// Positions are offsets from the start of the input, in bytes (not characters). A range with
/// `start == end` marks a position (e.g. "end of input").
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    /// First byte of the construct (inclusive).
    public var start: Int
    /// One past the last byte of the construct (exclusive).
    public var end: Int

    /// A range `[start, end)`.
    @inlinable
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// The smallest range covering both `self` and `other`.
    @inlinable
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: Swift.min(start, other.start), end: Swift.max(end, other.end))
    }

    /// `start..<end`.
    public var description: String { "\(start)..<\(end)" }
}
