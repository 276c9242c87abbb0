import Foundation
import PromQLEngine
import SundialCore
import SundialEncoding
import SundialHTTP
import SundialIngest
import SundialTSDB
import SundialTestSupport
import Testing

/// `/api/v1/admin/tsdb/{delete_series,clean_tombstones,snapshot}` over real HTTP on a real
/// database (blocks + head + WAL), checked against promtool 2.42: deletions disappear from
/// queries, `clean_tombstones` rewrites blocks and promtool's dump equals `sundial tsdb dump`, and a
/// snapshot is a data directory promtool lists and dumps with exactly the data.
@Suite(.serialized) struct AdminAPITests {
    static let h: Int64 = 3_600_000
    static let t0: Int64 = 1_700_000_000_000 / (2 * h) * (2 * h)
    static let series = 6
    static let step: Int64 = 30_000

    static func fill(_ db: DB, from: Int64, to: Int64) throws {
        var refs = [SeriesRef](repeating: .none, count: series)
        var t = from
        while t < to {
            let app = db.appender()
            for i in 0..<series {
                refs[i] = try app.append(ref: refs[i], labels: Labels(["__name__": "adm_x", "job": "it", "i": String(i)]),
                                         timestamp: t, value: Double((t - t0) / step * Int64(i + 1)))
            }
            try app.commit()
            t += step
        }
    }

    static func seconds(_ ms: Int64) -> String { String(ms / 1000) }

    static func enabled() -> APIOptions {
        var o = APIOptions()
        o.enableAdminAPI = true
        return o
    }

    static func dumpLines(_ args: [String]) throws -> [String] {
        let r = try ChildProcess.run(args)
        #expect(r.status == 0, "\(args): \(r.err)")
        return r.out.split(separator: "\n").map(String.init).sorted()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: PromtoolDumpTests.promtool)))
    func deleteCleanAndSnapshotAgreeWithPromtool() async throws {
        let sundial = try #require(PromtoolDumpTests.sundialBinary(), "build the sundial executable first")
        let dir = try TemporaryDirectory(prefix: "sundial-admin")
        defer { dir.remove() }
        let data = dir.appending("data")
        let db = try DB.open(directory: data)
        try Self.fill(db, from: Self.t0, to: Self.t0 + 5 * Self.h)
        try db.compact()
        #expect(db.blocks.blocks.count == 1)
        let server = try await ServerTestHarness(storage: db, evaluator: EngineEvaluator(engine: Engine(), storage: db),
                                                 options: Self.enabled())
        let c = server.client
        let total = Self.series * Int(5 * Self.h / Self.step)

        // Series i=1 over [t0+1h, t0+3h]: half in the block, half in the head.
        let del = try await c.postForm("/api/v1/admin/tsdb/delete_series",
                                       "match[]=adm_x%7Bi%3D%221%22%7D&start=\(Self.seconds(Self.t0 + Self.h))&end=\(Self.seconds(Self.t0 + 3 * Self.h))")
        #expect(del.status == 204, "\(del.text)")
        let deleted = Int(2 * Self.h / Self.step) + 1
        // Instant queries (5 m lookback) inside the range, in the block and in the head: i=1 is gone.
        for at in [Self.t0 + 90 * 60_000, Self.t0 + 150 * 60_000] {
            let r = try await c.get("/api/v1/query?query=count(adm_x)&time=\(Self.seconds(at))")
            #expect(r.text.contains(#""value":[\#(Self.seconds(at)),"5"]"#), "\(r.text)")
        }
        let after = try await c.get("/api/v1/query?query=count(adm_x)&time=\(Self.seconds(Self.t0 + 4 * Self.h))")
        #expect(after.text.contains(#","6"]"#), "\(after.text)")
        let counted = try await c.get("/api/v1/query?query=sum(count_over_time(adm_x%5B6h%5D))&time=\(Self.seconds(Self.t0 + 5 * Self.h))")
        #expect(counted.text.contains(#","\#(total - deleted)"]"#), "\(counted.text)")

        // clean_tombstones rewrites the block; promtool and sundial dump the same samples (promtool
        // applies the head's tombstones record from our WAL).
        let oldBlock = db.blocks.blocks[0].id
        let clean = try await c.postForm("/api/v1/admin/tsdb/clean_tombstones", "")
        #expect(clean.status == 204, "\(clean.text)")
        #expect(db.blocks.blocks.count == 1)
        #expect(db.blocks.blocks[0].id != oldBlock)
        #expect(db.blocks.blocks[0].tombstones.isEmpty)
        let ours = try Self.dumpLines([sundial, "tsdb", "dump", data])
        let theirs = try Self.dumpLines([PromtoolDumpTests.promtool, "tsdb", "dump", data])
        #expect(ours.count == total - deleted)
        #expect(ours == theirs)

        // Snapshot: the name has Prometheus's shape; promtool lists the block and the head block
        // with every remaining sample, and dumps exactly the same lines.
        let snap = try await c.postForm("/api/v1/admin/tsdb/snapshot", "")
        #expect(snap.status == 200, "\(snap.text)")
        let name = try #require(snap.text.firstMatch(of: /"name":"(\d{8}T\d{6}Z-[0-9a-f]{16})"/)?.1).description
        #expect(snap.text == #"{"status":"success","data":{"name":"\#(name)"}}"#)
        let snapDir = "\(data)/snapshots/\(name)"
        let list = try ChildProcess.run([PromtoolDumpTests.promtool, "tsdb", "list", snapDir])
        #expect(list.status == 0, "\(list.err)")
        let rows = list.out.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.count == 2)
        #expect(rows.reduce(0) { $0 + (Int($1[4]) ?? 0) } == total - deleted)
        #expect(try Self.dumpLines([PromtoolDumpTests.promtool, "tsdb", "dump", snapDir]) == ours)

        // skip_head=true: the persisted block only.
        let skip = try await c.postForm("/api/v1/admin/tsdb/snapshot", "skip_head=true")
        let skipName = try #require(skip.text.firstMatch(of: /"name":"([^"]+)"/)?.1).description
        let skipList = try ChildProcess.run([PromtoolDumpTests.promtool, "tsdb", "list", "\(data)/snapshots/\(skipName)"])
        #expect(skipList.out.split(separator: "\n").count == 2, "\(skipList.out)")

        await server.stop()
        try db.close()
        // After a restart the head deletion still holds (WAL replay of the tombstones record).
        let again = try DB.open(directory: data)
        defer { try? again.close() }
        var lines = 0
        let q = try again.querier(minTime: .min, maxTime: .max)
        for s in try q.select(sorted: true, hints: nil, matchers: []) {
            var b = SampleBuffer()
            try s.samples(minTime: .min, maxTime: .max, into: &b)
            lines += b.count
        }
        #expect(lines == total - deleted)
    }

    @Test func badParametersAndDisabledAdminAnswerAsPrometheus() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-admin-bad")
        defer { dir.remove() }
        let db = try DB.open(directory: dir.appending("data"))
        try Self.fill(db, from: Self.t0, to: Self.t0 + 10 * Self.step)
        let server = try await ServerTestHarness(storage: db, evaluator: EngineEvaluator(engine: Engine(), storage: db),
                                                 options: Self.enabled())
        let c = server.client
        func error(_ path: String, _ form: String) async throws -> (Int, String) {
            let r = try await c.postForm(path, form)
            return (r.status, r.text)
        }
        let bad = #"{"status":"error","errorType":"bad_data","error":"#
        #expect(try await error("/api/v1/admin/tsdb/delete_series", "")
            == (400, bad + #""no match[] parameter provided"}"#))
        #expect(try await error("/api/v1/admin/tsdb/delete_series", "match[]=adm_x&start=abc")
            == (400, bad + #""invalid parameter \"start\": Invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"}"#))
        #expect(try await error("/api/v1/admin/tsdb/delete_series", "match[]=adm_x&end=x")
            == (400, bad + #""invalid parameter \"end\": Invalid time value for 'end': cannot parse \"x\" to a valid timestamp"}"#))
        let parse = try await error("/api/v1/admin/tsdb/delete_series", "match[]=%7B")
        #expect(parse.0 == 400)
        #expect(parse.1.hasPrefix(bad + #""invalid parameter \"match[]\": "#), "\(parse.1)")
        #expect(try await error("/api/v1/admin/tsdb/snapshot", "skip_head=maybe")
            == (400, bad + #""unable to parse boolean 'skip_head' argument: strconv.ParseBool: parsing \"maybe\": invalid syntax"}"#))
        // Nothing was deleted by the refused requests.
        let r = try await c.get("/api/v1/query?query=count(adm_x)&time=\(Self.seconds(Self.t0 + 5 * Self.step))")
        #expect(r.text.contains(#","6"]"#), "\(r.text)")
        // A matcher set that selects nothing is fine (204), as in Prometheus.
        #expect(try await c.postForm("/api/v1/admin/tsdb/delete_series", "match[]=nothing_here").status == 204)
        await server.stop()

        let off = try await ServerTestHarness(storage: db, evaluator: EngineEvaluator(engine: Engine(), storage: db))
        for path in ["delete_series", "clean_tombstones", "snapshot"] {
            let r = try await off.client.postForm("/api/v1/admin/tsdb/\(path)", "match[]=adm_x")
            #expect(r.status == 503)
            #expect(r.text == #"{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}"#)
        }
        await off.stop()
        try db.close()
    }

    /// The `sundial serve` binary with `--web.enable-admin-api` (``ServeStorage`` conforms to
    /// ``StorageAdmin``): remote write, delete_series, query, snapshot read by promtool.
    @Test(.enabled(if: ServerProcess.binaryExists && FileManager.default.isExecutableFile(atPath: PromtoolDumpTests.promtool)))
    func serveBinaryAdminEndToEnd() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-serve-admin")
        defer { dir.remove() }
        let port = try ServerProcess.freePort()
        let data = dir.appending("data")
        var server = try ServerProcess.start(["serve", "--data-dir", data, "--listen", "127.0.0.1:\(port)", "--web.enable-admin-api"],
                                             port: port)
        let c = ServerTestClient(port: port)
        let req = RemoteWriteRequest(series: (0..<3).map { i in
            .init(labels: [Label("__name__", "srv_adm"), Label("i", "\(i)")],
                  samples: (0..<10).map { k in .init(value: Double(k), timestamp: 1_000_000 + Int64(k) * 15_000) })
        })
        let w = try await c.request("POST", "/api/v1/write", headers: ServerBadInputTests.v1Headers, body: req.compressed(.v1))
        #expect(w.status == 204)
        let del = try await c.postForm("/api/v1/admin/tsdb/delete_series", "match[]=srv_adm%7Bi%3D%222%22%7D")
        #expect(del.status == 204, "\(del.text)")
        var r = try await c.get("/api/v1/query?query=count(srv_adm)&time=1100")
        #expect(r.text.contains(#""value":[1100,"2"]"#), "\(r.text)")
        r = try await c.postForm("/api/v1/admin/tsdb/clean_tombstones", "")
        #expect(r.status == 204, "\(r.text)")
        r = try await c.postForm("/api/v1/admin/tsdb/snapshot", "")
        #expect(r.status == 200, "\(r.text)")
        let name = try #require(r.text.firstMatch(of: /"name":"([^"]+)"/)?.1).description
        let lines = try Self.dumpLines([PromtoolDumpTests.promtool, "tsdb", "dump", "\(data)/snapshots/\(name)"])
        #expect(lines.count == 20)
        #expect(!lines.contains { $0.contains(#"i="2""#) })
        #expect(server.terminate() == 0)
        // Restart: the deletion holds (WAL tombstones record replayed by the server).
        server = try ServerProcess.start(["serve", "--data-dir", data, "--listen", "127.0.0.1:\(port)"], port: port)
        r = try await c.get("/api/v1/query?query=count(srv_adm)&time=1100")
        #expect(r.text.contains(#""value":[1100,"2"]"#), "\(r.text)")
        #expect(server.terminate() == 0)
    }

    /// Federation and remote read (samples and streamed chunks) never return deleted samples.
    @Test func federationAndRemoteReadHonourDeletions() async throws {
        let dir = try TemporaryDirectory(prefix: "sundial-admin-read")
        defer { dir.remove() }
        let db = try DB.open(directory: dir.appending("data"))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let base = now - 240_000
        for k in Int64(0)...16 {
            let app = db.appender()
            for who in ["keeper", "victim", "partial"] {
                _ = try app.append(ref: .none, labels: Labels(["__name__": "fed_adm", "who": who]), timestamp: base + k * 15_000, value: Double(k))
            }
            try app.commit()
        }
        let server = try await ServerTestHarness(storage: db, evaluator: EngineEvaluator(engine: Engine(), storage: db),
                                                 options: Self.enabled())
        let c = server.client
        var r = try await c.postForm("/api/v1/admin/tsdb/delete_series", "match[]=fed_adm%7Bwho%3D%22victim%22%7D")
        #expect(r.status == 204)
        // partial: everything up to base + 120 s (samples 0...8) deleted.
        r = try await c.postForm("/api/v1/admin/tsdb/delete_series",
                                 "match[]=fed_adm%7Bwho%3D%22partial%22%7D&end=\(Double(base + 120_000) / 1000)")
        #expect(r.status == 204)
        r = try await c.get("/federate?match[]=fed_adm")
        #expect(r.status == 200)
        #expect(r.text.contains(#"fed_adm{who="keeper"} 16"#) && r.text.contains(#"fed_adm{who="partial"} 16"#), "\(r.text)")
        #expect(!r.text.contains("victim"), "\(r.text)")
        let q = "count_over_time(fed_adm%5B10m%5D)&time=\(Double(base + 16 * 15_000) / 1000)"
        r = try await c.get("/api/v1/query?query=\(q)")
        #expect(r.text.contains(#"{"who":"keeper"},"value":["#) && r.text.contains(#""17"]"#), "\(r.text)")
        #expect(r.text.contains(#"{"who":"partial"},"value":["#) && r.text.contains(#""8"]"#), "\(r.text)")
        #expect(!r.text.contains("victim"))
        for types in [[], [1]] as [[Int]] {
            let req = RemoteReadRequest(queries: [.init(startMs: base - 1, endMs: now + 1, matchers: [.equal("__name__", "fed_adm")])],
                                        acceptedResponseTypes: types)
            let resp = try await c.request("POST", "/api/v1/read", headers: [
                ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
            ], body: req.compressed())
            #expect(resp.status == 200)
            var out: [UInt8] = []
            if types.isEmpty { try resp.body.withUnsafeBytes { try Snappy.decompress($0, into: &out) } } else { out = resp.body }
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.contains("keeper") && text.contains("partial") && !text.contains("victim"), "response types \(types)")
        }
        await server.stop()
        try db.close()
    }
}
