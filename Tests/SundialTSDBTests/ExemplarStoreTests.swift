import Testing
import SundialCore
import SundialTSDB

/// The circular exemplar store (Prometheus 2.42 `CircularExemplarStorage`): ring eviction of the
/// oldest exemplar overall, per-series order rules, duplicates, the label-length limit, limit 0,
/// selection by matchers and time, and concurrent use.
@Suite struct ExemplarStoreTests {
    static let a = Labels(["__name__": "req", "path": "/a"])
    static let b = Labels(["__name__": "req", "path": "/b"])

    static func ex(_ t: Timestamp, _ v: Double = 1, trace: String = "t") -> Exemplar {
        Exemplar(labels: Labels(["trace_id": trace]), value: v, timestamp: t)
    }

    static func all(_ s: ExemplarStore) -> [Labels: [Timestamp]] {
        var out: [Labels: [Timestamp]] = [:]
        for r in s.select(start: .min, end: .max, matcherSets: [[.equal("__name__", "req")]]) {
            out[r.seriesLabels] = r.exemplars.map(\.timestamp)
        }
        return out
    }

    @Test func keepsEachSeriesInTimeOrderAndSelectsByTimeAndMatchers() throws {
        let s = ExemplarStore(limit: 10)
        for t in [10, 20, 30] as [Timestamp] { #expect(try s.add(series: Self.a, Self.ex(t, Double(t))) == .accepted) }
        try s.add(series: Self.b, Self.ex(15))
        let sel = s.select(start: 15, end: 25, matcherSets: [[.equal("__name__", "req")]])
        #expect(sel.map(\.seriesLabels) == [Self.a, Self.b])  // sorted by series labels
        #expect(sel[0].exemplars == [Self.ex(20, 20)])
        #expect(sel[1].exemplars == [Self.ex(15)])
        // Inclusive bounds; a series with nothing in range is left out.
        #expect(s.select(start: 30, end: 30, matcherSets: [[.equal("path", "/a")]]).map(\.seriesLabels) == [Self.a])
        #expect(s.select(start: 31, end: 100, matcherSets: [[.equal("__name__", "req")]]).isEmpty)
        // A series matching any of the sets; a missing label matches as "".
        let any = s.select(start: .min, end: .max, matcherSets: [[.equal("path", "/b")], [.equal("path", "/a")]])
        #expect(any.count == 2)
        #expect(s.select(start: .min, end: .max, matcherSets: [[try LabelMatcher(.notEqual, "job", "")]]).isEmpty)
        #expect(s.select(start: .min, end: .max, matcherSets: [[.equal("path", "/a"), .equal("job", "")]]).count == 1)
    }

    @Test func ringOverwritesTheOldestExemplarOverall() throws {
        let s = ExemplarStore(limit: 3)
        try s.add(series: Self.a, Self.ex(1))
        try s.add(series: Self.a, Self.ex(2))
        try s.add(series: Self.b, Self.ex(3))
        #expect(s.stats.exemplarsInStorage == 3)
        try s.add(series: Self.a, Self.ex(4))  // evicts a@1
        #expect(Self.all(s) == [Self.a: [2, 4], Self.b: [3]])
        try s.add(series: Self.a, Self.ex(5))  // evicts a@2
        #expect(Self.all(s) == [Self.a: [4, 5], Self.b: [3]])
        try s.add(series: Self.a, Self.ex(6))  // evicts b@3: b is forgotten
        #expect(Self.all(s) == [Self.a: [4, 5, 6]])
        let st = s.stats
        #expect(st.exemplarsInStorage == 3)
        #expect(st.seriesWithExemplars == 1)
        #expect(st.exemplarsAppended == 6)
        #expect(st.oldestTimestamp == 4)
        #expect(st.maxExemplars == 3)
        // A forgotten series starts a new chain at any time.
        try s.add(series: Self.b, Self.ex(1))
        #expect(Self.all(s) == [Self.a: [5, 6], Self.b: [1]])
        // Many wraps keep exactly the newest `limit`.
        for t in 100..<1000 as Range<Timestamp> { try s.add(series: t % 2 == 0 ? Self.a : Self.b, Self.ex(t)) }
        #expect(Self.all(s) == [Self.a: [998], Self.b: [997, 999]])
    }

    @Test func outOfOrderIsRefusedDuplicatesIgnored() throws {
        let s = ExemplarStore(limit: 10)
        try s.add(series: Self.a, Self.ex(10, 1))
        #expect(try s.add(series: Self.a, Self.ex(10, 1)) == .duplicate)
        // Same time, other value or labels: out of order (2.42 refuses t <= newest).
        for e in [Self.ex(10, 2), Self.ex(10, 1, trace: "u"), Self.ex(9, 1)] {
            #expect(throws: ExemplarError.self) { try s.add(series: Self.a, e) }
            do { try s.add(series: Self.a, e) } catch { #expect(error.reason == .outOfOrder) }
        }
        // Only the newest counts for duplicates: an older equal exemplar is out of order.
        try s.add(series: Self.a, Self.ex(11))
        do { try s.add(series: Self.a, Self.ex(10, 1)); Issue.record("accepted") } catch { #expect(error.reason == .outOfOrder) }
        // Other series are independent.
        #expect(try s.add(series: Self.b, Self.ex(1)) == .accepted)
        #expect(s.stats.outOfOrderExemplars == 7)
        #expect(Self.all(s) == [Self.a: [10, 11], Self.b: [1]])
    }

    @Test func limitZeroKeepsNothing() throws {
        let s = ExemplarStore(limit: 0)
        #expect(!s.isEnabled)
        #expect(try s.add(series: Self.a, Self.ex(1)) == .notStored)
        #expect(s.select(start: .min, end: .max, matcherSets: [[.equal("__name__", "req")]]).isEmpty)
        #expect(s.stats.exemplarsInStorage == 0)
        #expect(s.stats.oldestTimestamp == nil)
        #expect(ExemplarStore(limit: -5).limit == 0)
    }

    @Test func labelSetOf128RunesIsTheLimit() throws {
        let s = ExemplarStore(limit: 10)
        // Name and value runes count (not bytes, not quotes): "t" + 127 runes = 128.
        let ok = Exemplar(labels: Labels(["t": String(repeating: "é", count: 127)]), value: 1, timestamp: 1)
        #expect(try s.add(series: Self.a, ok) == .accepted)
        let long = Exemplar(labels: Labels(["t": String(repeating: "x", count: 100), "u": String(repeating: "y", count: 27)]),
                            value: 1, timestamp: 2)
        do { try s.add(series: Self.a, long); Issue.record("accepted") } catch { #expect(error.reason == .labelSetTooLong) }
        #expect(Self.all(s) == [Self.a: [1]])
    }

    @Test func emptyLabelValuesAreDropped() throws {
        let s = ExemplarStore(limit: 10)
        try s.add(series: Self.a, Exemplar(labels: Labels(["trace_id": "x", "span_id": ""]), value: 1, timestamp: 1))
        let got = s.select(start: .min, end: .max, matcherSets: [[.equal("path", "/a")]])
        #expect(got.first?.exemplars.first?.labels == Labels(["trace_id": "x"]))
    }

    @Test func concurrentWritersAndReadersKeepChainsOrdered() async throws {
        let s = ExemplarStore(limit: 3000)
        let series = (0..<4).map { Labels(["__name__": "req", "w": "\($0)"]) }
        await withTaskGroup(of: Void.self) { g in
            for w in 0..<4 {
                g.addTask {
                    for t in 0..<1000 as Range<Timestamp> { _ = try? s.add(series: series[w], Self.ex(t)) }
                }
            }
            g.addTask {
                for _ in 0..<50 {
                    for r in s.select(start: .min, end: .max, matcherSets: [[.equal("__name__", "req")]]) {
                        let ts = r.exemplars.map(\.timestamp)
                        #expect(ts == ts.sorted() && Set(ts).count == ts.count)
                    }
                }
            }
        }
        let st = s.stats
        #expect(st.exemplarsInStorage == 3000)
        #expect(st.exemplarsAppended == 4000)
        var total = 0
        for r in s.select(start: .min, end: .max, matcherSets: [[.equal("__name__", "req")]]) {
            let ts = r.exemplars.map(\.timestamp)
            #expect(ts == Array(ts.first!...999))  // each series keeps a contiguous newest run
            total += ts.count
        }
        #expect(total == 3000)
    }
}
