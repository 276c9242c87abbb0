import CPrefetch

/// Software prefetch hints for hot loops that touch memory in an order the hardware prefetcher cannot
/// predict (e.g. one series state per sample, in request order). A hint never faults and never changes
/// results: any address, even a dangling one, is allowed. Thread-safe (it reads nothing).
public enum Prefetch {
    /// Hints that the cache line at `address` will be read soon.
    @inlinable @inline(__always)
    public static func read(_ address: UnsafeRawPointer) {
        sundial_prefetch_read(address)
    }

    /// Hints that the cache line at `address` will be written soon.
    @inlinable @inline(__always)
    public static func write(_ address: UnsafeRawPointer) {
        sundial_prefetch_write(address)
    }

    /// Hints that the first cache line of the class instance `object` (its header and first stored
    /// properties) will be read soon. Does not retain `object`.
    @inlinable @inline(__always)
    public static func object(_ object: AnyObject) {
        sundial_prefetch_read(UnsafeRawPointer(Unmanaged.passUnretained(object).toOpaque()))
    }
}
