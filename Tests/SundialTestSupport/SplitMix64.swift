/// SplitMix64 (Steele, Lea and Flood): a tiny deterministic generator, so every randomised test
/// and fuzz input is reproducible from its seed. Not for anything but tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The generator's whole state; the seed is its first value.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform-ish in `0..<n` (n > 0; modulo bias is irrelevant for tests).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}
