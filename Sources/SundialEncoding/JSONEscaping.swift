/// JSON text primitives on caller-owned byte buffers, used by the HTTP API's JSON writer.
/// Pure; allocation-free apart from the buffer's growth.
extension Array where Element == UInt8 {
    /// Appends `s` as a quoted JSON string, escaped like Go's `encoding/json` (which Prometheus's
    /// jsoniter standard-library-compatible config reproduces): `"` and `\` escaped; `\n`, `\r`,
    /// `\t` short forms; other control bytes and `<`, `>`, `&` as `\u00XX`; U+2028 and U+2029 as
    /// `\u2028` / `\u2029`. Swift strings are valid UTF-8, so no replacement is needed.
    public mutating func appendJSONQuoted(_ s: String) {
        append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { appendJSONEscaped($0) }
        append(UInt8(ascii: "\""))
    }

    private static let jsonHex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendJSONEscaped(_ u: UnsafeBufferPointer<UInt8>) {
        var start = 0
        var i = 0
        let n = u.count
        while i < n {
            let c = u[i]
            var esc: UInt8 = 0  // short escape letter, 0xFF for \u00XX, 0 for none
            var lineSeparator = false  // U+2028 / U+2029 (E2 80 A8 / E2 80 A9)
            switch c {
            case UInt8(ascii: "\""): esc = UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): esc = UInt8(ascii: "\\")
            case UInt8(ascii: "\n"): esc = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): esc = UInt8(ascii: "r")
            case UInt8(ascii: "\t"): esc = UInt8(ascii: "t")
            case 0..<0x20, UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"): esc = 0xFF
            case 0xE2 where i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9):
                lineSeparator = true
            default: break
            }
            if esc == 0 && !lineSeparator {
                i += 1
                continue
            }
            if start < i { append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<i])) }
            if lineSeparator {
                append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x32, 0x30, 0x32, u[i + 2] == 0xA8 ? 0x38 : 0x39])
                i += 3
            } else if esc == 0xFF {
                append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30])
                append(Self.jsonHex[Int(c >> 4)])
                append(Self.jsonHex[Int(c & 0xF)])
                i += 1
            } else {
                append(UInt8(ascii: "\\"))
                append(esc)
                i += 1
            }
            start = i
        }
        if start < n { append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<n])) }
    }

    /// Appends `v` in decimal ASCII.
    public mutating func appendDecimal(_ v: UInt64) {
        if v < 10 {
            append(0x30 &+ UInt8(v))
            return
        }
        var div: UInt64 = 1
        while v / div >= 10 { div &*= 10 }
        var x = v
        while div > 0 {
            append(0x30 &+ UInt8(x / div))
            x %= div
            div /= 10
        }
    }

    /// Appends `v` in decimal ASCII with a leading `-` when negative.
    public mutating func appendDecimal(_ v: Int64) {
        if v < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(v.magnitude)
        } else {
            appendDecimal(UInt64(v))
        }
    }
}
