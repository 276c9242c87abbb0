import Foundation
import PromQLEngine
import SundialCore
import SundialHTTP
import SundialIngest
import SundialTSDB
import SundialTestSupport
import Testing

/// Remote write on 4 concurrent connections into the real database (WAL with group commit), as
/// Prometheus's queue manager sends it (one sample per TimeSeries, shards time-ordered): every
/// request answers 204, every sample is queryable afterwards, and the data survives a reopen.
@Suite struct ServerConcurrentWriteTests {
    @Test func fourShardsIntoTheDatabase() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-concurrent")
        defer { dir.remove() }
        let db = try DB.open(directory: dir.appending("data"))
        let server = try await ServerTestHarness(storage: db, evaluator: EngineEvaluator(engine: Engine(), storage: db))
        let c = server.client
        let shards = 4, seriesPerShard = 50, scrapes = 10
        let headers = ServerBadInputTests.v1Headers
        let codes = try await withThrowingTaskGroup(of: [Int].self) { g in
            for shard in 0..<shards {
                g.addTask {
                    var out: [Int] = []
                    for scrape in 0..<scrapes {
                        let req = RemoteWriteRequest(series: (0..<seriesPerShard).map { i in
                            .init(labels: [Label("__name__", "cw"), Label("series", "\(shard)-\(i)")],
                                  samples: [.init(value: Double(scrape), timestamp: Int64(scrape) * 15_000)])
                        })
                        out.append(try await c.request("POST", "/api/v1/write", headers: headers, body: req.compressed(.v1)).status)
                    }
                    return out
                }
            }
            var all: [Int] = []
            for try await part in g { all += part }
            return all
        }
        #expect(codes.count == shards * scrapes)
        #expect(codes.allSatisfy { $0 == 204 })
        let r = try await c.get("/api/v1/query?query=sum(count_over_time(cw%5B10m%5D))&time=135")
        #expect(r.text.contains(#""value":[135,"\#(shards * seriesPerShard * scrapes)"]"#), "\(r.text)")
        let tsdb = try await c.get("/api/v1/status/tsdb")
        #expect(tsdb.text.contains(#""numSeries":\#(shards * seriesPerShard)"#), "\(tsdb.text)")
        await server.stop()
        try db.close()

        // Everything acknowledged is back after reopening (WAL replay).
        let again = try DB.open(directory: dir.appending("data"))
        defer { try? again.close() }
        let q = try again.querier(minTime: 0, maxTime: 1_000_000)
        defer { q.close() }
        var total = 0
        for s in try q.select(sorted: false, hints: nil, matchers: [.equal("__name__", "cw")]) {
            var b = SampleBuffer()
            try s.samples(minTime: 0, maxTime: 1_000_000, into: &b)
            total += b.count
        }
        #expect(total == shards * seriesPerShard * scrapes)
    }
}
