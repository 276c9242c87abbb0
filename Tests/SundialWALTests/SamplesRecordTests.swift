import SundialCore
import SundialEncoding
import Testing

@testable import SundialWAL
import SundialTestSupport

/// ``SamplesRecord``: reads exactly what ``RecordDecoder/decodeSamples(_:into:)`` decodes, and
/// refuses exactly the records it refuses (same error kind and offset), without trapping.
@Suite struct SamplesRecordTests {
    static func samples(_ n: Int, seed: UInt64) -> [RefSample] {
        var x = seed | 1
        return (0..<n).map { i in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            // Refs and times jump both ways (negative deltas), values include the adversarial ones.
            let ref = i % 5 == 0 ? UInt64.max - (x % 7) : x % 100_000
            let t = Int64(bitPattern: x) >> (i % 3 == 0 ? 1 : 30)
            return RefSample(ref: SeriesRef(ref), t: t, v: adversarialValues[i % adversarialValues.count])
        }
    }

    static func walk(_ r: SamplesRecord) -> [RefSample] {
        var out: [RefSample] = []
        r.forEach { ref, t, bits in out.append(RefSample(ref: SeriesRef(ref), t: t, v: Double(bitPattern: bits))) }
        return out
    }

    @Test(arguments: [0, 1, 2, 17, 2000])
    func readsWhatTheArrayDecoderReads(count: Int) throws {
        let list = Self.samples(count, seed: UInt64(count) &+ 99)
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples(list, into: &buf)
        let record = try SamplesRecord(validating: buf)
        #expect(record.count == count)
        var decoded: [RefSample] = []
        try RecordDecoder.decodeSamples(buf, into: &decoded)
        #expect(Self.walk(record) == decoded)
        #expect(decoded == list)
    }

    /// Every truncation and every single-byte change of a record: either both decoders refuse it
    /// with the same error, or both read the same samples.
    @Test func refusesWhatTheArrayDecoderRefuses() throws {
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples(Self.samples(40, seed: 7), into: &buf)
        var variants: [[UInt8]] = (0..<buf.count).map { Array(buf[..<$0]) }
        for i in 0..<buf.count {
            for b: UInt8 in [0x00, 0x80, 0xff, buf[i] ^ 0x01] {
                var v = buf
                v[i] = b
                variants.append(v)
            }
        }
        variants.append(buf + [0x80])
        variants.append(buf + [0x01, 0x02])
        var refused = 0
        for v in variants {
            var decoded: [RefSample] = []
            var arrayError: DecodeError? = nil
            do { try RecordDecoder.decodeSamples(v, into: &decoded) } catch { arrayError = error }
            do {
                let record = try SamplesRecord(validating: v)
                #expect(arrayError == nil, "\(v)")
                #expect(Self.walk(record) == decoded)
            } catch {
                refused += 1
                #expect(error == arrayError, "\(v)")
            }
        }
        #expect(refused > buf.count)  // all truncations but the empty prefix and most edits
    }
}
