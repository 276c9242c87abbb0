import SundialTestSupport

/// Structure-unaware byte mutations in the style of libFuzzer's mutators, chosen to hit what
/// binary readers get wrong: bit flips, byte insert/delete, truncation, splicing with another
/// seed, inflated length fields (varint and big-endian 32/64-bit), over-long varints and huge
/// counts. Deterministic for a given generator state.
enum Mutator {
    /// Values that tend to break length and count arithmetic.
    static let interesting32: [UInt32] = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
                                          0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff]

    /// Returns `input` with 1–`maxOps` mutations applied. `others` feeds splicing.
    static func mutate(_ input: [UInt8], others: [[UInt8]], rng: inout SplitMix64, maxOps: Int = 4) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(maxOps)) { mutateOnce(&b, others: others, rng: &rng) }
        return b
    }

    static func mutateOnce(_ b: inout [UInt8], others: [[UInt8]], rng: inout SplitMix64) {
        switch rng.below(13) {
        case 0 where !b.isEmpty:  // flip one bit
            b[rng.below(b.count)] ^= UInt8(1) << UInt8(rng.below(8))
        case 1 where !b.isEmpty:  // random byte
            b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:  // insert 1–16 random bytes
            let at = rng.below(b.count + 1)
            b.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
        case 3 where !b.isEmpty:  // delete a range
            let i = rng.below(b.count)
            b.removeSubrange(i..<min(b.count, i + 1 + rng.below(32)))
        case 4 where !b.isEmpty:  // truncate
            b.removeLast(1 + rng.below(b.count))
        case 5 where !others.isEmpty:  // splice: our prefix + another seed's suffix
            let o = others[rng.below(others.count)]
            guard !o.isEmpty else { return }
            let cut = rng.below(b.count + 1), from = rng.below(o.count)
            b = Array(b[..<cut]) + Array(o[from...])
        case 6 where b.count > 2:  // duplicate a slice elsewhere
            let i = rng.below(b.count - 1)
            let j = min(b.count, i + 1 + rng.below(64))
            b.insert(contentsOf: Array(b[i..<j]), at: rng.below(b.count + 1))
        case 7 where !b.isEmpty:  // inflate a varint in place: replace the varint at i with a huge one
            let i = rng.below(b.count)
            var end = i
            while end < b.count && b[end] & 0x80 != 0 && end - i < 10 { end += 1 }
            let huge: [[UInt8]] = [[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x08],
                                   [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
                                   [0xfe, 0xff, 0xff, 0xff, 0x07]]
            b.replaceSubrange(i..<min(b.count, end + 1), with: huge[rng.below(huge.count)])
        case 8:  // over-long varint (11+ continuation bytes)
            let at = rng.below(b.count + 1)
            b.insert(contentsOf: [UInt8](repeating: 0xff, count: 10 + rng.below(4)) + [0x01], at: at)
        case 9 where b.count >= 4:  // big-endian 32-bit length/count field set to an interesting value
            let i = rng.below(b.count - 3)
            let v = interesting32[rng.below(interesting32.count)]
            for k in 0..<4 { b[i + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * UInt32(k))) }
        case 10 where b.count >= 8:  // big-endian 64-bit field to a huge value
            let i = rng.below(b.count - 7)
            let v: UInt64 = rng.chance(50) ? 0x7fff_ffff_ffff_ffff : 0xffff_ffff_ffff_ff00 | UInt64(rng.below(256))
            for k in 0..<8 { b[i + k] = UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64(k))) }
        case 11 where !b.isEmpty:  // arithmetic on a byte (small delta: nudges lengths by one)
            let i = rng.below(b.count)
            b[i] = rng.chance(50) ? b[i] &+ UInt8(1 + rng.below(4)) : b[i] &- UInt8(1 + rng.below(4))
        case 12 where b.count > 2:  // swap two bytes
            b.swapAt(rng.below(b.count), rng.below(b.count))
        default:
            if !b.isEmpty { b[rng.below(b.count)] ^= 0xff }
        }
    }

    /// Text mutations for PromQL: byte mutations plus insertion of grammar fragments, so the
    /// lexer and parser see near-valid input rather than only noise.
    static let promqlFragments = [
        "(", ")", "[", "]", "{", "}", ",", ":", "@", " offset ", " by ", " without ", " on(", " ignoring(", " group_left",
        " bool ", "\"", "'", "`", "\\", "=~", "!~", "!=", "==", " and ", " or ", " unless ", "^", "%", "/", "*", "+", "-",
        "5m", "1h30m", "0x", "1e308", "1e-400", "Inf", "NaN", "sum(", "rate(", "topk(", "histogram_quantile(",
        "label_replace(", "count_values(", "[5m:1m]", " @ start()", " @ end()", "#", "\n", "\u{0}", "\u{FFFD}", "é",
        "9999999999999999999", "__name__", "{__name__=~\".+\"}", "((((((((((", "))))))))))",
    ]

    static func mutateText(_ s: String, others: [String], rng: inout SplitMix64) -> String {
        var b = Array(s.utf8)
        for _ in 0..<(1 + rng.below(3)) {
            if rng.chance(55) {
                let frag = Array(promqlFragments[rng.below(promqlFragments.count)].utf8)
                let at = rng.below(b.count + 1)
                if rng.chance(30), !b.isEmpty {
                    b.replaceSubrange(at..<min(b.count, at + 1 + rng.below(4)), with: frag)
                } else {
                    b.insert(contentsOf: frag, at: at)
                }
            } else {
                mutateOnce(&b, others: others.isEmpty ? [] : [Array(others[rng.below(others.count)].utf8)], rng: &rng)
            }
        }
        // Arbitrary bytes, including invalid UTF-8 (repaired the way a HTTP layer would decode it).
        return String(decoding: b, as: UTF8.self)
    }
}
