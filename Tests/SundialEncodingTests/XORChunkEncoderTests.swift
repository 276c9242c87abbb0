import Foundation
import Testing
import SundialEncoding
import SundialTestSupport

/// ``XORChunkEncoder`` (the head's buffered encoder) writes exactly the bytes of
/// ``XORChunkAppender`` (whose bytes match Prometheus 2.42's chunks, see `XORChunkTests`) after
/// every sample, for every bucket, value window and spare-byte case.
@Suite struct XORChunkEncoderTests {
    typealias Sample = (t: Int64, v: Double)

    /// Appends `samples` to both encoders and compares bytes and sizes after every sample.
    static func expectSameBytes(_ samples: [Sample], sourceLocation: SourceLocation = #_sourceLocation) {
        var reference = XORChunkAppender()
        var encoder = XORChunkEncoder()
        #expect(encoder.bytes == reference.bytes, sourceLocation: sourceLocation)
        for (i, s) in samples.enumerated() {
            reference.append(timestamp: s.t, value: s.v)
            encoder.append(timestamp: s.t, value: s.v)
            let want = reference.bytes
            let got = encoder.bytes
            if got != want {
                Issue.record("sample \(i): \(got.count) bytes vs \(want.count)", sourceLocation: sourceLocation)
                return
            }
            #expect(encoder.byteCount == want.count, sourceLocation: sourceLocation)
            #expect(encoder.count == i + 1 && encoder.lastTimestamp == s.t, sourceLocation: sourceLocation)
            #expect(encoder.lastValueBits == s.v.bitPattern, sourceLocation: sourceLocation)
        }
    }

    @Test func emptyAndOneSample() {
        #expect(XORChunkEncoder().bytes == [0, 0])
        #expect(XORChunkEncoder().byteCount == 2)
        var e = XORChunkEncoder()
        e.append(timestamp: 1, value: 1)
        // Varint timestamp, 64 value bits, and the spare byte Prometheus's writeByte leaves.
        #expect(e.bytes == [0, 1, 2, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func goldenBytesOfThePrometheusFixture() {
        var e = XORChunkEncoder()
        for (t, v) in [(Int64(1_700_000_000_005), 7.0), (1_700_000_000_006, 8), (1_700_001_000_006, 8.5)] {
            e.append(timestamp: t, value: v)
        }
        #expect(e.bytes == [
            0x00, 0x03, 0x8a, 0xa0, 0xab, 0xfe, 0xf9, 0x62, 0x40, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01, 0xd4, 0x27, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7a, 0x11, 0xfe, 0xf0, 0x60,
        ])
    }

    @Test func everyDeltaOfDeltaBucketEdge() {
        var t: Int64 = 1000
        var delta: Int64 = 100
        var samples: [Sample] = [(0, 0), (t, 0)]
        let dods: [Int64] = [0, 1, -1, 8191, 8192, 8193, -8191, -8192, 65535, 65536, 65537, -65535, -65536,
                             524287, 524288, 524289, -524287, -524288, -524289, 1 << 40, -(1 << 40), 0, 0]
        for dod in dods {
            delta += dod
            t += delta
            samples.append((t, Double(samples.count)))
        }
        Self.expectSameBytes(samples)
        Self.expectSameBytes([(.min, 1), (.max, 2), (.min, 3), (0, 4), (.max, 5), (-1, 6)])
    }

    /// Value windows of every width (1...64 meaningful bits) in both the new-window and the
    /// reuse-window form, so merged writes cross the 64-bit register at every offset.
    @Test func everyValueWindowWidth() {
        for width in 1...64 {
            for shift in [0, 64 - width] {
                var samples: [Sample] = [(0, 0)]
                var bits: UInt64 = 0
                for i in 1..<40 {
                    let mask: UInt64 = width == 64 ? .max : ((1 << UInt64(width)) - 1)
                    let top = width == 1 ? 1 : (1 << UInt64(width - 1)) | UInt64(i % 3)
                    bits ^= (top & mask) << UInt64(shift)
                    samples.append((Int64(i) * 15_000 + Int64(i % 2), Double(bitPattern: bits)))
                }
                Self.expectSameBytes(samples)
            }
        }
    }

    @Test func resetReusesTheBufferAndFinishHandsBytesOver() {
        var e = XORChunkEncoder()
        var reference = XORChunkAppender()
        for i in 0..<130 {
            e.append(timestamp: Int64(i) * 15_000, value: Double(i) * 1.5)
            reference.append(timestamp: Int64(i) * 15_000, value: Double(i) * 1.5)
        }
        #expect(e.finish() == reference.finish())
        #expect(e.count == 0 && e.bytes == [0, 0])
        e.append(timestamp: 5, value: 2)
        reference.append(timestamp: 5, value: 2)
        #expect(e.bytes == reference.bytes)
    }

    @Test func finishReleasingBufferStartsSmallAndStaysExact() {
        var e = XORChunkEncoder()
        var reference = XORChunkAppender()
        for i in 0..<500 {
            e.append(timestamp: Int64(i) * 15_000, value: Double(i) * 1.37 + 0.1)
            reference.append(timestamp: Int64(i) * 15_000, value: Double(i) * 1.37 + 0.1)
        }
        let grown = e.bufferCapacity
        #expect(grown > 500)
        #expect(e.finishReleasingBuffer() == reference.finish())
        #expect(e.count == 0 && e.bytes == [0, 0])
        #expect(e.bufferCapacity < 64)
        for i in 0..<40 {
            e.append(timestamp: 7 + Int64(i) * 15_000, value: Double(i) * 2.5 - 1)
            reference.append(timestamp: 7 + Int64(i) * 15_000, value: Double(i) * 2.5 - 1)
            #expect(e.bytes == reference.bytes)
        }
        e.resetReleasingBuffer()
        #expect(e.count == 0 && e.bytes == [0, 0] && e.bufferCapacity < 64)
    }

    @Test func randomSeries() {
        var rng = SplitMix64(seed: 4242)
        for _ in 0..<300 {
            let n = Int(rng.next() % 300)
            var t = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)
            var samples: [Sample] = []
            for _ in 0..<n {
                switch rng.next() % 5 {
                case 0: t &+= 15_000
                case 1: t &+= Int64(rng.next() % 100_000)
                case 2: t &+= Int64(bitPattern: rng.next()) >> 20
                case 3: t &+= 15_000 + Int64(rng.next() % 3)
                default: t = Int64(bitPattern: rng.next())
                }
                let v: Double
                switch rng.next() % 6 {
                case 0: v = Double(bitPattern: rng.next())
                case 1: v = samples.last?.v ?? 0
                case 2: v = Double(rng.next() % 1000)
                case 3: v = (samples.last?.v ?? 0) + 0.5
                case 4: v = ((samples.last?.v ?? 0) + Double(rng.next() % 300) * 0.01 * 100).rounded() / 100
                default: v = Double(bitPattern: rng.next() & 0xffff_0000_0000_0000)
                }
                samples.append((t, v))
            }
            Self.expectSameBytes(samples)
        }
    }
}
