public import SundialCore
import SundialEncoding

/// A hand-written JSON byte writer for API responses (Foundation's encoder is ~10× slower and
/// formats floats differently). Appends into one growing `[UInt8]`; the caller places commas
/// and structure itself. Not thread-safe (one writer per response).
public struct JSONWriter: Sendable {
    /// The bytes written so far (UTF-8 JSON).
    public var bytes: [UInt8]

    /// A writer with `capacity` bytes reserved.
    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends raw, already-valid JSON text (punctuation, literals).
    @inline(__always)
    public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends one raw byte.
    @inline(__always)
    public mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// Appends `s` as a quoted, escaped JSON string (Go `encoding/json` escaping; see
    /// `appendJSONQuoted` in SundialEncoding).
    public mutating func string(_ s: String) { bytes.appendJSONQuoted(s) }

    /// Appends a decimal integer.
    public mutating func int(_ v: Int64) { bytes.appendDecimal(v) }

    /// Appends a decimal integer.
    public mutating func int(_ v: Int) { bytes.appendDecimal(Int64(v)) }

    /// Appends a decimal unsigned integer.
    public mutating func uint(_ v: UInt64) { bytes.appendDecimal(v) }

    /// Appends a millisecond timestamp as JSON seconds with up to three decimals and no trailing
    /// zeros (`1435781451781` → `1435781451.781`, `1500` → `1.5`, `2000` → `2`), by integer
    /// arithmetic as Prometheus's `marshalTimestamp` does.
    public mutating func timestamp(_ ms: Timestamp) {
        var t = ms
        if t < 0 {
            bytes.append(UInt8(ascii: "-"))
            t = t == Int64.min ? Int64.max : -t
        }
        uint(UInt64(t / 1000))
        var frac = Int(t % 1000)
        if frac == 0 { return }
        bytes.append(UInt8(ascii: "."))
        var digits = 3
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        // Leading zeros of the fraction (e.g. 5 ms → ".005").
        var div = 1
        for _ in 1..<digits { div *= 10 }
        while div > 0 {
            bytes.append(0x30 &+ UInt8(frac / div % 10))
            div /= 10
        }
    }

    /// Appends a sample value as a quoted JSON string in Prometheus's rendering
    /// (see ``GoFloatFormat/appendPrometheusJSON(_:to:)``): `"1000000"`, `"1e-07"`, `"NaN"`, `"+Inf"`.
    public mutating func value(_ v: Double) {
        bytes.append(UInt8(ascii: "\""))
        GoFloatFormat.appendPrometheusJSON(v, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `[<ts>,"<v>"]`, Prometheus's point encoding.
    public mutating func point(_ t: Timestamp, _ v: Double) {
        bytes.append(UInt8(ascii: "["))
        timestamp(t)
        bytes.append(UInt8(ascii: ","))
        value(v)
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends a label set as a JSON object `{"name":"value",...}` in label order.
    public mutating func labels(_ ls: Labels) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for l in ls {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(l.name)
            bytes.append(UInt8(ascii: ":"))
            string(l.value)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a JSON array of strings.
    public mutating func stringArray(_ values: some Sequence<String>) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for v in values {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Appends `true` or `false`.
    public mutating func bool(_ b: Bool) {
        if b { raw("true") } else { raw("false") }
    }
}
