import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport
import Testing

/// Seeded mutation fuzzing of the remote-write 1.0/2.0 decoder (snappy + protobuf) and the
/// remote-read request decoder over real bodies: Prometheus 2.42's captured remote-write
/// requests and bodies our encoder writes with every field kind (exemplars, histograms,
/// metadata, 2.0 symbols). Properties: no trap; errors are ``IngestError`` with a kind, a message
/// and, when an offset is given, one inside the body; an accepted body decodes to a bounded,
/// self-consistent request (counts bounded by the body size, ``RemoteWriteDecoder/inspect()``
/// agrees with the counters) and writing it stores no more samples than were decoded.
@Suite struct RemoteWriteDecoderFuzzTests {
    static func syntheticRequest() -> RemoteWriteRequest {
        var series: [RemoteWriteRequest.Series] = []
        for i in 0..<12 {
            var s = RemoteWriteRequest.Series(labels: [Label("__name__", "fuzz_m\(i % 4)"), Label("i", "\(i)"), Label("job", "fuzz")])
            for k in 0..<4 { s.samples.append(.init(value: [1.5, -0.0, .infinity, .nan][k], timestamp: Int64(k * 15_000 + i))) }
            if i % 5 == 2 { s.exemplars = [.init(labels: [Label("trace_id", "abc\(i)")], value: 1, timestamp: 1)] }
            if i % 5 == 3 {
                s.histograms = [.init(timestamp: 5, count: 2, sum: 1, schema: 1, positiveSpans: [(0, 2), (3, 1)], positiveDeltas: [2, -1, 1])]
            }
            if i % 4 == 0 { s.metadata = .init(type: [.counter, .gauge, .histogram][i % 3], help: "help \(i)", unit: "seconds") }
            series.append(s)
        }
        return RemoteWriteRequest(series: series, metadata: [MetricMetadata(metricFamily: "fuzz_m0", type: .gauge, help: "h", unit: "")])
    }

    /// (version, decompressed body) seeds.
    static func seeds() throws -> [(RemoteWriteVersion, [UInt8])] {
        let req = syntheticRequest()
        var out: [(RemoteWriteVersion, [UInt8])] = [(.v1, req.encoded(.v1)), (.v2, req.encoded(.v2))]
        for name in ["prometheus-2.42-samples-0", "prometheus-2.42-samples-1", "prometheus-2.42-metadata"] {
            out.append((.v1, try Snappy.decompress(Testdata.bytes("remote-write/\(name).bin"))))
        }
        return out
    }

    /// Checks the structure of a decoding error.
    static func checkError(_ e: IngestError, bodyCount: Int, _ i: Int, _ input: [UInt8], _ target: String) {
        if e.message.isEmpty { Fuzz.fail(target, iteration: i, input: input, "error without a message: \(e)") }
        if let o = e.offset, o < 0 || o > bodyCount {
            Fuzz.fail(target, iteration: i, input: input, "error offset \(o) outside the body of \(bodyCount) bytes: \(e)")
        }
        if e.kind == .storage || e.kind == .unsupportedMediaType {
            Fuzz.fail(target, iteration: i, input: input, "decoding error of kind \(e.kind): \(e)")
        }
    }

    /// Checks an accepted request: bounded counts and an inspection that agrees with them.
    static func checkAccepted(_ d: RemoteWriteDecoder, bodyCount: Int, _ i: Int, _ input: [UInt8], _ target: String) {
        // Each TimeSeries and each Sample costs at least a tag and a length byte on the wire.
        if d.seriesCount * 2 > bodyCount + 2 || d.sampleCount * 2 > bodyCount + 2 {
            Fuzz.fail(target, iteration: i, input: input, "\(d.seriesCount) series / \(d.sampleCount) samples from \(bodyCount) bytes")
        }
        let view = d.inspect()
        let samples = view.reduce(0) { $0 + $1.samples.count }
        if view.count != d.seriesCount || samples != d.sampleCount {
            Fuzz.fail(target, iteration: i, input: input, "inspect() has \(view.count) series/\(samples) samples, counters \(d.seriesCount)/\(d.sampleCount)")
        }
    }

    @Test func decompressedBodies() throws {
        let seeds = try Self.seeds()
        let others = seeds.map(\.1)
        var rng = Fuzz.rng(0x5257_0001)
        let decoder = RemoteWriteDecoder()
        let small = RemoteWriteDecoder(maxDecodedBytes: 4096)
        let storage = CountingStorage()
        let ingester = RemoteWriteIngester(storage: storage, now: { 1_000_000 })
        var accepted = 0
        let n = Fuzz.iterations(3000)
        for i in 0..<n {
            let (version, seed) = seeds[rng.below(seeds.count)]
            let body = Mutator.mutate(seed, others: others, rng: &rng)
            // Either version's decoder sees either version's bodies: a 1.0 body read as 2.0 is a
            // plausible client bug and a good source of wire-type confusion.
            let v: RemoteWriteVersion = rng.chance(80) ? version : (version == .v1 ? .v2 : .v1)
            do {
                try decoder.decode(uncompressed: body, version: v)
                accepted += 1
                Self.checkAccepted(decoder, bodyCount: body.count, i, body, "remote-write-\(v)")
            } catch {
                Self.checkError(error, bodyCount: body.count, i, body, "remote-write-\(v)")
            }
            if i % 7 == 0 {
                do { try small.decode(uncompressed: body, version: v) } catch {
                    Self.checkError(error, bodyCount: body.count, i, body, "remote-write-small-\(v)")
                }
            }
            // Every fifth body also goes through validation and the append path.
            if i % 5 == 0 {
                let before = storage.committedSamples
                do {
                    let r = try ingester.write(uncompressed: body, version: v)
                    let stored = storage.committedSamples - before
                    if stored != r.samplesWritten || r.samplesWritten > body.count {
                        Fuzz.fail("remote-write-ingest-\(v)", iteration: i, input: body,
                                  "result says \(r.samplesWritten) samples written, storage grew by \(stored)")
                    }
                } catch {
                    Self.checkError(error, bodyCount: body.count, i, body, "remote-write-ingest-\(v)")
                }
            }
        }
        Fuzz.report("remote-write (decompressed)", inputs: n, accepted: accepted)
        #expect(storage.badLabels.isEmpty, "malformed label sets reached storage: \(storage.badLabels.prefix(3))")
        // The seeds must stay mostly decodable after mild mutations, or the fuzzer tests nothing.
        #expect(accepted > n / 20, "only \(accepted) of \(n) mutated bodies decoded")
        #expect(accepted < n)
    }

    @Test func compressedBodies() throws {
        let seeds = try Self.seeds()
        var rng = Fuzz.rng(0x5257_0002)
        let compressed = seeds.map { Snappy.compress($0.1) }
        let decoder = RemoteWriteDecoder(maxDecodedBytes: 1 << 20)
        let n = Fuzz.iterations(600)
        var accepted = 0
        for i in 0..<n {
            let k = rng.below(seeds.count)
            // Half: a corrupt snappy stream; half: a valid snappy stream of a corrupt message.
            let body = rng.chance(50)
                ? Mutator.mutate(compressed[k], others: compressed, rng: &rng)
                : Snappy.compress(Mutator.mutate(seeds[k].1, others: [], rng: &rng))
            do {
                try decoder.decode(body, version: seeds[k].0)
                accepted += 1
                Self.checkAccepted(decoder, bodyCount: decoder.decodedBytes, i, body, "remote-write-snappy")
            } catch {
                Self.checkError(error, bodyCount: max(body.count, decoder.decodedBytes) * 22 + 64, i, body, "remote-write-snappy")
            }
        }
        Fuzz.report("remote-write (snappy)", inputs: n, accepted: accepted)
        #expect(accepted > 0)
    }

    /// Headers are client input too: arbitrary Content-Type / Content-Encoding values negotiate
    /// to a version or to a 415-class error, never a trap.
    @Test func negotiationHeaders() throws {
        var rng = Fuzz.rng(0x5257_0003)
        let types = ["application/x-protobuf", "application/x-protobuf;proto=io.prometheus.write.v2.Request",
                     "application/x-protobuf;proto=prometheus.WriteRequest", "text/plain", ""]
        let encodings = ["snappy", "gzip", "", "SNAPPY"]
        for i in 0..<Fuzz.iterations(1000) {
            let ct = Mutator.mutateText(types[rng.below(types.count)], others: types, rng: &rng)
            let ce = rng.chance(20) ? nil : Mutator.mutateText(encodings[rng.below(encodings.count)], others: [], rng: &rng)
            do {
                _ = try RemoteWriteVersion.negotiate(contentType: rng.chance(10) ? nil : ct, contentEncoding: ce)
            } catch {
                if error.kind != .unsupportedMediaType {
                    Fuzz.fail("remote-write-negotiate", iteration: i, input: Array(ct.utf8), "error kind \(error.kind): \(error)")
                }
            }
        }
    }

    @Test func remoteReadRequests() throws {
        let base = RemoteReadRequest(queries: [
            .init(startMs: 1000, endMs: 60_000, matchers: [try LabelMatcher(.equal, "__name__", "up"), try LabelMatcher(.regexMatch, "job", "a.*|b")],
                  hints: SelectHints(start: 1000, end: 60_000, step: 15_000, range: 300_000, function: "rate", grouping: ["job"], by: true)),
            .init(startMs: -5, endMs: 0, matchers: [try LabelMatcher(.notEqual, "a", ""), try LabelMatcher(.regexNoMatch, "b", "x+")]),
        ], acceptedResponseTypes: [0, 1])
        let seeds = [base.encoded()]
        var rng = Fuzz.rng(0x5252_0001)
        var accepted = 0
        let n = Fuzz.iterations(2000)
        for i in 0..<n {
            let body = Mutator.mutate(seeds[0], others: seeds, rng: &rng)
            do {
                let r = try RemoteReadRequest.decode(uncompressed: body)
                accepted += 1
                let matchers = r.queries.reduce(0) { $0 + $1.matchers.count }
                if r.queries.count * 2 > body.count + 2 || matchers * 2 > body.count + 2 {
                    Fuzz.fail("remote-read", iteration: i, input: body, "\(r.queries.count) queries/\(matchers) matchers from \(body.count) bytes")
                }
                _ = try? r.negotiatedResponseType()
                // What decoded re-encodes to something that decodes to the same request.
                let again = try RemoteReadRequest.decode(uncompressed: r.encoded())
                if again != r { Fuzz.fail("remote-read", iteration: i, input: body, "re-encoding changes the request") }
            } catch {
                Self.checkError(error, bodyCount: body.count, i, body, "remote-read")
            }
            if i % 10 == 0 { _ = try? RemoteReadRequest.decode(Snappy.compress(body), maxDecodedBytes: 1 << 16) }
        }
        Fuzz.report("remote-read", inputs: n, accepted: accepted)
        #expect(accepted > 0)
    }
}
