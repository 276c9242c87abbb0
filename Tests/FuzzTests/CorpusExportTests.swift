import Foundation
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport
import SundialWAL
import Testing

/// Writes the seed corpora of the libFuzzer targets in `Fuzz/` (`Fuzz/corpus/<target>/`) from
/// the same seeds the seeded suites use, with each target's selector byte in front. Does nothing
/// unless `SUNDIAL_FUZZ_EXPORT=<dir>` is set (`Fuzz/make-corpus.sh` sets it).
@Suite struct CorpusExportTests {
    static func write(_ dir: String, _ target: String, _ name: String, _ bytes: [UInt8]) throws {
        let d = "\(dir)/\(target)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(d)/\(name)"))
    }

    @Test func exportCorpora() throws {
        guard let dir = ProcessInfo.processInfo.environment["SUNDIAL_FUZZ_EXPORT"], !dir.isEmpty else { return }
        // remote-write: byte 0 bit 0 = version 2.0, bit 1 = snappy-compressed.
        for (i, (v, body)) in try RemoteWriteDecoderFuzzTests.seeds().enumerated() {
            let flag: UInt8 = v == .v1 ? 0 : 1
            try Self.write(dir, "remote-write", "seed-\(i)-\(v)", [flag] + body)
            try Self.write(dir, "remote-write", "seed-\(i)-\(v)-snappy", [flag | 2] + Snappy.compress(body))
        }
        // remote-read: the decompressed ReadRequest.
        let rr = RemoteReadRequest(queries: [
            .init(startMs: 1000, endMs: 60_000, matchers: [try LabelMatcher(.equal, "__name__", "up"), try LabelMatcher(.regexMatch, "job", "a.*")],
                  hints: SelectHints(start: 1000, end: 60_000, step: 15_000, range: 300_000, function: "rate", grouping: ["job"], by: true)),
        ], acceptedResponseTypes: [0, 1])
        try Self.write(dir, "remote-read", "seed-0", rr.encoded())
        // promql: every 10th corpus expression (a few hundred small files).
        for (i, q) in try PromQLParserFuzzTests.corpus().enumerated() where i % 10 == 0 {
            try Self.write(dir, "promql", "seed-\(i)", Array(q.utf8))
        }
        // wal: byte 0 even = a whole segment, odd = one record.
        for (i, seg) in try WALFuzzTests.seeds().enumerated() {
            try Self.write(dir, "wal", "segment-\(i)", [0] + seg)
        }
        var k = 0
        try replayRecords(directory: Testdata.path("wal/prometheus-2.42/wal"), repair: false) { raw in
            if k < 12 { try Self.write(dir, "wal", "record-\(k)", [1] + raw) }
            k += 1
        }
        // index, and chunks (0 XOR data, 1 segment, 2 tombstones, 3 meta.json).
        try Self.write(dir, "index", "prom-2.42-small", BlockFuzzTests.file("index"))
        for (i, c) in try BlockFuzzTests.fixtureChunks().prefix(8).enumerated() {
            try Self.write(dir, "chunks", "xor-\(i)", [0] + c.data)
        }
        try Self.write(dir, "chunks", "segment", [1] + BlockFuzzTests.file("chunks/000001"))
        try Self.write(dir, "chunks", "tombstones", [2] + BlockFuzzTests.file("tombstones"))
        try Self.write(dir, "chunks", "meta", [3] + BlockFuzzTests.file("meta.json"))
    }
}
