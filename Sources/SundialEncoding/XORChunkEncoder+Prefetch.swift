/// Software prefetch of an open chunk's buffer, for loops that append to many chunks in an order
/// the hardware cannot predict (the WAL replay: one sample per series per scrape round, so each
/// buffer is cold when its next sample comes).
extension XORChunkEncoder {
    /// Hints that the buffer will be written soon when the next sample may move the pending
    /// words into it (three complete words wait, see ``flush(_:)``): prefetches the cache line of
    /// the buffer's header (its count and capacity, the first load of the flush; for a buffer of
    /// up to ~30 bytes also the bytes written). Does nothing otherwise, so a buffer the next
    /// sample will not touch is not pulled into the cache. Reads only this value's own fields;
    /// never faults.
    @inlinable @inline(__always)
    public func prefetchBufferIfFlushDue() {
        guard fullWords == 3 else { return }
        // An `[UInt8]` is one reference to its storage object: header (16 bytes), count at
        // +16, capacity at +24, elements from +32.
        let object = unsafeBitCast(stream, to: UnsafeRawPointer.self)
        Prefetch.write(object + 16)
    }
}
