import SundialCore

/// Request parameters merged from the URL query string and an `application/x-www-form-urlencoded`
/// body, the way Go's `http.Request.ParseForm` merges them for Prometheus's handlers: body values
/// come first, then query-string values, and `FormValue` returns the first.
///
/// Value type; decoding follows the URL form encoding (`+` is a space, `%XX` a byte). A malformed
/// escape makes the whole parse fail, as Go's `url.ParseQuery` does.
public struct FormParams: Sendable, Equatable {
    /// Name/value pairs in arrival order (body first, then URL).
    public private(set) var pairs: [(name: String, value: String)]

    /// An empty parameter set.
    public init() { pairs = [] }

    /// Pairs in order.
    public init(_ pairs: [(String, String)]) { self.pairs = pairs.map { (name: $0.0, value: $0.1) } }

    /// Appends the pairs of a URL-encoded form (`a=1&b=2&match[]=x`).
    /// - Throws: ``APIError`` (`bad_data`) on an invalid `%` escape or invalid UTF-8.
    public mutating func parse(urlEncoded bytes: some Collection<UInt8>) throws(APIError) {
        var name: [UInt8] = []
        var value: [UInt8] = []
        var inValue = false
        var any = false
        func flush() throws(APIError) {
            defer {
                name.removeAll(keepingCapacity: true)
                value.removeAll(keepingCapacity: true)
                inValue = false
                any = false
            }
            guard any, !name.isEmpty || inValue else { return }
            let n = try Self.decode(name)
            let v = try Self.decode(value)
            pairs.append((name: n, value: v))
        }
        for b in bytes {
            switch b {
            case UInt8(ascii: "&"), UInt8(ascii: ";"):
                try flush()
            case UInt8(ascii: "=") where !inValue:
                inValue = true
                any = true
            default:
                any = true
                if inValue { value.append(b) } else { name.append(b) }
            }
        }
        try flush()
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }

    static func decode(_ raw: [UInt8]) throws(APIError) -> String {
        if !raw.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) {
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw APIError.badData("error parsing form values: invalid UTF-8")
            }
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let b = raw[i]
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                i += 1
            } else if b == UInt8(ascii: "%") {
                guard i + 2 < raw.count, let h = hexValue(raw[i + 1]), let l = hexValue(raw[i + 2])
                else {
                    let end = Swift.min(raw.count, i + 3)
                    let bad = String(decoding: raw[i..<end], as: UTF8.self)
                    throw APIError.badData("error parsing form values: invalid URL escape \(GoQuote.quote(bad))")
                }
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw APIError.badData("error parsing form values: invalid UTF-8")
        }
        return s
    }

    /// The first value of `name`, or `""` when absent (Go's `FormValue`).
    public func value(_ name: String) -> String {
        for p in pairs where p.name == name { return p.value }
        return ""
    }

    /// Every value of `name` in order (Go's `r.Form[name]`).
    public func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// True when `name` was given (even with an empty value).
    public func has(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    public static func == (a: FormParams, b: FormParams) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
