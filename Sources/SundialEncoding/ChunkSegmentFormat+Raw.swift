extension ChunkSegmentFormat {
    /// ``validateHeader(_:)`` over borrowed bytes (a memory-mapped segment).
    public static func validateHeader(raw bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        guard bytes.count >= headerSize else { throw DecodeError(.truncated, offset: 0, "chunk segment shorter than its header") }
        let m = readBE32(bytes, 0)
        guard m == magic else { throw DecodeError(.invalid, offset: 0, "chunk segment magic \(IndexFormat.hex(m)), want \(IndexFormat.hex(magic))") }
        guard bytes[4] == version else { throw DecodeError(.invalid, offset: 4, "chunk segment version \(bytes[4]), want \(version)") }
    }

    /// ``decodeChunk(_:at:verifyChecksum:)`` over borrowed bytes (a memory-mapped segment).
    public static func decodeChunk(raw bytes: UnsafeRawBufferPointer, at offset: Int, verifyChecksum: Bool = true)
        throws(DecodeError) -> (encoding: UInt8, data: Range<Int>) {
        guard offset >= headerSize, offset < bytes.count else {
            throw DecodeError(.truncated, offset: offset, "chunk offset outside the segment of \(bytes.count) bytes")
        }
        var r = UnsafeByteReader(bytes, position: offset)
        let len = try r.readUVarint()
        let start = r.position
        guard len <= UInt64(bytes.count - start), bytes.count - start - Int(len) >= 5 else {
            throw DecodeError(.truncated, offset: offset, "chunk of \(len) bytes runs past the end of the segment")
        }
        let dataEnd = start + 1 + Int(len)
        if verifyChecksum {
            let want = readBE32(bytes, dataEnd)
            let got = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<dataEnd]))
            guard want == got else {
                throw DecodeError(.checksum, offset: offset, "chunk CRC32C stored \(IndexFormat.hex(want)), computed \(IndexFormat.hex(got))")
            }
        }
        return (bytes[start], (start + 1)..<dataEnd)
    }

    /// Locates the XOR chunk at `offset` of a borrowed segment and appends its samples with
    /// `minTime <= t <= maxTime` (closed) to the columns, zero-copy.
    /// - Throws: ``DecodeError`` for a corrupt record or chunk, or an encoding other than XOR.
    public static func decodeXORChunk(raw bytes: UnsafeRawBufferPointer, at offset: Int, minTime: Int64, maxTime: Int64,
                                      timestamps: inout [Int64], values: inout [Double]) throws(DecodeError) {
        let (enc, range) = try decodeChunk(raw: bytes, at: offset)
        // Native-histogram chunks (encodings 2 and 3) hold no float samples.
        if enc == 2 || enc == 3 { return }
        guard enc == encodingXOR else {
            throw DecodeError(.invalid, offset: offset, "chunk encoding \(enc); only XOR floats (1) are supported")
        }
        try XORChunk.decode(UnsafeRawBufferPointer(rebasing: bytes[range]), minTime: minTime, maxTime: maxTime,
                            timestamps: &timestamps, values: &values)
    }

    @inline(__always)
    static func readBE32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}
