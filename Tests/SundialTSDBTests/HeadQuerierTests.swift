import Foundation
import Testing
import SundialCore
@testable import SundialTSDB

@Suite struct HeadQuerierTests {
    static func fixture() throws -> Head {
        let head = Head(options: HeadOptions(stripeCount: 16))
        let app = head.appender()
        let sets: [[(String, String)]] = [
            [("__name__", "http_requests_total"), ("job", "api"), ("code", "200"), ("path", "/api/v1/query")],
            [("__name__", "http_requests_total"), ("job", "api"), ("code", "500"), ("path", "/api/v1/write")],
            [("__name__", "http_requests_total"), ("job", "web"), ("code", "200")],
            [("__name__", "up"), ("job", "api")],
            [("__name__", "up"), ("job", "web"), ("env", "")],
        ]
        for (i, s) in sets.enumerated() {
            let l = Labels(s.filter { !$0.1.isEmpty }.map { Label($0.0, $0.1) })
            for t in 0..<5 { _ = try app.append(ref: .none, labels: l, timestamp: Int64(t) * 1000, value: Double(i)) }
        }
        try app.commit()
        return head
    }

    static func names(_ q: any Querier, _ ms: [LabelMatcher]) throws -> [String] {
        try q.select(sorted: true, hints: nil, matchers: ms).map { s in
            s.labels.map { "\($0.name)=\($0.value)" }.dropFirst().joined(separator: ",")
        }
    }

    @Test(arguments: [
        (["job=api"], ["code=200,job=api,path=/api/v1/query", "code=500,job=api,path=/api/v1/write", "job=api"]),
        (["__name__=up"], ["job=api", "job=web"]),
        (["code!=200"], ["code=500,job=api,path=/api/v1/write", "job=api", "job=web"]),
        (["code=~2..", "job=~api|web"], ["code=200,job=api,path=/api/v1/query", "code=200,job=web"]),
        (["path=~/api/.*"], ["code=200,job=api,path=/api/v1/query", "code=500,job=api,path=/api/v1/write"]),
        (["path=", "__name__=http_requests_total"], ["code=200,job=web"]),
        (["path!~.+query"], ["code=500,job=api,path=/api/v1/write", "code=200,job=web", "job=api", "job=web"]),
        (["code=~.*", "__name__=up"], ["job=api", "job=web"]),
        (["job=nope"], []),
        (["job=~a.*|w.*", "code=~5.."], ["code=500,job=api,path=/api/v1/write"]),
    ])
    func matchers(_ spec: [String], _ expected: [String]) throws {
        let head = try Self.fixture()
        let ms = try spec.map { s -> LabelMatcher in
            for op in ["!=", "=~", "!~", "="] {
                if let r = s.range(of: op) {
                    let type: MatchType = op == "=" ? .equal : op == "!=" ? .notEqual : op == "=~" ? .regexMatch : .regexNoMatch
                    return try LabelMatcher(type, String(s[..<r.lowerBound]), String(s[r.upperBound...]))
                }
            }
            fatalError("bad spec \(s)")
        }
        let q = try head.querier(minTime: .min, maxTime: .max)
        // Sorted by full label set: http_requests_total before up.
        #expect(try Self.names(q, ms).sorted() == expected.sorted())
        let sel = try q.select(sorted: true, hints: nil, matchers: ms)
        let ls = sel.map { $0.labels }
        #expect(ls == ls.sorted())
    }

    @Test func labelNamesAndValues() throws {
        let head = try Self.fixture()
        let q = try head.querier(minTime: .min, maxTime: .max)
        #expect(try q.labelNames(matchers: []) == ["__name__", "code", "job", "path"])
        #expect(try q.labelValues(name: "job", matchers: []) == ["api", "web"])
        #expect(try q.labelValues(name: "code", matchers: [.equal("job", "web")]) == ["200"])
        #expect(try q.labelNames(matchers: [.equal("__name__", "up")]) == ["__name__", "job"])
    }

    @Test func timeRangeRestrictsSamplesAndSeries() throws {
        let head = try Self.fixture()
        let q = try head.querier(minTime: 1000, maxTime: 2500)
        let got = try HeadTestHelpers.dump(q, mint: 1000, maxt: 2500)
        #expect(got.count == 5 && got.allSatisfy { $0.1 == [1000, 2000] })
        let empty = try head.querier(minTime: 10_000, maxTime: 20_000)
        #expect(try empty.select(sorted: true, hints: nil, matchers: [.equal("job", "api")]).isEmpty)
        let hinted = try head.querier(minTime: .min, maxTime: .max)
        #expect(try hinted.select(sorted: false, hints: SelectHints(start: 50_000, end: 60_000), matchers: [.equal("job", "api")]).isEmpty)
    }

    @Test func aResultIsASnapshot() throws {
        let head = try Self.fixture()
        let q = try head.querier(minTime: .min, maxTime: .max)
        let sel = try q.select(sorted: true, hints: nil, matchers: [.equal("__name__", "up")])
        let app = head.appender()
        _ = try app.append(ref: .none, labels: sel[0].labels, timestamp: 9000, value: 1)
        try app.commit()
        var buf = SampleBuffer()
        try sel[0].samples(minTime: .min, maxTime: .max, into: &buf)
        #expect(buf.timestamps == [0, 1000, 2000, 3000, 4000])
    }

    /// The series-only hint (`/api/v1/series`) selects the same series without snapshotting any
    /// chunk, and samples asked for anyway come out right, clipped to the select's range.
    @Test func seriesOnlyHintSnapshotsNoChunks() throws {
        let head = try Self.fixture()
        let q = HeadQuerier(head: head, minTime: .min, maxTime: .max)
        let hints = SelectHints(start: 1000, end: 2000, function: SelectHints.seriesOnlyFunction)
        let full = try q.selectHeadSeries(sorted: true, hints: SelectHints(start: 1000, end: 2000), matchers: [.equal("job", "api")])
        let lean = try q.selectHeadSeries(sorted: true, hints: hints, matchers: [.equal("job", "api")])
        #expect(lean.map(\.labels) == full.map(\.labels) && lean.count == 3)
        #expect(lean.allSatisfy { $0.chunks.isEmpty } && full.allSatisfy { !$0.chunks.isEmpty })
        var buf = SampleBuffer()
        try lean[0].samples(minTime: .min, maxTime: .max, into: &buf)
        #expect(buf.timestamps == [1000, 2000])
        // Outside the data: nothing selected either way.
        let none = SelectHints(start: 50_000, end: 60_000, function: SelectHints.seriesOnlyFunction)
        #expect(try q.selectHeadSeries(sorted: true, hints: none, matchers: []).isEmpty)
    }
}
