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

    /// Hints that the first `lines` cache lines (64 bytes each, from the instance's start) of the
    /// class instance behind `object` will be written soon: e.g. a lock word and the state next to
    /// it, fetched in exclusive state so the locked write does not wait. Does not retain `object`;
    /// a stale `object` is allowed (a hint never faults).
    @inlinable @inline(__always)
    public static func object<T: AnyObject>(_ object: Unmanaged<T>, writingLines lines: Int) {
        let base = UnsafeRawPointer(object.toOpaque())
        var k = 0
        while k < lines {
            sundial_prefetch_write(base + k &* 64)
            k &+= 1
        }
    }

    /// ``object(_:writingLines:)`` for the instance in `array[index]`, read without retaining
    /// it (a retain would be a blocking write to the very line being prefetched). Does nothing
    /// when `index` is out of bounds or the element is nil.
    @inlinable @inline(__always)
    public static func element<T: AnyObject>(_ array: [T?], at index: Int, writingLines lines: Int) {
        guard index >= 0 && index < array.count else { return }
        array.withUnsafeBufferPointer { buffer in
            // An optional class reference is one pointer-sized word, 0 for nil.
            let bits = UnsafeRawPointer(buffer.baseAddress! + index).load(as: UInt.self)
            guard let base = UnsafeRawPointer(bitPattern: bits) else { return }
            var k = 0
            while k < lines {
                sundial_prefetch_write(base + k &* 64)
                k &+= 1
            }
        }
    }
}
