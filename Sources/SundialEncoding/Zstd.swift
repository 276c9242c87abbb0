import CZstd

/// Zstandard frames via libzstd. Offered as an optional WAL record compression (newer
/// Prometheus versions have it; Prometheus 2.42 cannot read it).
public enum Zstd {
    /// Compresses `input` at `level` (1 = fastest) into a new array.
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 1) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBytes { o in
            ZSTD_compress(o.baseAddress, bound, input.baseAddress, input.count, level)
        }
        if ZSTD_isError(n) != 0 { return [] }
        out.removeSubrange(n...)
        return out
    }

    /// Decompresses one frame whose content size is recorded in its header.
    /// - Throws: ``DecodeError`` for a corrupt frame, an unknown size, or a size over `maxLength`.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxLength: Int = 1 << 30) throws(DecodeError) -> [UInt8] {
        let size = ZSTD_getFrameContentSize(input.baseAddress, input.count)
        // ZSTD_CONTENTSIZE_UNKNOWN = -1, ZSTD_CONTENTSIZE_ERROR = -2 (as unsigned long long).
        guard size != UInt64.max, size != UInt64.max - 1 else {
            throw DecodeError(.invalid, offset: 0, "zstd: corrupt frame or unknown content size")
        }
        guard size <= UInt64(maxLength) else {
            throw DecodeError(.invalid, offset: 0, "zstd: content size \(size) exceeds limit \(maxLength)")
        }
        var out = [UInt8](repeating: 0, count: Int(size))
        let n = out.withUnsafeMutableBytes { o in
            ZSTD_decompress(o.baseAddress, Int(size), input.baseAddress, input.count)
        }
        guard ZSTD_isError(n) == 0, n == Int(size) else {
            throw DecodeError(.invalid, offset: 0, "zstd: corrupt frame")
        }
        return out
    }
}
