/// Where an appended batch ended: returned by ``WAL/append(_:)`` and passed to
/// ``WAL/waitDurable(_:)``. Positions of one WAL are ordered by ``sequence``.
public struct WALPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Number of batches appended to this WAL instance up to and including this one (1-based).
    public let sequence: UInt64
    /// The segment the batch's last record is in.
    public let segment: Int
    /// Byte offset in that segment just past the batch.
    public let offset: Int

    /// Creates a value from its fields.
    public init(sequence: UInt64, segment: Int, offset: Int) {
        self.sequence = sequence
        self.segment = segment
        self.offset = offset
    }

    /// Orders by the documented key.
    public static func < (a: WALPosition, b: WALPosition) -> Bool { a.sequence < b.sequence }

    /// A human-readable rendering, for logs and test failures.
    public var description: String { "#\(sequence) (segment \(segment), offset \(offset))" }
}
