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

    /// The largest ratio of decoded to encoded size of any valid snappy block, rounded up: a copy
    /// element with a 2-byte offset takes 3 bytes and yields up to 64 (21.3×); literals and the
    /// other copy forms yield less per byte (snappy format_description.txt §2).
    public static let maxExpansion = 22

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
        // A few bytes of garbage can claim hundreds of MB. No valid block decodes to more than
        // `maxExpansion` times its size (the densest element, a 3-byte copy, yields 64 bytes), so
        // a larger claim is refused before allocating, and any other claim costs at most that
        // multiple of the input: no separate validation pass (libsnappy's decompressor checks
        // every bound itself and reports corrupt input; it never writes past `n` bytes).
        guard n <= input.count &* Snappy.maxExpansion else {
            throw DecodeError(.invalid, offset: 0, "snappy: corrupt input (decoded length \(n) impossible for \(input.count) bytes)")
        }
        if output.capacity < n { output.reserveCapacity(n) }
        // Resize to `n` within the capacity: the bytes are all overwritten by the decoder, so
        // only the part beyond the current count is zero-filled (no memset of the whole record).
        if output.count > n {
            output.removeSubrange(n...)
        } else if output.count < n {
            output.append(contentsOf: repeatElement(0, count: n &- output.count))
        }
        if n == 0 {
            // Nothing to decode into: only the validator can tell trailing garbage from none.
            let valid = snappy_validate_compressed_buffer(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count)
            guard valid == SNAPPY_OK else { throw DecodeError(.invalid, offset: 0, "snappy: corrupt input") }
            return
        }
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
