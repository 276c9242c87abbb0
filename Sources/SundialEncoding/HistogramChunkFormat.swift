/// Shared pieces of Prometheus's native-histogram chunk encodings (chunk encodings 2 = histogram
/// and 3 = float histogram), following `tsdb/docs/format/chunks.md` §"Histogram chunk data" and
/// §"Float histogram chunk data":
///
/// ```
/// num_samples <uint16 BE> | histogram_flags <1 byte> | zero_threshold <1 or 9 bytes> |
/// schema <varbit_int> | pos_spans | neg_spans | [custom_values, schema -53 only] | samples | padding
/// ```
/// Spans are `num_spans <varbit_uint>` then `length <varbit_uint>, offset <varbit_int>` per span.
/// The top two bits of `histogram_flags` are the counter-reset header (``HistogramChunkHeader``).

/// A run of buckets in a chunk layout (mirrors the core `HistogramSpan`; this module imports no
/// project module).
public struct HistogramChunkSpan: Sendable, Hashable {
    /// Gap to the previous span's end, or the first bucket's index for the first span.
    public var offset: Int32
    /// Number of buckets in the span.
    public var length: UInt32
    @inlinable public init(offset: Int32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}

/// The bucket layout written once at the start of a histogram chunk; every sample of the chunk
/// has exactly these buckets.
public struct HistogramChunkLayout: Sendable, Equatable {
    public var schema: Int32
    public var zeroThreshold: Double
    public var positiveSpans: [HistogramChunkSpan]
    public var negativeSpans: [HistogramChunkSpan]
    /// Custom bucket bounds (schema -53 only; written to the chunk only for that schema).
    public var customValues: [Double]

    public init(schema: Int32, zeroThreshold: Double, positiveSpans: [HistogramChunkSpan],
                negativeSpans: [HistogramChunkSpan], customValues: [Double] = []) {
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.positiveSpans = positiveSpans
        self.negativeSpans = negativeSpans
        self.customValues = customValues
    }

    /// The custom-buckets schema.
    public static let customBucketsSchema: Int32 = -53

    /// Number of positive buckets (sum of span lengths).
    public var positiveBucketCount: Int { positiveSpans.reduce(0) { $0 + Int($1.length) } }
    /// Number of negative buckets.
    public var negativeBucketCount: Int { negativeSpans.reduce(0) { $0 + Int($1.length) } }

    /// Same layout, floats compared by bits.
    public func isIdentical(to o: HistogramChunkLayout) -> Bool {
        schema == o.schema && zeroThreshold.bitPattern == o.zeroThreshold.bitPattern
            && positiveSpans == o.positiveSpans && negativeSpans == o.negativeSpans
            && customValues.count == o.customValues.count
            && zip(customValues, o.customValues).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// The absolute bucket indices the spans cover, in order (Prometheus `bucketIterator`).
    public static func indices(_ spans: [HistogramChunkSpan]) -> [Int64] {
        var out: [Int64] = []
        var idx: Int64 = 0
        for s in spans {
            idx += Int64(s.offset)
            for _ in 0..<s.length {
                out.append(idx)
                idx += 1
            }
        }
        return out
    }
}

/// The counter-reset header: the top two bits of a histogram chunk's flags byte.
public enum HistogramChunkHeader: UInt8, Sendable {
    /// `00`: unknown.
    case unknown = 0x00
    /// `01`: no counter reset between the previous chunk and this one.
    case notCounterReset = 0x40
    /// `10`: a counter reset between the previous chunk and this one.
    case counterReset = 0x80
    /// `11`: a gauge histogram chunk.
    case gauge = 0xC0

    /// The header of chunk data `bytes` (unknown when too short).
    public static func of(_ bytes: [UInt8]) -> HistogramChunkHeader {
        bytes.count > 2 ? HistogramChunkHeader(rawValue: bytes[2] & 0xC0) ?? .unknown : .unknown
    }
}

/// Bit-level codecs of the histogram chunks (Prometheus `varbit.go`, `histogram_meta.go`).
public enum HistogramBits {
    /// True when `x` fits `nbits` two's-complement bits as Prometheus's `bitRange` counts them:
    /// `-(2^(nbits-1) - 1) <= x <= 2^(nbits-1)`.
    @inlinable static func fits(_ x: Int64, _ nbits: Int) -> Bool {
        let half = Int64(1) << (nbits - 1)
        return x >= -(half - 1) && x <= half
    }

    /// Prefix lengths and payload widths of the varbit buckets: prefix `1...10` of n ones and a
    /// zero (the last without the zero), payload bits.
    @usableFromInline static let widths: [Int] = [3, 6, 9, 12, 18, 25, 56]

    /// `<varbit_int>`: 0 is one `0` bit; otherwise a prefix of 2...8 bits and a 3, 6, 9, 12, 18,
    /// 25, 56 or 64 bit payload (Prometheus `putVarbitInt`; one write call for the prefix, one for
    /// the payload, which matters for the spare-byte rule of ``BitWriter``).
    public static func writeVarbitInt(_ w: inout BitWriter, _ v: Int64) {
        if v == 0 {
            w.writeBit(false)
            return
        }
        for (i, n) in widths.enumerated() where fits(v, n) {
            // i+1 ones then a zero.
            let prefixLen = i + 2
            let prefix = (UInt64(1) << UInt64(prefixLen)) - 2
            w.writeBits(prefix, count: prefixLen)
            w.writeBits(UInt64(bitPattern: v), count: n)
            return
        }
        w.writeBits(0xFF, count: 8)
        w.writeBits(UInt64(bitPattern: v), count: 64)
    }

    /// `<varbit_uint>`: the buckets of ``writeVarbitInt(_:_:)`` for `v < 2^n` (Prometheus `putVarbitUint`).
    public static func writeVarbitUint(_ w: inout BitWriter, _ v: UInt64) {
        if v == 0 {
            w.writeBit(false)
            return
        }
        for (i, n) in widths.enumerated() where v.leadingZeroBitCount >= 64 - n {
            let prefixLen = i + 2
            w.writeBits((UInt64(1) << UInt64(prefixLen)) - 2, count: prefixLen)
            w.writeBits(v, count: n)
            return
        }
        w.writeBits(0xFF, count: 8)
        w.writeBits(v, count: 64)
    }

    /// Reads the prefix of a varbit number: the payload width (0 for the value 0).
    @inlinable static func readPrefix(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Int {
        var ones = 0
        while ones < 8 {
            if try !r.readBit(bytes) { break }
            ones += 1
        }
        switch ones {
        case 0: return 0
        case 8: return 64
        default: return widths[ones - 1]
        }
    }

    /// Reads a `<varbit_int>`.
    public static func readVarbitInt(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Int64 {
        let n = try readPrefix(&r, bytes)
        if n == 0 { return 0 }
        var bits = try r.readBits(n, bytes)
        if n == 64 { return Int64(bitPattern: bits) }
        if bits > UInt64(1) << UInt64(n - 1) { bits = bits &- (UInt64(1) << UInt64(n)) }
        return Int64(bitPattern: bits)
    }

    /// Reads a `<varbit_uint>`.
    public static func readVarbitUint(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> UInt64 {
        let n = try readPrefix(&r, bytes)
        if n == 0 { return 0 }
        return try r.readBits(n, bytes)
    }

    /// The zero threshold: 0 as a zero byte; a power of two 2^-243...2^10 as one byte
    /// `exponent + 243` (exponent of the 0.5-based `frexp`); anything else as 255 and 64 bits.
    public static func writeZeroThreshold(_ w: inout BitWriter, _ t: Double) {
        if t == 0 {
            w.writeByte(0)
            return
        }
        // frexp: t = frac * 2^exp with frac in [0.5, 1); a power of two has frac == 0.5.
        if t > 0 && t.isFinite && t.significandBitPattern == 0 && t.isNormal {
            let exp = Int(t.exponent) + 1
            if exp >= -242 && exp <= 11 {
                w.writeByte(UInt8(exp + 243))
                return
            }
        }
        w.writeByte(255)
        w.writeBits(t.bitPattern, count: 64)
    }

    /// Reads the zero threshold.
    public static func readZeroThreshold(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Double {
        let b = try r.readBits(8, bytes)
        switch b {
        case 0: return 0
        case 255: return Double(bitPattern: try r.readBits(64, bytes))
        default: return Double(sign: .plus, exponent: Int(b) - 243 - 1, significand: 1)
        }
    }

    static func writeSpans(_ w: inout BitWriter, _ spans: [HistogramChunkSpan]) {
        writeVarbitUint(&w, UInt64(spans.count))
        for s in spans {
            writeVarbitUint(&w, UInt64(s.length))
            writeVarbitInt(&w, Int64(s.offset))
        }
    }

    static func readSpans(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> [HistogramChunkSpan] {
        let n = try readVarbitUint(&r, bytes)
        // Each span takes at least 2 bits: a count beyond the remaining bits is corrupt.
        if n > UInt64(bytes.count) * 4 {
            throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: \(n) spans")
        }
        var spans: [HistogramChunkSpan] = []
        spans.reserveCapacity(Int(n))
        for _ in 0..<n {
            let length = try readVarbitUint(&r, bytes)
            let offset = try readVarbitInt(&r, bytes)
            guard length <= UInt64(UInt32.max), offset >= Int64(Int32.min), offset <= Int64(Int32.max) else {
                throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: span out of range")
            }
            spans.append(HistogramChunkSpan(offset: Int32(offset), length: UInt32(length)))
        }
        return spans
    }

    /// Custom bucket bounds (chunks.md §"Custom values data"): `y = x * 1000`; if `0 <= y <=
    /// 33554430` and integral (and exactly `x` again when divided by 1000) `y + 1` as varbit_uint,
    /// else a 0 bit and the 64 bits of `x`.
    static func writeCustomValues(_ w: inout BitWriter, _ values: [Double]) {
        writeVarbitUint(&w, UInt64(values.count))
        for x in values {
            let y = x * 1000
            if y >= 0 && y <= 33_554_430 && y.rounded(.towardZero) == y && y / 1000 == x {
                writeVarbitUint(&w, UInt64(y) + 1)
            } else {
                w.writeBit(false)
                w.writeBits(x.bitPattern, count: 64)
            }
        }
    }

    static func readCustomValues(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> [Double] {
        let n = try readVarbitUint(&r, bytes)
        if n > UInt64(bytes.count) * 8 {
            throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: \(n) custom values")
        }
        var out: [Double] = []
        out.reserveCapacity(Int(n))
        for _ in 0..<n {
            let v = try readVarbitUint(&r, bytes)
            if v == 0 {
                out.append(Double(bitPattern: try r.readBits(64, bytes)))
            } else {
                out.append(Double(v - 1) / 1000)
            }
        }
        return out
    }

    /// Writes the layout after the 3 header bytes.
    static func writeLayout(_ w: inout BitWriter, _ l: HistogramChunkLayout) {
        writeZeroThreshold(&w, l.zeroThreshold)
        writeVarbitInt(&w, Int64(l.schema))
        writeSpans(&w, l.positiveSpans)
        writeSpans(&w, l.negativeSpans)
        if l.schema == HistogramChunkLayout.customBucketsSchema { writeCustomValues(&w, l.customValues) }
    }

    static func readLayout(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> HistogramChunkLayout {
        let zt = try readZeroThreshold(&r, bytes)
        let schema = try readVarbitInt(&r, bytes)
        guard schema >= Int64(Int32.min) && schema <= Int64(Int32.max) else {
            throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: schema \(schema)")
        }
        let pos = try readSpans(&r, bytes)
        let neg = try readSpans(&r, bytes)
        var custom: [Double] = []
        if Int32(schema) == HistogramChunkLayout.customBucketsSchema { custom = try readCustomValues(&r, bytes) }
        let l = HistogramChunkLayout(schema: Int32(schema), zeroThreshold: zt, positiveSpans: pos, negativeSpans: neg, customValues: custom)
        if l.positiveBucketCount + l.negativeBucketCount > bytes.count * 8 {
            throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: more buckets than bits")
        }
        return l
    }

    /// Prometheus histogram `xorWrite`: `0` for an unchanged value; `10` and the meaningful bits
    /// when they fit the previous leading/trailing window; else `11`, 5 bits of leading zeros
    /// (clamped to 31), 6 bits of significant-bit count (64 stored as 0) and those bits.
    /// `leading == 0xff` means no window yet.
    public static func writeXOR(_ w: inout BitWriter, _ new: Double, _ old: Double, _ leading: inout UInt8, _ trailing: inout UInt8) {
        let delta = new.bitPattern ^ old.bitPattern
        if delta == 0 {
            w.writeBit(false)
            return
        }
        w.writeBit(true)
        var nl = UInt8(delta.leadingZeroBitCount)
        let nt = UInt8(delta.trailingZeroBitCount)
        if nl >= 32 { nl = 31 }
        if leading != 0xff && nl >= leading && nt >= trailing {
            w.writeBit(false)
            w.writeBits(delta >> UInt64(trailing), count: 64 - Int(leading) - Int(trailing))
            return
        }
        leading = nl
        trailing = nt
        w.writeBit(true)
        w.writeBits(UInt64(nl), count: 5)
        let sig = 64 - Int(nl) - Int(nt)
        w.writeBits(UInt64(sig), count: 6)
        w.writeBits(delta >> UInt64(nt), count: sig)
    }

    /// Reads a value written by ``writeXOR(_:_:_:_:_:)``.
    public static func readXOR(_ r: inout BitReader, _ bytes: UnsafeRawBufferPointer, _ old: Double,
                               _ leading: inout UInt8, _ trailing: inout UInt8) throws(DecodeError) -> Double {
        if try !r.readBit(bytes) { return old }
        if try r.readBit(bytes) {
            let l = UInt8(try r.readBits(5, bytes))
            var sig = Int(try r.readBits(6, bytes))
            if sig == 0 { sig = 64 }
            if Int(l) + sig > 64 { throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: xor window") }
            leading = l
            trailing = UInt8(64 - Int(l) - sig)
        } else if leading == 0xff {
            throw DecodeError(.invalid, offset: r.loadedUpTo, "histogram chunk: xor window reused before set")
        }
        let sig = 64 - Int(leading) - Int(trailing)
        let bits = try r.readBits(sig, bytes)
        return Double(bitPattern: old.bitPattern ^ (bits << UInt64(trailing)))
    }
}
