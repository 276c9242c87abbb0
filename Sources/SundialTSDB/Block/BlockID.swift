/// A block's identity: a ULID (26 Crockford base32 characters: 48-bit ms timestamp, 80 random
/// bits), which is also its directory name. ULIDs sort by creation time.
public struct BlockID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The canonical upper-case 26-character form.
    public let string: String

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Parses a ULID; nil unless it is 26 valid Crockford base32 characters whose first is ≤ '7'
    /// (the 128-bit bound). Lower case is accepted and normalised.
    public init?(_ s: String) {
        let up = s.uppercased()
        guard up.utf8.count == 26, let first = up.utf8.first, first <= UInt8(ascii: "7"),
              up.utf8.allSatisfy({ BlockID.alphabet.contains($0) }) else { return nil }
        string = up
    }

    /// A new ULID for time `timeMs` (ms since the epoch) with random low bits from `generator`.
    public init(timeMs: Int64, using generator: inout some RandomNumberGenerator) {
        var hi = UInt64(max(0, timeMs)) & 0xFFFF_FFFF_FFFF  // 48-bit time
        let r1 = generator.next() as UInt64
        let r2 = generator.next() as UInt64
        // 128 bits = hi16…: time(48) | rand(80). Lay out as two 64-bit words.
        hi = hi << 16 | (r1 >> 48)
        let lo = r2 ^ (r1 << 16)
        var chars = [UInt8](repeating: 0, count: 26)
        // 26 chars * 5 bits = 130 bits; the first char carries the top 3 bits.
        for i in 0..<26 {
            let bitFromTop = i * 5 - 2  // position of this char's top bit within the 128-bit value
            var v: UInt64 = 0
            for b in 0..<5 {
                let bit = bitFromTop + b
                guard bit >= 0 else { continue }
                let set = bit < 64 ? (hi >> UInt64(63 - bit)) & 1 : (lo >> UInt64(127 - bit)) & 1
                v |= set << UInt64(4 - b)
            }
            chars[i] = BlockID.alphabet[Int(v)]
        }
        string = String(decoding: chars, as: UTF8.self)
    }

    /// A new ULID for `timeMs` using the system random generator.
    public init(timeMs: Int64) {
        var g = SystemRandomNumberGenerator()
        self.init(timeMs: timeMs, using: &g)
    }

    /// The 48-bit millisecond timestamp encoded in the first 10 characters.
    public var timeMs: Int64 {
        var v: Int64 = 0
        for c in string.utf8.prefix(10) {
            v = v << 5 | Int64(BlockID.alphabet.firstIndex(of: c) ?? 0)
        }
        return v
    }

    public static func < (a: BlockID, b: BlockID) -> Bool { byteLess(a.string, b.string) }
    public var description: String { string }

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let id = BlockID(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid ULID \(s)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }
}

@inline(__always) func byteLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
