import Testing
import SundialCore
import SundialEncoding
import SundialIngest
import SundialTestSupport

/// Bodies captured from a real Prometheus 2.42 remote-writing its own metrics
/// (`testdata/remote-write/capture.sh`).
@Suite struct PrometheusFixtureTests {
    static func headers(_ name: String) throws -> [String: String] {
        let text = String(decoding: try Testdata.bytes("remote-write/\(name).headers"), as: UTF8.self)
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingPrefix(" ").description
        }
        return out
    }

    @Test(arguments: ["prometheus-2.42-samples-0", "prometheus-2.42-samples-1"])
    func samplesBodies(name: String) throws {
        let body = try Testdata.bytes("remote-write/\(name).bin")
        let h = try Self.headers(name)
        #expect(try RemoteWriteVersion.negotiate(contentType: h["Content-Type"], contentEncoding: h["Content-Encoding"]) == .v1)
        let d = RemoteWriteDecoder()
        try d.decode(body, version: .v1)
        let series = d.inspect()
        #expect(series.count > 100)
        for s in series {
            // Prometheus sends sorted, unique, non-empty names, the external label, and at least one sample.
            #expect(zip(s.labels, s.labels.dropFirst()).allSatisfy { byteOrderLess($0.name, $1.name) })
            #expect(s.labels.contains(Label("fixture", "sundial")))
            #expect(s.labels.contains(Label("job", "prometheus")))
            #expect(s.labels.contains { $0.name == "__name__" })
            #expect(!s.samples.isEmpty)
        }
        #expect(series.contains { $0.labels.contains(Label("__name__", "up")) } || series.contains { $0.labels.contains(Label("__name__", "prometheus_build_info")) })

        // And the whole write path accepts it.
        let storage = MemoryStorage()
        let newest = series.flatMap { $0.samples.map(\.timestamp) }.max()!
        let ing = RemoteWriteIngester(storage: storage, now: { newest })
        let r = try ing.write(body, contentType: h["Content-Type"], contentEncoding: h["Content-Encoding"])
        #expect(r.isSuccess, "\(r.errorMessage)")
        #expect(r.samplesWritten == d.sampleCount)
        #expect(storage.seriesCount == series.count)
    }

    @Test func metadataBody() throws {
        let body = try Testdata.bytes("remote-write/prometheus-2.42-metadata.bin")
        let d = RemoteWriteDecoder()
        try d.decode(body, version: .v1)
        #expect(d.seriesCount == 0)
        let meta = d.decodedMetadata
        #expect(meta.count > 50)
        #expect(meta.allSatisfy { !$0.metricFamily.isEmpty && !$0.help.isEmpty })
        #expect(meta.contains { $0.type == .counter })
        #expect(meta.contains { $0.type == .gauge })
        let storage = MemoryStorage()
        let r = try RemoteWriteIngester(storage: storage).write(body, version: .v1)
        #expect(r.metadataWritten == meta.count)
        #expect(storage.metadata[meta[0].metricFamily] == meta.last { $0.metricFamily == meta[0].metricFamily })
    }
}
