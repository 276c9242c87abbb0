import Testing
import SundialCore
@testable import SundialTSDB

/// ``HeadPostings`` with 32-bit lists: refs at or above 2^32 kept in the wide index are found,
/// listed and removed like the others, after every narrow ref.
@Suite struct HeadPostingsTests {
    static func labels(_ job: String, _ instance: String) -> Labels {
        Labels([Label("__name__", "up"), Label("instance", instance), Label("job", job)])
    }

    @Test func narrowAndWideRefsAnswerTogether() throws {
        let p = HeadPostings()
        let wideRef = UInt64(1) << 33
        p.add(SeriesRef(3), Self.labels("api", "a"))
        p.add(SeriesRef(wideRef), Self.labels("api", "w"))
        p.add(SeriesRef(1), Self.labels("db", "a"))
        p.add(SeriesRef(UInt64(UInt32.max)), Self.labels("api", "b"))
        #expect(p.seriesCount == 4)
        #expect(p.allRefs() == [1, 3, UInt64(UInt32.max), wideRef])
        #expect(p.refs(matching: [.equal("job", "api")]) == [3, UInt64(UInt32.max), wideRef])
        #expect(p.refs(matching: [.equal("instance", "w")]) == [wideRef])
        #expect(p.refs(matching: [.equal("job", "db")]) == [1])
        #expect(p.refs(matching: [try LabelMatcher(.notEqual, "instance", "a")]) == [UInt64(UInt32.max), wideRef])
        #expect(p.refs(matching: [try LabelMatcher(.regexMatch, "instance", "a|w"), .equal("job", "api")]) == [3, wideRef])
        #expect(p.values(of: "instance") == ["a", "b", "w"])
        #expect(p.names() == ["__name__", "instance", "job"])
        p.remove([(SeriesRef(wideRef), Self.labels("api", "w")), (SeriesRef(3), Self.labels("api", "a"))])
        #expect(p.allRefs() == [1, UInt64(UInt32.max)])
        #expect(p.refs(matching: [.equal("job", "api")]) == [UInt64(UInt32.max)])
        #expect(p.values(of: "instance") == ["a", "b"])
    }

    @Test func statsCountWideListsWithTheirPairs() {
        let p = HeadPostings()
        p.add(SeriesRef(2), Self.labels("api", "a"))
        p.add(SeriesRef(UInt64(1) << 40), Self.labels("api", "a"))
        let s = p.stats(StatsRequest(), selected: nil)
        #expect(s.numSeries == 2)
        #expect(s.seriesCountByLabelValuePair.first { $0.name == "job=api" }?.value == 2)
        let selected = p.stats(StatsRequest(), selected: [2])
        #expect(selected.seriesCountByLabelValuePair.first { $0.name == "job=api" }?.value == 1)
    }
}
