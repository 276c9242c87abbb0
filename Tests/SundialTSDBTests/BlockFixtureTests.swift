import Foundation
import SundialCore
import SundialTestSupport
import Testing
@testable import SundialTSDB

/// The block Prometheus 2.42 wrote in testdata/blocks/prom-2.42-small (made by
/// testdata/blocks/make-prom-2.42-small.py) and the exact samples that were sent to it.
enum PromFixture {
    static let directory = Testdata.path("blocks/prom-2.42-small")

    struct Sample: Equatable {
        var t: Int64
        var bits: UInt64
    }

    /// Series (as `Labels.description` prints them) → samples in time order.
    static let samples: [String: [Sample]] = {
        var out: [String: [Sample]] = [:]
        let text = (try? String(contentsOfFile: "\(directory)/samples.txt", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t")
            guard f.count >= 3, let t = Int64(f[1]), let bits = UInt64(f[2], radix: 16) else { continue }
            out[String(f[0]), default: []].append(Sample(t: t, bits: bits))
        }
        return out
    }()

    static var sampleCount: Int { samples.values.reduce(0) { $0 + $1.count } }

    static func open() throws -> Block { try Block(directory: directory) }
}

@Suite struct BlockFixtureTests {
    @Test func samplesFileParses() {
        #expect(PromFixture.samples.count == 19)
        #expect(PromFixture.sampleCount == 882)
    }

    @Test func blockOpensWithPrometheusMeta() throws {
        let b = try PromFixture.open()
        #expect(b.meta.ulid.string == "01M7ZBXXRZ4K3M05TXG8B5AN94")
        #expect(b.meta.minTime == 1_700_000_000_000)
        #expect(b.meta.maxTime == 1_700_002_990_001)
        #expect(b.meta.stats.numSamples == 882)
        #expect(b.meta.stats.numSeries == 19)
        #expect(b.meta.stats.numChunks == 21)
        #expect(b.meta.compaction.level == 1)
        #expect(b.meta.compaction.sources == [b.meta.ulid])
        #expect(b.tombstones.isEmpty)
    }
}
