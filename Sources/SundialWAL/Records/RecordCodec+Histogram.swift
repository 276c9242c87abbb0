public import SundialCore
public import SundialEncoding

/// Native-histogram sample records (Prometheus `tsdb/record/record.go` `HistogramSamples`,
/// `FloatHistogramSamples`; 2.42 writes and reads types 7 and 8). Layout after the type byte:
/// `ref0 <8b BE>`, `t0 <8b BE>` of the first sample, then per sample
/// `varint(ref − ref0)`, `varint(t − t0)`, `counter-reset hint <1b>`, `varint schema`,
/// `zero threshold <8b BE float>`, then for integer histograms `uvarint zero count`,
/// `uvarint count`, for float histograms `zero count <8b BE float>`, `count <8b BE float>`; then
/// `sum <8b BE float>`, positive spans and negative spans (`uvarint n`, then `varint offset`,
/// `uvarint length` each), positive and negative buckets (`uvarint n`, then `varint` deltas for
/// integer histograms or `<8b BE float>` counts for float histograms). Custom-bucket histograms
/// (schema -53) go to types 9 / 10 (newer Prometheus; 2.42 cannot read them), which append
/// `uvarint n` and `<8b BE float>` bounds.
extension RecordEncoder {
    /// Appends one histogram-samples record (type 7, or 9 when `customBuckets`) holding `samples`.
    public static func encodeHistogramSamples(_ samples: some Collection<RefHistogramSample>, customBuckets: Bool = false,
                                              into buf: inout [UInt8]) {
        buf.append(customBuckets ? 9 : RecordType.histogramSamples.rawValue)
        guard let first = samples.first else { return }
        buf.appendBE64(first.ref.rawValue)
        buf.appendBE64(UInt64(bitPattern: first.t))
        let ref0 = Int64(bitPattern: first.ref.rawValue)
        for s in samples {
            buf.appendVarint(Int64(bitPattern: s.ref.rawValue) &- ref0)
            buf.appendVarint(s.t &- first.t)
            let h = s.h
            buf.append(h.counterResetHint.rawValue)
            buf.appendVarint(Int64(h.schema))
            buf.appendBE64(h.zeroThreshold.bitPattern)
            buf.appendUVarint(h.zeroCount)
            buf.appendUVarint(h.count)
            buf.appendBE64(h.sum.bitPattern)
            appendSpans(h.positiveSpans, into: &buf)
            appendSpans(h.negativeSpans, into: &buf)
            buf.appendUVarint(UInt64(h.positiveBuckets.count))
            for b in h.positiveBuckets { buf.appendVarint(b) }
            buf.appendUVarint(UInt64(h.negativeBuckets.count))
            for b in h.negativeBuckets { buf.appendVarint(b) }
            if customBuckets { appendFloats(h.customValues, into: &buf) }
        }
    }

    /// Appends one float-histogram-samples record (type 8, or 10 when `customBuckets`).
    public static func encodeFloatHistogramSamples(_ samples: some Collection<RefFloatHistogramSample>, customBuckets: Bool = false,
                                                   into buf: inout [UInt8]) {
        buf.append(customBuckets ? 10 : RecordType.floatHistogramSamples.rawValue)
        guard let first = samples.first else { return }
        buf.appendBE64(first.ref.rawValue)
        buf.appendBE64(UInt64(bitPattern: first.t))
        let ref0 = Int64(bitPattern: first.ref.rawValue)
        for s in samples {
            buf.appendVarint(Int64(bitPattern: s.ref.rawValue) &- ref0)
            buf.appendVarint(s.t &- first.t)
            let h = s.fh
            buf.append(h.counterResetHint.rawValue)
            buf.appendVarint(Int64(h.schema))
            buf.appendBE64(h.zeroThreshold.bitPattern)
            buf.appendBE64(h.zeroCount.bitPattern)
            buf.appendBE64(h.count.bitPattern)
            buf.appendBE64(h.sum.bitPattern)
            appendSpans(h.positiveSpans, into: &buf)
            appendSpans(h.negativeSpans, into: &buf)
            appendFloats(h.positiveBuckets, into: &buf)
            appendFloats(h.negativeBuckets, into: &buf)
            if customBuckets { appendFloats(h.customValues, into: &buf) }
        }
    }

    static func appendSpans(_ spans: [HistogramSpan], into buf: inout [UInt8]) {
        buf.appendUVarint(UInt64(spans.count))
        for s in spans {
            buf.appendVarint(Int64(s.offset))
            buf.appendUVarint(UInt64(s.length))
        }
    }

    static func appendFloats(_ values: [Double], into buf: inout [UInt8]) {
        buf.appendUVarint(UInt64(values.count))
        for v in values { buf.appendBE64(v.bitPattern) }
    }
}

extension RecordDecoder {
    /// Decodes a histogram-samples record (type 7 or 9), appending to `samples` (cleared first).
    public static func decodeHistogramSamples(_ record: [UInt8], into samples: inout [RefHistogramSample]) throws(DecodeError) {
        samples.removeAll(keepingCapacity: true)
        let result: Result<Void, DecodeError> = record.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw)
            do throws(DecodeError) {
                let type = try r.readByte()
                guard type == 7 || type == 9 else { throw DecodeError(.invalid, offset: 0, "record type \(type), expected 7 or 9") }
                if r.isAtEnd { return .success(()) }
                let ref0 = try r.readBE64()
                let t0 = Int64(bitPattern: try r.readBE64())
                while !r.isAtEnd {
                    let ref = UInt64(bitPattern: Int64(bitPattern: ref0) &+ (try r.readVarint()))
                    let t = t0 &+ (try r.readVarint())
                    let hint = try readHint(&r)
                    let schema = try readSchema(&r)
                    let zt = Double(bitPattern: try r.readBE64())
                    let zc = try r.readUVarint()
                    let c = try r.readUVarint()
                    let sum = Double(bitPattern: try r.readBE64())
                    let ps = try readSpans(&r)
                    let ns = try readSpans(&r)
                    let pb = try readVarints(&r)
                    let nb = try readVarints(&r)
                    let cv = type == 9 ? try readFloats(&r) : []
                    samples.append(RefHistogramSample(ref: SeriesRef(ref), t: t, h: Histogram(
                        counterResetHint: hint, schema: schema, zeroThreshold: zt, zeroCount: zc, count: c, sum: sum,
                        positiveSpans: ps, negativeSpans: ns, positiveBuckets: pb, negativeBuckets: nb, customValues: cv)))
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Decodes a float-histogram-samples record (type 8 or 10), appending to `samples` (cleared first).
    public static func decodeFloatHistogramSamples(_ record: [UInt8], into samples: inout [RefFloatHistogramSample]) throws(DecodeError) {
        samples.removeAll(keepingCapacity: true)
        let result: Result<Void, DecodeError> = record.withUnsafeBytes { raw in
            var r = UnsafeByteReader(raw)
            do throws(DecodeError) {
                let type = try r.readByte()
                guard type == 8 || type == 10 else { throw DecodeError(.invalid, offset: 0, "record type \(type), expected 8 or 10") }
                if r.isAtEnd { return .success(()) }
                let ref0 = try r.readBE64()
                let t0 = Int64(bitPattern: try r.readBE64())
                while !r.isAtEnd {
                    let ref = UInt64(bitPattern: Int64(bitPattern: ref0) &+ (try r.readVarint()))
                    let t = t0 &+ (try r.readVarint())
                    let hint = try readHint(&r)
                    let schema = try readSchema(&r)
                    let zt = Double(bitPattern: try r.readBE64())
                    let zc = Double(bitPattern: try r.readBE64())
                    let c = Double(bitPattern: try r.readBE64())
                    let sum = Double(bitPattern: try r.readBE64())
                    let ps = try readSpans(&r)
                    let ns = try readSpans(&r)
                    let pb = try readFloats(&r)
                    let nb = try readFloats(&r)
                    let cv = type == 10 ? try readFloats(&r) : []
                    samples.append(RefFloatHistogramSample(ref: SeriesRef(ref), t: t, fh: FloatHistogram(
                        counterResetHint: hint, schema: schema, zeroThreshold: zt, zeroCount: zc, count: c, sum: sum,
                        positiveSpans: ps, negativeSpans: ns, positiveBuckets: pb, negativeBuckets: nb, customValues: cv)))
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    static func readHint(_ r: inout UnsafeByteReader) throws(DecodeError) -> CounterResetHint {
        let at = r.position
        let b = try r.readByte()
        guard let h = CounterResetHint(rawValue: b) else { throw DecodeError(.invalid, offset: at, "counter reset hint \(b)") }
        return h
    }

    static func readSchema(_ r: inout UnsafeByteReader) throws(DecodeError) -> Int32 {
        let at = r.position
        let v = try r.readVarint()
        guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else { throw DecodeError(.invalid, offset: at, "histogram schema \(v)") }
        return Int32(v)
    }

    static func readSpans(_ r: inout UnsafeByteReader) throws(DecodeError) -> [HistogramSpan] {
        let at = r.position
        let n = try r.readUVarint()
        guard n <= UInt64(r.remaining / 2) else { throw DecodeError(.invalid, offset: at, "\(n) spans cannot fit in \(r.remaining) bytes") }
        var out: [HistogramSpan] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n {
            let p = r.position
            let off = try r.readVarint()
            let len = try r.readUVarint()
            guard off >= Int64(Int32.min) && off <= Int64(Int32.max) && len <= UInt64(UInt32.max) else {
                throw DecodeError(.invalid, offset: p, "histogram span out of range")
            }
            out.append(HistogramSpan(offset: Int32(off), length: UInt32(len)))
        }
        return out
    }

    static func readVarints(_ r: inout UnsafeByteReader) throws(DecodeError) -> [Int64] {
        let at = r.position
        let n = try r.readUVarint()
        guard n <= UInt64(r.remaining) else { throw DecodeError(.invalid, offset: at, "\(n) buckets cannot fit in \(r.remaining) bytes") }
        var out: [Int64] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n { out.append(try r.readVarint()) }
        return out
    }

    static func readFloats(_ r: inout UnsafeByteReader) throws(DecodeError) -> [Double] {
        let at = r.position
        let n = try r.readUVarint()
        guard n <= UInt64(r.remaining / 8) else { throw DecodeError(.invalid, offset: at, "\(n) floats cannot fit in \(r.remaining) bytes") }
        var out: [Double] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n { out.append(Double(bitPattern: try r.readBE64())) }
        return out
    }
}
