/// Reading an open chunk without building its byte array: a query snapshots a head series' open
/// chunk as a copy of its encoder (the stream buffer is shared copy-on-write, nothing is copied
/// at select time) and decodes it later, on whichever thread reads the series.
extension XORChunkEncoder {
    /// Appends the samples with `minTime <= t <= maxTime` (closed, ms) in time order, exactly as
    /// ``XORChunk/decode(_:minTime:maxTime:timestamps:values:)-([UInt8],_,_,_,_)`` would over
    /// ``bytes``. The chunk bytes are assembled in a temporary (stack for ordinary chunk sizes)
    /// allocation (with the zero padding the bulk decoder needs) instead of a new array.
    /// - Throws: ``DecodeError`` only if the encoder's state is inconsistent (a bug: the bytes are
    ///   built in memory by ``append(timestamp:value:)``).
    public func decode(minTime: Int64, maxTime: Int64, timestamps: inout [Int64], values: inout [Double])
        throws(DecodeError)
    {
        if n == 0 { return }
        let size = byteCount
        var failure: DecodeError?
        withUnsafeTemporaryAllocation(byteCount: size &+ XORChunk.padding, alignment: 8) { buf in
            let written = writeBytes(into: buf)
            let base = buf.baseAddress!
            (base + written).initializeMemory(as: UInt8.self, repeating: 0, count: XORChunk.padding)
            do throws(DecodeError) {
                try XORChunk.decodePadded(UnsafeRawPointer(base), length: written, minTime: minTime, maxTime: maxTime,
                                          timestamps: &timestamps, values: &values)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// Hints that ``decode(minTime:maxTime:timestamps:values:)`` will run soon: prefetches the
    /// first cache lines of the encoder's byte buffer (its header, read for the count, and the
    /// first stream bytes) without touching them. A loop decoding many open chunks calls it a few
    /// series ahead: otherwise every series starts with a cache miss on a buffer last touched
    /// when its series was appended to.
    @inlinable
    public func prefetchBytes() {
        // The array's storage object: `[UInt8]` is one reference to its contiguous storage on
        // Linux, where the bit pattern is the object's address (not retained by the cast).
        let object = unsafeBitCast(stream, to: UnsafeRawPointer.self)
        Prefetch.read(object)
        Prefetch.read(object + 64)
        Prefetch.read(object + 128)
    }

    /// Writes ``bytes`` into `out` (at least ``byteCount`` bytes) and returns the number written.
    func writeBytes(into out: UnsafeMutableRawBufferPointer) -> Int {
        var k = stream.withUnsafeBytes { s in
            out.copyMemory(from: s)
            return s.count
        }
        out[0] = UInt8(truncatingIfNeeded: n &>> 8)
        out[1] = UInt8(truncatingIfNeeded: n)
        let words = (w0, w1, w2)
        for i in 0..<Int(fullWords) {
            let w = i == 0 ? words.0 : (i == 1 ? words.1 : words.2)
            out.storeBytes(of: w.bigEndian, toByteOffset: k, as: UInt64.self)
            k &+= 8
        }
        var a = acc
        var left = Int(accBits)
        while left > 0 {
            out[k] = UInt8(truncatingIfNeeded: a &>> 56)
            k &+= 1
            a = a &<< 8
            left &-= 8
        }
        if accBits & 7 == 0 && lastWriteWholeBytes {
            out[k] = 0
            k &+= 1
        }
        return k
    }
}
