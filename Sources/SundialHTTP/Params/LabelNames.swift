/// Label-name rules of the API paths. Pure; thread-safe.
public enum LabelNames {
    /// Prometheus 2.42's `model.LabelNameRE`: `^[a-zA-Z_][a-zA-Z0-9_]*$`.
    public static func isValidLegacy(_ name: String) -> Bool {
        var first = true
        for c in name.utf8 {
            let alpha = (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_")
            let digit = c >= 0x30 && c <= 0x39
            if first ? !alpha : !(alpha || digit) { return false }
            first = false
        }
        return !first
    }

    /// Undoes `model.EscapeName(name, ValueEncodingEscaping)` for `U__`-prefixed path segments
    /// (how Grafana sends UTF-8 label names): `__` → `_`, `_<hex>_` → that code point, other
    /// bytes literal. Returns `name` unchanged when it has no prefix or is malformed.
    public static func unescapeValuePath(_ name: String) -> String {
        guard name.hasPrefix("U__") else { return name }
        let b = Array(name.utf8.dropFirst(3))
        var out = ""
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "_") {
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "_") {
                    out.append("_")
                    i += 2
                    continue
                }
                var j = i + 1
                var code: UInt32 = 0
                while j < b.count, b[j] != UInt8(ascii: "_") {
                    guard let h = hex(b[j]), code <= 0x10FFFF else { return name }
                    code = code * 16 + UInt32(h)
                    j += 1
                }
                guard j < b.count, j > i + 1, let scalar = Unicode.Scalar(code) else { return name }
                out.unicodeScalars.append(scalar)
                i = j + 1
            } else {
                // Bytes of the escaped form outside escapes are ASCII letters and digits.
                guard b[i] < 0x80 else { return name }
                out.unicodeScalars.append(Unicode.Scalar(b[i]))
                i += 1
            }
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
