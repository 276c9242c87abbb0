/// An empty encoder's spare fields: while ``XORChunkEncoder/count`` is 0 the previous-sample
/// fields are not read (the first sample is written whole), so an owner may park the newest sample
/// of its previous chunk there (``park(lastTimestamp:lastValueBits:)``) instead of keeping 16
/// more bytes of its own. A head series does so after a cut or a truncation (issue #6: the series
/// object shrank from 169 to 153 bytes).
extension XORChunkEncoder {
    /// An empty encoder with ``lastTimestamp`` and ``lastValueBits`` set to the given values.
    @inlinable
    public static func parked(lastTimestamp t: Int64, lastValueBits bits: UInt64) -> XORChunkEncoder {
        var e = XORChunkEncoder()
        e.park(lastTimestamp: t, lastValueBits: bits)
        return e
    }

    /// Sets ``lastTimestamp`` and ``lastValueBits`` of an empty encoder; they keep these values
    /// until the next ``append(timestamp:value:)`` or reset, and change nothing that is encoded.
    /// - Precondition: ``count`` is 0.
    @inlinable
    public mutating func park(lastTimestamp t: Int64, lastValueBits bits: UInt64) {
        precondition(n == 0, "park on a non-empty chunk")
        self.t = t
        self.v = bits
    }
}
