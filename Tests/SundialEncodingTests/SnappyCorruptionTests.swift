import Testing
import SundialEncoding

/// ``Snappy/decompress(_:into:maxLength:)`` without the validation pass still refuses every
/// corrupt block: impossible length claims, truncation, trailing garbage, and reuses the buffer.
@Suite struct SnappyCorruptionTests {
    func decode(_ input: [UInt8], into out: inout [UInt8]) -> Bool {
        let r: Result<Void, DecodeError> = input.withUnsafeBytes { raw in
            do throws(DecodeError) {
                try Snappy.decompress(raw, into: &out)
                return .success(())
            } catch { return .failure(error) }
        }
        if case .success = r { return true }
        return false
    }

    @Test func refusesCorruptBlocks() {
        let plain: [UInt8] = (0..<5000).map { UInt8(truncatingIfNeeded: $0 % 251 == 0 ? $0 : $0 / 50) }
        let packed = Snappy.compress(plain)
        var out: [UInt8] = Array(repeating: 7, count: 9000)  // longer than the result: shrunk
        #expect(decode(packed, into: &out))
        #expect(out == plain)
        #expect(!decode([0xff, 0xff, 0xff, 0x7f, 0x00], into: &out))  // claims ~268 MB for 5 bytes
        #expect(!decode(Array(packed.dropLast(3)), into: &out))  // truncated
        #expect(!decode(packed + [0x00, 0x01], into: &out))  // trailing garbage
        #expect(!decode([0x00, 0x05], into: &out))  // empty block with garbage
        #expect(decode([0x00], into: &out) && out.isEmpty)
        var flips = 0
        for i in stride(from: 2, to: packed.count, by: 7) {
            var bad = packed
            bad[i] ^= 0x5a
            if decode(bad, into: &out) { #expect(out.count == plain.count) } else { flips += 1 }
        }
        #expect(flips > 0)
    }
}
