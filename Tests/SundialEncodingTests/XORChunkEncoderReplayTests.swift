import Testing
import SundialEncoding

/// The replay's buffer sizing (``XORChunkEncoder/reserveBufferCapacity(_:)``,
/// ``XORChunkEncoder/trimBufferSlack()``) and prefetch hint change capacities only, never bytes.
@Suite struct XORChunkEncoderReplayTests {
    static func fill(_ a: inout XORChunkEncoder, _ b: inout XORChunkAppender, _ n: Int, from: Int = 0) {
        for i in from..<(from + n) {
            let t = Int64(i) * 15_000 + Int64(i % 3)
            let v = Double(i % 17) * 1.25 + (i % 5 == 0 ? 0.001 : 0)
            a.prefetchBufferIfFlushDue()
            a.append(timestamp: t, value: v)
            b.append(timestamp: t, value: v)
        }
    }

    @Test func reserveAndTrimKeepTheBytes() {
        for reserve in [0, 40, 128, 700, 4096] {
            var enc = XORChunkEncoder()
            var ref = XORChunkAppender()
            Self.fill(&enc, &ref, 4)
            enc.reserveBufferCapacity(reserve)
            #expect(enc.bufferCapacity >= reserve)
            Self.fill(&enc, &ref, 60, from: 4)
            #expect(enc.bytes == ref.bytes)
            enc.trimBufferSlack()
            #expect(enc.bytes == ref.bytes)
            #expect(enc.bufferCapacity <= enc.byteCount + XORChunkEncoder.replaySlackLimit + 32)
            Self.fill(&enc, &ref, 60, from: 64)
            #expect(enc.bytes == ref.bytes)
        }
    }

    @Test func trimLeavesAModestBufferAlone() {
        var enc = XORChunkEncoder()
        var ref = XORChunkAppender()
        Self.fill(&enc, &ref, 30)
        let before = enc.bufferCapacity
        if before <= enc.byteCount + XORChunkEncoder.replaySlackLimit - 32 {
            let trimmed = enc.trimBufferSlack()
            #expect(!trimmed)
            #expect(enc.bufferCapacity == before)
        }
        enc.reserveBufferCapacity(enc.byteCount + 1000)
        let trimmed = enc.trimBufferSlack()
        #expect(trimmed)
        #expect(enc.bytes == ref.bytes)
    }
}
