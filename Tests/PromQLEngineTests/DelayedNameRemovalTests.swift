import Testing
import PromQLEngine
import SundialCore
import SundialTestSupport

/// v3 delayed `__name__` removal (``EngineOptions/delayedNameRemoval``) against the immediate
/// removal of 2.42 and of v3 without the option.
@Suite struct DelayedNameRemovalTests {
    static func engine(delayed: Bool) -> Engine {
        var o = EngineOptions(semantics: .prometheus3)
        o.delayedNameRemoval = delayed
        return Engine(options: o)
    }

    static func vector(_ r: QueryResult) -> [VectorSample] {
        if case .vector(let v) = r.value { return v.sorted { $0.labels < $1.labels } }
        return []
    }

    @Test func labelReplaceSeesTheNameOnlyWhenDelayed() async throws {
        let s = try EngineTests.storage()
        let q = #"label_replace(rate(up[1m]), "src", "$1", "__name__", "(.+)")"#
        let delayed = Self.vector(try await Self.engine(delayed: true).instantQuery(q, at: 120_000, storage: s))
        #expect(delayed.map(\.labels) == [Labels(["job": "a", "src": "up"]), Labels(["job": "b", "src": "up"])])
        let immediate = Self.vector(try await Self.engine(delayed: false).instantQuery(q, at: 120_000, storage: s))
        #expect(immediate.map(\.labels) == [Labels(["job": "a"]), Labels(["job": "b"])])
    }

    @Test func writingTheNameKeepsIt() async throws {
        let s = try EngineTests.storage()
        let q = #"label_replace(abs(up), "__name__", "x_$1", "__name__", "(.+)")"#
        let v = Self.vector(try await Self.engine(delayed: true).instantQuery(q, at: 120_000, storage: s))
        #expect(v.map { $0.labels.metricName } == ["x_up", "x_up"])
    }

    @Test func groupingByNameCollidesAtTheEnd() async throws {
        let s = MemoryStorage()
        let app = s.appender()
        for i in 0...8 {
            for name in ["a_total", "b_total"] {
                _ = try app.append(ref: .none, labels: Labels(["__name__": name, "env": "1"]),
                                   timestamp: Int64(i) * 15_000, value: Double(i))
            }
        }
        try app.commit()
        let e = Self.engine(delayed: true)
        await #expect(throws: EvaluationError.self) {
            _ = try await e.instantQuery("sum by (__name__) (rate({env=\"1\"}[1m]))", at: 120_000, storage: s)
        }
        let v = Self.vector(try await e.instantQuery("sum by (env) (rate({env=\"1\"}[1m]))", at: 120_000, storage: s))
        #expect(v.map(\.labels) == [Labels(["env": "1"])])
        // A comparison keeps the name unless an operand already marked it.
        let kept = Self.vector(try await e.instantQuery("a_total > 0", at: 120_000, storage: s))
        #expect(kept.first?.labels.metricName == "a_total")
        let marked = Self.vector(try await e.instantQuery("rate(a_total[1m]) > 0", at: 120_000, storage: s))
        #expect(marked.first?.labels == Labels(["env": "1"]))
    }
}
