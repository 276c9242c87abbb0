import Testing
import PromQLEngine
import SundialCore
import SundialTestSupport

/// Instant selectors over more series than ``ParallelRange/minimumSeries`` run on all cores in
/// batches; the answers must equal the serial definition.
@Suite struct ParallelSelectTests {
    static let seriesCount = 5_000

    /// `m{i="k"}` = k + j at j × 15 s (j = 0...8); series 0 has a stale marker at 60 s.
    static func storage() throws -> MemoryStorage {
        let s = MemoryStorage()
        let app = s.appender()
        for k in 0..<seriesCount {
            let labels = Labels(["__name__": "m", "i": String(k)])
            for j in 0...8 {
                let v = k == 0 && j == 4 ? StaleMarker.value : Double(k + j)
                _ = try app.append(ref: .none, labels: labels, timestamp: Int64(j) * 15_000, value: v)
            }
        }
        try app.commit()
        return s
    }

    @Test func instantVectorMatchesSerialDefinition() async throws {
        let r = try await Engine().instantQuery("m", at: 60_000, storage: try Self.storage())
        guard case .vector(let v) = r.value else { Issue.record("not a vector"); return }
        // Series 0 is stale at 60 s; every other has k + 4.
        #expect(v.count == Self.seriesCount - 1)
        for s in v {
            let k = Double(s.labels.get("i") ?? "") ?? -1
            #expect(s.value == k + 4)
        }
    }

    @Test func rangeAggregationAndTimestamps() async throws {
        let storage = try Self.storage()
        let e = Engine()
        let r = try await e.rangeQuery("sum(m)", start: 30_000, end: 120_000, step: 30_000, storage: storage)
        guard case .matrix(let m) = r.value else { Issue.record("not a matrix"); return }
        let n = Double(Self.seriesCount)
        let base = n * (n - 1) / 2  // sum of k
        // Steps at 30, 60, 90, 120 s read samples j = 2, 4, 6, 8; series 0 contributes 0 at 60 s (stale).
        #expect(m.first?.values == [base + 2 * n, base + 4 * (n - 1), base + 6 * n, base + 8 * n])
        let ts = try await e.instantQuery("max(timestamp(m))", at: 100_000, storage: storage)
        #expect(ts.value == .scalar(100_000, 90) || {
            if case .vector(let v) = ts.value { return v.first?.value == 90 }
            return false
        }())
    }
}
