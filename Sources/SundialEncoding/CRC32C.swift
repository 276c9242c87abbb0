import CCRC32C

/// CRC32-Castagnoli (polynomial 0x82F63B78, reflected), the checksum of every Prometheus TSDB
/// file (index sections, chunks, WAL fragments, tombstones; Go `crc32.MakeTable(crc32.Castagnoli)`).
/// The CPU's CRC32-C instruction (x86-64 SSE4.2, through the `CCRC32C` shim) when it has one,
/// else a slicing-by-8 table implementation (``tableChecksum(_:continuing:)``); both give the
/// same result for every input. Thread-safe.
public enum CRC32C {
    /// Whether ``checksum(_:continuing:)`` uses the CPU instruction (decided once per process).
    public static let hardware: Bool = sundial_crc32c_hardware() != 0

    @usableFromInline
    static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xff)] }
        }
        return t
    }()

    @usableFromInline
    static let flat: [UInt32] = tables.flatMap { $0 }

    /// CRC of `bytes`, continuing from `crc` (pass 0 to start; the result of one call may be
    /// passed to the next to checksum discontiguous data).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if hardware {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
            return ~sundial_crc32c_update(~crc, base, bytes.count)
        }
        return tableChecksum(bytes, continuing: crc)
    }

    /// ``checksum(_:continuing:)`` computed with the slicing-by-8 tables whatever the CPU has
    /// (the fallback, and the reference the hardware path is tested against).
    public static func tableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var c = ~crc
        var i = 0
        let n = bytes.count
        flat.withUnsafeBufferPointer { t in
            while n - i >= 8 {
                let lo = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
                let x = c ^ lo
                c = t[7 * 256 + Int(x & 0xff)] ^ t[6 * 256 + Int((x >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xff)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + Int(bytes[i + 4])] ^ t[2 * 256 + Int(bytes[i + 5])]
                    ^ t[1 * 256 + Int(bytes[i + 6])] ^ t[0 * 256 + Int(bytes[i + 7])]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xff)] ^ (c >> 8)
                i += 1
            }
        }
        return ~c
    }

    /// CRC of a byte array slice.
    @inlinable
    public static func checksum(_ bytes: some ContiguousBytes, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, continuing: crc) }
    }
}

/// Types whose bytes can be viewed contiguously (`[UInt8]`, `ArraySlice<UInt8>`, ...).
public protocol ContiguousBytes {
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}
extension Array: ContiguousBytes where Element == UInt8 {}
extension ArraySlice: ContiguousBytes where Element == UInt8 {}
extension ContiguousArray: ContiguousBytes where Element == UInt8 {}
