import CSnappy

/// Snappy **block** format (not framed) via libsnappy: the compression of remote write/read
/// bodies and of Prometheus WAL records.
public enum Snappy {
    /// Compresses `input`, replacing the contents of `output` (reused buffer).
    public static func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let maxLen = snappy_max_compressed_length(input.count)
        // Resize within the buffer's capacity (no allocation once it has grown): shrinking to the
        // compressed length below keeps the capacity for the next call.
        if output.count < maxLen {
            output.reserveCapacity(maxLen)
            output.append(contentsOf: repeatElement(0, count: maxLen - output.count))
        }
        var outLen = output.count
        output.withUnsafeMutableBytes { out in
            _ = snappy_compress(
                input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                out.baseAddress!.assumingMemoryBound(to: CChar.self), &outLen)
        }
        output.removeSubrange(outLen...)
    }

    /// Compresses `input` into a new array.
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        input.withUnsafeBytes { compress($0, into: &out) }
        return out
    }

    /// The decoded length stored in a snappy block's header, or nil if the header is invalid.
    public static func uncompressedLength(_ input: UnsafeRawBufferPointer) -> Int? {
        var n = 0
        let st = snappy_uncompressed_length(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count, &n)
        return st == SNAPPY_OK ? n : nil
    }

    /// Decompresses `input` into `output` (replaced; capacity reused).
    /// - Parameter maxLength: refuse inputs that claim to decode to more than this many bytes.
    /// - Throws: ``DecodeError`` for a corrupt block or one over `maxLength`.
    public static func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8], maxLength: Int = Int.max)
        throws(DecodeError)
    {
        guard let n = uncompressedLength(input) else {
            throw DecodeError(.invalid, offset: 0, "snappy: corrupt input (bad length header)")
        }
        guard n <= maxLength else {
            throw DecodeError(.invalid, offset: 0, "snappy: decoded length \(n) exceeds limit \(maxLength)")
        }
        // A few bytes of garbage can claim hundreds of MB: check the whole block (no output
        // written) before allocating, so a corrupt header costs nothing.
        let valid = snappy_validate_compressed_buffer(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count)
        guard valid == SNAPPY_OK else {
            throw DecodeError(.invalid, offset: 0, "snappy: corrupt input")
        }
        if output.count < n { output.reserveCapacity(n) }
        output.removeAll(keepingCapacity: true)
        if n == 0 { return }
        output.append(contentsOf: repeatElement(0, count: n))
        var outLen = n
        let st = output.withUnsafeMutableBytes { out in
            snappy_uncompress(
                input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                out.baseAddress!.assumingMemoryBound(to: CChar.self), &outLen)
        }
        guard st == SNAPPY_OK, outLen == n else {
            output.removeAll(keepingCapacity: true)
            throw DecodeError(.invalid, offset: 0, "snappy: corrupt input")
        }
    }

    /// Decompresses a byte array into a new array.
    public static func decompress(_ input: [UInt8], maxLength: Int = Int.max) throws(DecodeError) -> [UInt8] {
        var out: [UInt8] = []
        let result: Result<Void, DecodeError> = input.withUnsafeBytes { b in
            do throws(DecodeError) {
                try decompress(b, into: &out, maxLength: maxLength)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return out
    }
}
