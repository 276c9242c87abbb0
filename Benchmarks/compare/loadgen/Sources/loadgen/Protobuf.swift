import CSnappyLG

// Remote write 1.0 wire format, encoded by hand (remote write spec, "Protocol" section; prompb/remote.proto
// and prompb/types.proto):
//   WriteRequest { repeated TimeSeries timeseries = 1; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
// Like Prometheus's gogo-generated marshaller, proto3 zero scalars (value 0, timestamp 0) are omitted.

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendUVarint(_ v: UInt64) {
        var x = v
        while x >= 0x80 {
            append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        append(UInt8(x))
    }

    @inline(__always)
    mutating func appendLE64(_ v: UInt64) {
        for i in 0..<8 { append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }
}

@inline(__always)
func uvarintLen(_ v: UInt64) -> Int {
    var n = 1
    var x = v
    while x >= 0x80 {
        x >>= 7
        n += 1
    }
    return n
}

/// The encoded `Label` fields (field 1 of `TimeSeries`) of one series, computed once per series.
func encodeLabels(_ labels: [(String, String)]) -> [UInt8] {
    var out: [UInt8] = []
    for (name, value) in labels {
        let n = Array(name.utf8)
        let v = Array(value.utf8)
        var label: [UInt8] = []
        label.append(0x0A)  // Label.name, wire type 2
        label.appendUVarint(UInt64(n.count))
        label += n
        label.append(0x12)  // Label.value, wire type 2
        label.appendUVarint(UInt64(v.count))
        label += v
        out.append(0x0A)  // TimeSeries.labels, wire type 2
        out.appendUVarint(UInt64(label.count))
        out += label
    }
    return out
}

/// Appends one `WriteRequest.timeseries` entry holding `labels` and a single sample, the shape
/// Prometheus's queue manager sends.
@inline(__always)
func appendTimeSeries(_ out: inout [UInt8], labels: [UInt8], value: Double, timestampMs: Int64) {
    let bits = value.bitPattern
    let ts = UInt64(bitPattern: timestampMs)
    let sampleLen = (bits != 0 ? 9 : 0) + (ts != 0 ? 1 + uvarintLen(ts) : 0)
    let seriesLen = labels.count + 1 + uvarintLen(UInt64(sampleLen)) + sampleLen
    out.append(0x0A)  // WriteRequest.timeseries
    out.appendUVarint(UInt64(seriesLen))
    out += labels
    out.append(0x12)  // TimeSeries.samples
    out.appendUVarint(UInt64(sampleLen))
    if bits != 0 {
        out.append(0x09)  // Sample.value, wire type 1 (fixed64, little-endian IEEE 754)
        out.appendLE64(bits)
    }
    if ts != 0 {
        out.append(0x10)  // Sample.timestamp, wire type 0 (varint of the two's complement)
        out.appendUVarint(ts)
    }
}

/// Snappy block format (not framed), as remote write requires.
enum SnappyBlock {
    static func compress(_ input: [UInt8], into output: inout [UInt8]) {
        let maxLen = snappy_max_compressed_length(input.count)
        if output.count < maxLen { output = [UInt8](repeating: 0, count: maxLen) }
        var outLen = output.count
        input.withUnsafeBytes { inp in
            output.withUnsafeMutableBytes { out in
                _ = snappy_compress(inp.baseAddress?.assumingMemoryBound(to: CChar.self), inp.count,
                                    out.baseAddress!.assumingMemoryBound(to: CChar.self), &outLen)
            }
        }
        output.removeSubrange(outLen...)
    }

    static func decompress(_ input: ArraySlice<UInt8>) throws -> [UInt8] {
        try input.withUnsafeBytes { (inp: UnsafeRawBufferPointer) -> [UInt8] in
            var n = 0
            guard snappy_uncompressed_length(inp.baseAddress?.assumingMemoryBound(to: CChar.self), inp.count, &n)
                == SNAPPY_OK
            else { throw LoadgenError("snappy: bad length header") }
            var out = [UInt8](repeating: 0, count: n)
            var outLen = n
            let st = out.withUnsafeMutableBytes { o in
                snappy_uncompress(inp.baseAddress?.assumingMemoryBound(to: CChar.self), inp.count,
                                  o.baseAddress?.assumingMemoryBound(to: CChar.self), &outLen)
            }
            guard st == SNAPPY_OK, outLen == n else { throw LoadgenError("snappy: corrupt block") }
            return out
        }
    }
}

/// A structured failure of the load generator (bad flag, bad file, decode mismatch, HTTP failure).
struct LoadgenError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A decoded remote-write series: what the self-test checks the encoder against.
struct DecodedSeries {
    var labels: [(String, String)]
    var samples: [(Int64, Double)]
}

/// An independent protobuf decoder for `WriteRequest` (generic field walking, unlike the encoder's fixed
/// layout), used by `selftest` and `verify`. Unknown fields are skipped; every read is bounds-checked.
struct WriteRequestDecoder {
    private let b: [UInt8]
    private var i = 0
    init(_ bytes: [UInt8]) { b = bytes }

    private mutating func uvarint() throws -> UInt64 {
        var x: UInt64 = 0
        var s: UInt64 = 0
        while true {
            guard i < b.count else { throw LoadgenError("protobuf: truncated varint at \(i)") }
            let c = b[i]
            i += 1
            if c < 0x80 { return x | UInt64(c) << s }
            guard s < 63 else { throw LoadgenError("protobuf: varint overflow at \(i)") }
            x |= UInt64(c & 0x7F) << s
            s += 7
        }
    }

    private mutating func bytes() throws -> Range<Int> {
        let n = try uvarint()
        guard n <= UInt64(b.count - i) else { throw LoadgenError("protobuf: length \(n) past end at \(i)") }
        defer { i += Int(n) }
        return i..<i + Int(n)
    }

    private mutating func skip(wireType: UInt64) throws {
        switch wireType {
        case 0: _ = try uvarint()
        case 1: guard b.count - i >= 8 else { throw LoadgenError("protobuf: truncated fixed64") }; i += 8
        case 2: _ = try bytes()
        case 5: guard b.count - i >= 4 else { throw LoadgenError("protobuf: truncated fixed32") }; i += 4
        default: throw LoadgenError("protobuf: wire type \(wireType) at \(i)")
        }
    }

    private mutating func string(_ r: Range<Int>) throws -> String {
        guard let s = String(validating: b[r], as: UTF8.self) else { throw LoadgenError("protobuf: invalid UTF-8") }
        return s
    }

    /// Decodes the whole message.
    mutating func decode() throws -> [DecodedSeries] {
        var out: [DecodedSeries] = []
        while i < b.count {
            let key = try uvarint()
            guard key == 0x0A else { try skip(wireType: key & 7); continue }
            let ts = try bytes()
            i = ts.lowerBound
            out.append(try series(end: ts.upperBound))
        }
        return out
    }

    private mutating func series(end: Int) throws -> DecodedSeries {
        var s = DecodedSeries(labels: [], samples: [])
        while i < end {
            let key = try uvarint()
            switch key {
            case 0x0A:
                let r = try bytes()
                let saved = i
                i = r.lowerBound
                var name = ""
                var value = ""
                while i < r.upperBound {
                    let k = try uvarint()
                    if k == 0x0A { name = try string(try bytes()) } else if k == 0x12 { value = try string(try bytes()) } else {
                        try skip(wireType: k & 7)
                    }
                }
                i = saved
                s.labels.append((name, value))
            case 0x12:
                let r = try bytes()
                let saved = i
                i = r.lowerBound
                var v = 0.0
                var t: Int64 = 0
                while i < r.upperBound {
                    let k = try uvarint()
                    if k == 0x09 {
                        guard r.upperBound - i >= 8 else { throw LoadgenError("protobuf: truncated double") }
                        var bits: UInt64 = 0
                        for j in 0..<8 { bits |= UInt64(b[i + j]) << (8 * UInt64(j)) }
                        v = Double(bitPattern: bits)
                        i += 8
                    } else if k == 0x10 {
                        t = Int64(bitPattern: try uvarint())
                    } else {
                        try skip(wireType: k & 7)
                    }
                }
                i = saved
                s.samples.append((t, v))
            default:
                try skip(wireType: key & 7)
            }
        }
        guard i == end else { throw LoadgenError("protobuf: TimeSeries overran its length") }
        return s
    }
}

/// One series of a request as `WriteRequestScanner` sees it: a hash of its label bytes and its samples.
struct ScannedSeries {
    /// FNV-1a 64 over the encoded `Label` fields: equal label sets give equal hashes.
    var labelsHash: UInt64
    var labelCount: Int
    var sampleCount: Int
    /// Timestamp of the last sample (ms).
    var lastTimestamp: Int64
}

/// An allocation-free scanner of `WriteRequest` bytes for `verify` over millions of samples: checks the
/// structure, UTF-8 validity and byte order of label names and reports each series through `visit`.
struct WriteRequestScanner {
    static func scan(_ b: [UInt8], _ visit: (ScannedSeries) throws -> Void) throws {
        try b.withUnsafeBufferPointer { p in
            var i = 0
            func uvarint(_ end: Int) throws -> UInt64 {
                var x: UInt64 = 0
                var s: UInt64 = 0
                while true {
                    guard i < end else { throw LoadgenError("protobuf: truncated varint at \(i)") }
                    let c = p[i]
                    i += 1
                    if c < 0x80 { return x | UInt64(c) << s }
                    guard s < 63 else { throw LoadgenError("protobuf: varint overflow at \(i)") }
                    x |= UInt64(c & 0x7F) << s
                    s += 7
                }
            }
            func len(_ end: Int) throws -> Range<Int> {
                let n = try uvarint(end)
                guard n <= UInt64(end - i) else { throw LoadgenError("protobuf: length \(n) past end at \(i)") }
                defer { i += Int(n) }
                return i..<i + Int(n)
            }
            func less(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
                let n = min(a.count, b.count)
                for k in 0..<n where p[a.lowerBound + k] != p[b.lowerBound + k] {
                    return p[a.lowerBound + k] < p[b.lowerBound + k]
                }
                return a.count < b.count
            }
            while i < p.count {
                guard try uvarint(p.count) == 0x0A else { throw LoadgenError("protobuf: unexpected field at \(i)") }
                let ts = try len(p.count)
                i = ts.lowerBound
                var s = ScannedSeries(labelsHash: 0xCBF2_9CE4_8422_2325, labelCount: 0, sampleCount: 0, lastTimestamp: 0)
                var prevName: Range<Int>? = nil
                while i < ts.upperBound {
                    let key = try uvarint(ts.upperBound)
                    let r = try len(ts.upperBound)
                    if key == 0x0A {
                        for k in r { s.labelsHash = (s.labelsHash ^ UInt64(p[k])) &* 0x100_0000_01B3 }
                        var j = r.lowerBound
                        i = j
                        var name: Range<Int>? = nil
                        while i < r.upperBound {
                            let k = try uvarint(r.upperBound)
                            let f = try len(r.upperBound)
                            guard String(validating: UnsafeBufferPointer(rebasing: p[f]), as: UTF8.self) != nil else {
                                throw LoadgenError("protobuf: invalid UTF-8 at \(f.lowerBound)")
                            }
                            if k == 0x0A { name = f }
                            j = i
                        }
                        i = j
                        guard let name, !name.isEmpty else { throw LoadgenError("label without a name at \(r.lowerBound)") }
                        if let prev = prevName, !less(prev, name) {
                            throw LoadgenError("label names not sorted/unique at \(r.lowerBound)")
                        }
                        prevName = name
                        s.labelCount += 1
                        i = r.upperBound
                    } else if key == 0x12 {
                        i = r.lowerBound
                        var t: Int64 = 0
                        while i < r.upperBound {
                            let k = try uvarint(r.upperBound)
                            if k == 0x09 {
                                guard r.upperBound - i >= 8 else { throw LoadgenError("protobuf: truncated double") }
                                i += 8
                            } else if k == 0x10 {
                                t = Int64(bitPattern: try uvarint(r.upperBound))
                            } else {
                                throw LoadgenError("protobuf: unexpected Sample field \(k)")
                            }
                        }
                        s.sampleCount += 1
                        s.lastTimestamp = t
                    } else {
                        throw LoadgenError("protobuf: unexpected TimeSeries field \(key)")
                    }
                }
                try visit(s)
            }
        }
    }
}
