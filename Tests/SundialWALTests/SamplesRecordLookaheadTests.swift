import SundialCore
import SundialEncoding
import Testing

@testable import SundialWAL

/// ``SamplesRecord/forEach(lookahead:_:)``: the same samples as ``SamplesRecord/forEach(_:)``, and
/// each look-ahead ref is the ref `distance` samples on (the sample's own ref near the end).
@Suite struct SamplesRecordLookaheadTests {
    @Test(arguments: [0, 1, 2, 7, 100])
    func lookaheadSeesTheLaterRefs(count: Int) throws {
        let list = SamplesRecordTests.samples(count, seed: 99)
        var buf: [UInt8] = []
        RecordEncoder.encodeSamples(list, into: &buf)
        let record = try SamplesRecord(validating: buf)
        for distance in [1, 3, 8, 200] {
            var seen: [(UInt64, Int64, UInt64, UInt64)] = []
            record.forEach(lookahead: distance) { ref, t, bits, ahead in seen.append((ref, t, bits, ahead)) }
            #expect(seen.count == list.count)
            for (i, s) in seen.enumerated() {
                #expect(s.0 == list[i].ref.rawValue)
                #expect(s.1 == list[i].t)
                #expect(s.2 == list[i].v.bitPattern)
                let expected = i + distance < list.count ? list[i + distance].ref.rawValue : list[i].ref.rawValue
                #expect(s.3 == expected)
            }
        }
    }
}
