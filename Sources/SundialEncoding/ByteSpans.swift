/// Hashing and comparison of label byte strings given as spans of a request's buffer, so remote
/// write can recognise a series from the raw bytes of a request without building strings.
///
/// Spans are passed as a flat `[Int32]` of `(start, count)` pairs; a key is `pairCount`
/// consecutive pairs starting at pair index `firstPair`. Two keys are equal when their byte
/// strings are equal one by one (the boundaries matter: `["ab","c"]` ≠ `["a","bc"]`).
/// Stateless; every function is thread-safe.
public enum ByteSpans {
    /// A 128-bit hash of a key (span pairs `firstPair ..< firstPair + pairCount` of `buffer`),
    /// computed in one pass as two 64-bit lanes: `low` a multiply-xorshift lane over the span
    /// lengths and 8-byte words (good enough alone to place the key in a table), `high` an
    /// independent multiply-fold lane (each 8-byte word mixed with a 64×64→128-bit multiply whose
    /// halves are folded, as wyhash does; its own seed and constants).
    ///
    /// Meant for callers that accept "equal 128-bit hashes ⇒ equal keys" instead of comparing the
    /// bytes (the remote-write series cache; its comment gives the collision argument). Not
    /// stable across versions; only used in memory. Not keyed: not a defence against inputs
    /// crafted to collide.
    /// - Precondition: every span lies within `buffer`.
    public static func hash128(_ buffer: [UInt8], spans: [Int32], firstPair: Int, pairCount: Int) -> (low: UInt64, high: UInt64) {
        buffer.withUnsafeBytes { b in
            spans.withUnsafeBufferPointer { sp in
                var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(pairCount)
                var g: UInt64 = 0x1319_8A2E_0370_7344 ^ (UInt64(pairCount) &* 0xA076_1D64_78BD_642F)
                var i = firstPair * 2
                let end = (firstPair + pairCount) * 2
                let total = b.count
                while i < end {
                    let start = Int(sp[i]), n = Int(sp[i + 1])
                    precondition(start >= 0 && n >= 0 && start + n <= total, "span out of bounds")
                    // The length first, so boundaries matter; then 8 bytes per step.
                    h = (h ^ UInt64(n)) &* 0x9E37_79B9_7F4A_7C15
                    g = fold(g ^ UInt64(n) ^ 0xE703_7ED1_A0B4_28DB, 0x8EBC_6AF0_9C88_C6E3)
                    var k = start
                    let e = start + n
                    while e - k >= 8 {
                        let w = b.loadUnaligned(fromByteOffset: k, as: UInt64.self)
                        h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
                        h ^= h >> 29
                        g = fold(g ^ w, 0xA076_1D64_78BD_642F)
                        k += 8
                    }
                    let rest = e - k
                    if rest > 0 {
                        var w: UInt64
                        if total - k >= 8 {
                            // One load, masked to the span's last `rest` bytes (little-endian).
                            w = b.loadUnaligned(fromByteOffset: k, as: UInt64.self).littleEndian
                            w &= (1 << UInt64(rest * 8)) &- 1
                        } else {
                            w = 0
                            var s: UInt64 = 0
                            while k < e {
                                w |= UInt64(b[k]) << s
                                s += 8
                                k += 1
                            }
                        }
                        h = (h ^ w) &* 0x94D0_49BB_1331_11EB
                        h ^= h >> 31
                        g = fold(g ^ w, 0x5899_65CC_7537_4CC3)
                    }
                    i += 2
                }
                h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
                g = fold(g ^ 0x1D8E_4E27_C47D_124F, 0xE703_7ED1_A0B4_28DB)
                return (h ^ (h >> 29), g)
            }
        }
    }

    /// The two halves of the 128-bit product `a × b`, XORed (wyhash's `mum` fold).
    @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let p = a.multipliedFullWidth(by: b)
        return p.high ^ p.low
    }
}
