/// One label: a name and a value. Names are compared in byte (UTF-8) order, as Go compares strings.
public struct Label: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var name: String
    public var value: String
    @inlinable public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
    @inlinable public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
    @inlinable public static func < (a: Label, b: Label) -> Bool {
        if a.name != b.name { return a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }
        return a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
    }
    public var description: String { "\(name)=\(GoQuote.quote(value))" }
}

/// Byte-order string comparison, as Go's `<` on strings (Swift's `<` on `String` compares
/// by unicode scalars with normalisation, which differs for some inputs).
@inlinable
public func byteOrderLess(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
