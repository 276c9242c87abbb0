import SundialCore
import SundialTestSupport
import Testing

@Suite struct MemoryStorageTests {
    @Test func appendSelectAndReject() async throws {
        let s = MemoryStorage()
        let app = s.appender()
        let a = Labels(["__name__": "up", "job": "a"]), b = Labels(["__name__": "up", "job": "b"])
        _ = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        _ = try app.append(ref: .none, labels: a, timestamp: 2000, value: 2)
        _ = try app.append(ref: .none, labels: b, timestamp: 1000, value: 3)
        #expect(throws: AppendError.self) { _ = try app.append(ref: .none, labels: a, timestamp: 1500, value: 9) }
        try app.commit()
        let q = try s.querier(minTime: 0, maxTime: 1500)
        let res = try q.select(sorted: true, hints: nil, matchers: [try LabelMatcher(.regexMatch, "job", "a|b")])
        #expect(res.map(\.labels) == [a, b])
        var buf = SampleBuffer()
        try res[0].samples(minTime: 0, maxTime: 5000, into: &buf)
        #expect(buf.timestamps == [1000])
        #expect(try q.labelValues(name: "job", matchers: []) == ["a", "b"])
        #expect(try q.labelNames(matchers: [.equal("job", "a")]) == ["__name__", "job"])
    }
}
