/// Open-chunk buffer sizing. A head holds one open chunk per series, so the slack in its buffer is
/// paid once per series (issue #6: ~100k open buffers at 100k series). The buffer grows by a
/// quarter at a time (at least 32 bytes beyond the next 32-byte block), which reallocates ~7 times
/// per 600-byte chunk and leaves on average about an eighth of the chunk unused; the last growth
/// of a chunk overshoots its final size by up to a quarter. With a prediction of the final size
/// (``expectSamples(_:firstTimestamp:)``) no growth goes past it, so a chunk that reaches its
/// predicted size holds (almost) no slack; growth past a prediction that fell short is by a
/// sixteenth (the chunk is then about to be cut). A prediction never grows the buffer ahead of
/// need: an open chunk is on average half full, and reserving its final size early would leave
/// the rest idle.
extension XORChunkEncoder {
    /// Largest predicted stream size the 8-bit unit count can express (bytes past the header).
    @usableFromInline static let maxPredictedBytes = Int(UInt8.max) &* 32

    /// Tells the encoder how many samples its chunk is expected to hold in total (the head predicts
    /// it when the chunk is a quarter full, from the cut time it predicts then; Prometheus's
    /// `computeChunkEndTime`). The final size is extrapolated from the bytes per sample so far,
    /// the first sample's (a varint of `firstTimestamp` and 8 value bytes) counted once, and no
    /// later growth of the buffer goes past the stream bytes that size needs. The bytes written
    /// are unaffected; only the buffer's capacity changes. Cleared by every reset.
    ///
    /// Does nothing when fewer than 2 samples are in, `total <= count`, or the predicted size
    /// exceeds 8,160 bytes (the quarter-growth policy applies then).
    /// - Parameters:
    ///   - total: expected number of samples of the whole chunk.
    ///   - firstTimestamp: the chunk's first sample's timestamp (ms).
    /// - Complexity: O(1); allocates nothing.
    public mutating func expectSamples(_ total: Int, firstTimestamp: Int64) {
        let n = Int(self.n)
        guard n > 1, total > n, total <= XORChunkEncoder.maxSamples else { return }
        var zigzag = UInt64(bitPattern: (firstTimestamp &<< 1) ^ (firstTimestamp >> 63))
        var first = 9  // 8 value bytes + the varint's last byte
        while zigzag >= 0x80 {
            first &+= 1
            zigzag &>>= 7
        }
        let rest = byteCount &- 2 &- first  // header and first sample excluded
        guard rest > 0 else { return }
        let predicted = first &+ rest &* (total &- 1) / (n &- 1)
        // Stream bytes past the header are flushed 32 at a time; up to 31 more wait in the
        // register and pending words, so the stream reaches floor(predicted / 32) blocks.
        let units = predicted / 32
        guard predicted <= XORChunkEncoder.maxPredictedBytes, units > 0 else { return }
        capacityUnits = UInt8(truncatingIfNeeded: units)
    }

    /// The predicted stream capacity (header included) set by
    /// ``expectSamples(_:firstTimestamp:)``, or nil.
    public var predictedCapacity: Int? {
        capacityUnits == 0 ? nil : 2 &+ 32 &* Int(capacityUnits)
    }

    /// Makes room for the next 32-byte block: by a quarter (at least 32 bytes more than the
    /// block), but not past the predicted size when there is one with room left; by a sixteenth
    /// more than the block when the prediction fell short. Never doubles: a head holds one open
    /// buffer per series.
    @usableFromInline @inline(never)
    mutating func growStream() {
        let count = stream.count
        let need = count &+ 32
        var target = need &+ Swift.max(32, count / 4)
        if capacityUnits != 0 {
            let predicted = 2 &+ 32 &* Int(capacityUnits)
            target = predicted >= need ? Swift.min(target, predicted) : need &+ count / 16
        }
        stream.reserveCapacity(target)
    }
}
