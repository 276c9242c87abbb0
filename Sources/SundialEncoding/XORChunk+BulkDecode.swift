/// Whole-chunk XOR decoding with one tight loop (the query read path: every sample of a chunk in
/// a time range, in order).
///
/// The chunk's bytes are first copied into a scratch buffer followed by ``XORChunk/padding``
/// zero bytes, so the bit buffer is refilled with one unaligned 8-byte load and no bounds branch;
/// the loop keeps its whole state (bit buffer, position, last timestamp, delta, value and window)
/// in locals and checks once per sample that it has not consumed more bits than the chunk holds.
/// That check is exact: a sample that would need bits past the end throws `.truncated` and is not
/// stored, as ``XORChunkIterator`` stops on it. The first two samples (varint timestamp, raw
/// value, uvarint delta) go through ``XORDecoderState``, whose state the loop then takes over.
///
/// Layout: Prometheus `tsdb/docs/format/chunks.md` §XOR chunk data and `tsdb/chunkenc/xor.go`
/// (2.42): timestamps as delta of delta with the prefixes `0`, `10` + 14 bits, `110` + 17 bits,
/// `1110` + 20 bits, `1111` + 64 bits; values XORed with the previous one: `0` for equal, `10` +
/// the bits of the previous window, `11` + 5 bits of leading zeros + 6 bits of width (0 meaning
/// 64) + the bits.
extension XORChunk {
    /// Readable bytes the scratch copy carries after the chunk (zeroed). At the start of a sample
    /// at most 63 bits are buffered beyond the consumed position, so the next load starts at most
    /// 8 bytes past the chunk's end once all its bits are consumed; a sample refills at most five
    /// times (timestamp, the second half of a 64-bit delta, value, two for a 64-bit value), each
    /// advancing at most 7 bytes and loading 8: 8 + 35 + 8 = 51 bytes. 64 leaves a margin.
    @usableFromInline static let padding = 64

    /// Decodes the chunk whose `length` bytes start at `base`, followed by at least
    /// ``padding`` readable bytes, appending the samples with `minTime <= t <= maxTime` (closed,
    /// ms) in chunk order; stops once a timestamp exceeds `maxTime`.
    /// - Throws: ``DecodeError`` for a truncated or corrupt chunk; the samples decoded before the
    ///   error have been appended.
    @usableFromInline
    static func decodePadded(
        _ base: UnsafeRawPointer, length: Int, minTime: Int64, maxTime: Int64,
        timestamps: inout [Int64], values: inout [Double]
    ) throws(DecodeError) {
        var state = try XORDecoderState(UnsafeRawBufferPointer(start: base, count: length))
        let n = state.numTotal
        if n == 0 { return }
        // Decode into scratch columns (stack for ordinary chunk sizes) and append them with one
        // copy each: per-sample `Array.append` costs as much as the bit decoding itself.
        var failure: DecodeError?
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: n) { ts in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { vs in
                let (k, error) = decodeSamples(base, length: length, &state, minTime: minTime, maxTime: maxTime,
                                               ts.baseAddress!, vs.baseAddress!)
                failure = error
                timestamps.append(contentsOf: UnsafeBufferPointer(rebasing: ts[..<k]))
                values.append(contentsOf: UnsafeBufferPointer(rebasing: vs[..<k]))
            }
        }
        if let failure { throw failure }
    }

    /// Decodes `state`'s chunk (freshly initialised: header read) into `ts`/`vs`, which have room
    /// for the header's sample count. Returns the number of samples stored and the error that
    /// stopped decoding early, if any.
    static func decodeSamples(
        _ base: UnsafeRawPointer, length: Int, _ state: inout XORDecoderState, minTime: Int64, maxTime: Int64,
        _ ts: UnsafeMutablePointer<Int64>, _ vs: UnsafeMutablePointer<Double>
    ) -> (Int, DecodeError?) {
        let n = state.numTotal
        let bytes = UnsafeRawBufferPointer(start: base, count: length)
        var k = 0
        // Samples 0 and 1 (byte-aligned varints, a raw value, the first XOR value).
        do throws(DecodeError) {
            for _ in 0..<Swift.min(n, 2) {
                guard try state.next(bytes) else { return (k, nil) }
                if state.t < minTime { continue }
                if state.t > maxTime { return (k, nil) }
                ts[k] = state.t
                vs[k] = Double(bitPattern: state.v)
                k &+= 1
            }
        } catch {
            return (k, error)
        }
        if n <= 2 { return (k, nil) }
        // The rest: the bit reader's state in registers. `valid` stays in 0...63 after every
        // read (state.next consumed at least one value bit after its last refill), and the
        // bits of `buf` beyond `valid` are zero or the stream's own next bits, so an 8-byte
        // load ORed in at `valid` refills without masking (see ``BitReader/refill(_:)``).
        var buf = state.reader.buffer
        var valid = state.reader.valid
        var pos = state.reader.nextByte
        var t = state.t
        var tDelta = Int64(bitPattern: state.tDelta)
        var v = state.v
        var leading = Int(state.leading)
        var trailing = Int(state.trailing)
        let limitBits = length &* 8

        @inline(__always) func refill() {
            let w = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
            buf |= w &>> UInt64(valid)
            pos &+= (63 &- valid) &>> 3
            valid |= 56
        }
        // Reads `count` bits (1...63, at most `valid`).
        @inline(__always) func take(_ count: Int) -> UInt64 {
            let r = buf &>> UInt64(64 &- count)
            buf = buf &<< UInt64(count)
            valid &-= count
            return r
        }
        // Reads `count` bits (1...64), refilling as needed.
        @inline(__always) func read(_ count: Int) -> UInt64 {
            if count > valid { refill() }
            if count <= valid { return take(count) }
            let hi = take(32)
            refill()
            return hi &<< UInt64(count &- 32) | take(count &- 32)
        }
        @inline(__always) func take64() -> UInt64 {
            let hi = take(32)
            refill()
            return hi &<< 32 | take(32)
        }
        @inline(__always) func truncated() -> DecodeError {
            DecodeError(.truncated, offset: Swift.min(length, pos), "bit stream ended")
        }

        for _ in 2..<n {
            // Timestamp: delta of delta; the prefix is the count of leading ones (at most 4).
            refill()
            let ones = (~buf).leadingZeroBitCount
            if ones < 4 {
                // Branch-free over the four short forms: the prefix (ones + 1 bits) and `size`
                // bits of delta of delta, `size` from a byte table (0, 14, 17, 20); the mask
                // zeroes the `0` form, whose shift by 64 would wrap to 0.
                let size = Int(truncatingIfNeeded: (0x1411_0E00 as UInt64) &>> UInt64(ones &* 8)) & 0xff
                let mask: UInt64 = ones == 0 ? 0 : ~0
                var raw = (buf &<< UInt64(ones &+ 1)) &>> UInt64(64 &- size) & mask
                let used = ones &+ 1 &+ size
                buf = buf &<< UInt64(used)
                valid &-= used
                // Values above 2^(size-1) are negative (two's complement in `size` bits).
                let half: UInt64 = (1 &<< UInt64(size)) &>> 1
                if raw > half { raw = raw &- (half &<< 1) }
                tDelta = tDelta &+ Int64(bitPattern: raw)
            } else {
                buf = buf &<< 4
                valid &-= 4
                tDelta = tDelta &+ Int64(bitPattern: take64())
            }
            t = t &+ tDelta
            // Value (Prometheus `xorRead`).
            refill()
            if buf &>> 63 != 0 {
                // `10`: the previous window; `11`: a new one in the next 11 bits. Selected without
                // a branch (the two alternate unpredictably in counters).
                let newWindow = buf &>> 62 & 1 != 0
                let control = Int(truncatingIfNeeded: (buf &<< 2) &>> 53)
                let l = control &>> 6
                let size = control & 0x3f == 0 ? 64 : control & 0x3f
                if (newWindow ? l &+ size : 0) > 64 {
                    buf = buf &<< 13
                    valid &-= 13
                    if pos &* 8 &- valid > limitBits { return (k, truncated()) }
                    return (k, DecodeError(
                        .invalid, offset: (pos &* 8 &- valid) / 8,
                        "XOR value window of \(l) leading zeros and \(size) significant bits exceeds 64 bits"))
                }
                leading = newWindow ? l : leading
                trailing = newWindow ? 64 &- l &- size : trailing
                let used = newWindow ? 13 : 2
                buf = buf &<< UInt64(used)
                valid &-= used
                let bits = read(64 &- leading &- trailing)
                v ^= bits &<< UInt64(trailing)
            } else {
                buf = buf &<< 1
                valid &-= 1
            }
            if pos &* 8 &- valid > limitBits { return (k, truncated()) }
            if t < minTime { continue }
            if t > maxTime { break }
            ts[k] = t
            vs[k] = Double(bitPattern: v)
            k &+= 1
        }
        return (k, nil)
    }
}
