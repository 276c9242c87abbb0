/// Buffer sizing for the WAL replay, which appends a whole chunk's worth of samples per series in
/// a burst: it reserves the expected chunk size once instead of growing the buffer about seven
/// times per chunk (``reserveBufferCapacity(_:)``), then gives back what it over-reserved
/// (``trimBufferSlack()``), so the replayed head holds no more than the steady-state policy
/// (`XORChunkEncoder+Capacity.swift`) leaves. Neither call changes the chunk's bytes.
extension XORChunkEncoder {
    /// Makes room for the chunk to grow to `bytes` bytes in all (the 2-byte header included)
    /// with no further reallocation. Does nothing when the buffer already has that capacity.
    /// - Complexity: O(current byte count) when it reallocates, O(1) otherwise.
    @inlinable
    public mutating func reserveBufferCapacity(_ bytes: Int) {
        if stream.capacity < bytes { stream.reserveCapacity(bytes) }
    }

    /// Spare room beyond which ``trimBufferSlack()`` shrinks a buffer: one 32-byte flush plus 32
    /// bytes (a predicted chunk, see ``expectSamples(_:firstTimestamp:)``, ends with up to one
    /// block of slack; quarter growth leaves more).
    public static let replaySlackLimit = 64

    /// Shrinks the buffer to the bytes it holds plus one flush (32 bytes) when it has more than
    /// ``replaySlackLimit`` bytes of spare room; otherwise does nothing.
    /// - Returns: whether the buffer was replaced.
    @discardableResult
    public mutating func trimBufferSlack() -> Bool {
        let count = stream.count
        guard stream.capacity > count &+ XORChunkEncoder.replaySlackLimit else { return false }
        var trimmed = [UInt8]()
        trimmed.reserveCapacity(count &+ 32)
        trimmed.append(contentsOf: stream)
        stream = trimmed
        return true
    }
}
