/// Go's `strconv.Quote`, which Prometheus uses to print label values (`Labels.String()`,
/// `promtool tsdb dump`) and which the PromQL printer uses for strings.
public enum GoQuote {
    /// Double-quoted, with Go's escapes: `\a \b \f \n \r \t \v \\ \"`, `\xNN` for invalid UTF-8 bytes,
    /// `\uNNNN`/`\UNNNNNNNN` for non-printable runes; printable Unicode is kept as is.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default:
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        out += "\""
        return out
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// An approximation of Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
    /// and the ASCII space.
    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x20 || s.value == 0x7f { return false }
        if s.value < 0x7f { return true }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
             .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
