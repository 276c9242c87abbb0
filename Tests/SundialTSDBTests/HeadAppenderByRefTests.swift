import Testing
import SundialCore
@testable import SundialTSDB

/// ``HeadAppender/append(ref:timestamp:value:)``: samples staged by ref alone, with the same
/// checks as the labelled append, and nil (nothing staged) for refs the head does not hold.
@Suite struct HeadAppenderByRefTests {
    let a = HeadTestHelpers.labels("up", ("job", "a"))

    @Test func knownRefAppendsLikeTheLabelledAppend() throws {
        let head = Head()
        let first = head.appender()
        let ref = try first.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        try first.commit()
        let app = head.appender()
        #expect(try app.append(ref: ref, timestamp: 2000, value: 2) == ref)
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 1500)) {
            try app.append(ref: ref, timestamp: 1500, value: 9)
        }
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 2000)) {
            try app.append(ref: ref, timestamp: 2000, value: 3)
        }
        #expect(try app.append(ref: ref, timestamp: 2000, value: 2) == ref)  // exact duplicate: accepted
        try app.commit()
        let dump = try HeadTestHelpers.dump(try head.querier(minTime: .min, maxTime: .max))
        #expect(dump.count == 1)
        #expect(dump[0].0 == a)
        #expect(dump[0].1 == [1000, 2000])
    }

    @Test func unknownOrNoRefStagesNothing() throws {
        let head = Head()
        let app = head.appender()
        #expect(try app.append(ref: .none, timestamp: 1000, value: 1) == nil)
        #expect(try app.append(ref: SeriesRef(12345), timestamp: 1000, value: 1) == nil)
        #expect(app.stagedCount == 0)
        try app.commit()
        #expect(head.seriesCount == 0)
    }
}
