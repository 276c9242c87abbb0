import Testing
import SundialCore
import SundialTSDB

@Suite struct HeadAppenderTests {
    let a = HeadTestHelpers.labels("up", ("job", "a"))
    let b = HeadTestHelpers.labels("up", ("job", "b"))

    @Test func commitMakesSamplesVisibleAndRollbackDoesNot() throws {
        let head = Head()
        let app = head.appender()
        let ref = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        #expect(try app.append(ref: ref, labels: a, timestamp: 2000, value: 2) == ref)
        _ = try app.append(ref: .none, labels: b, timestamp: 1500, value: 3)
        let q = try head.querier(minTime: .min, maxTime: .max)
        #expect(try HeadTestHelpers.dump(q).isEmpty)
        try app.commit()
        let got = try HeadTestHelpers.dump(q)
        #expect(got.map(\.0) == [a, b])
        #expect(got[0].1 == [1000, 2000] && got[1].1 == [1500])
        #expect(head.minTime == 1000 && head.maxTime == 2000)

        let r = head.appender()
        _ = try r.append(ref: .none, labels: a, timestamp: 3000, value: 9)
        r.rollback()
        #expect(try HeadTestHelpers.dump(q)[0].1 == [1000, 2000])
        #expect(head.stats.samplesAppended == 3)
    }

    @Test func refusesOutOfOrderAndDuplicatesPerSample() throws {
        let head = Head()
        let app = head.appender()
        _ = try app.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        try app.commit()

        let app2 = head.appender()
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 999)) {
            try app2.append(ref: .none, labels: a, timestamp: 999, value: 1)
        }
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 1000)) {
            try app2.append(ref: .none, labels: a, timestamp: 1000, value: 2)
        }
        // An exact duplicate is accepted and ignored.
        _ = try app2.append(ref: .none, labels: a, timestamp: 1000, value: 1)
        // Within the batch too.
        _ = try app2.append(ref: .none, labels: a, timestamp: 3000, value: 3)
        #expect(throws: AppendError(.outOfOrder, labels: a, timestamp: 2000)) {
            try app2.append(ref: .none, labels: a, timestamp: 2000, value: 1)
        }
        #expect(throws: AppendError(.duplicateTimestamp, labels: a, timestamp: 3000)) {
            try app2.append(ref: .none, labels: a, timestamp: 3000, value: 4)
        }
        _ = try app2.append(ref: .none, labels: a, timestamp: 3000, value: 3)
        _ = try app2.append(ref: .none, labels: b, timestamp: 500, value: 5)  // other series: fine
        try app2.commit()
        let got = try HeadTestHelpers.dump(try head.querier(minTime: .min, maxTime: .max))
        #expect(got[0].1 == [1000, 3000] && got[0].2 == [1.0, 3.0].map(\.bitPattern))
        #expect(got[1].1 == [500])
        let st = head.stats
        #expect(st.outOfOrderSamples == 2 && st.duplicateSamples == 2 && st.samplesAppended == 3)
    }

    @Test func emptyHeadAcceptsAnyTimeThenEnforcesTheWindow() throws {
        let head = Head()
        let app = head.appender()
        // Far apart in one batch: fine for an empty head.
        _ = try app.append(ref: .none, labels: a, timestamp: 10 * 3_600_000, value: 1)
        _ = try app.append(ref: .none, labels: b, timestamp: 0, value: 1)
        try app.commit()
        #expect(head.appendableMinValidTime == 9 * 3_600_000)
        let app2 = head.appender()
        let c = HeadTestHelpers.labels("up", ("job", "c"))
        #expect(throws: AppendError.self) { try app2.append(ref: .none, labels: c, timestamp: 9 * 3_600_000 - 1, value: 1) }
        _ = try app2.append(ref: .none, labels: c, timestamp: 9 * 3_600_000, value: 1)
        try app2.commit()
        #expect(head.stats.outOfBoundsSamples == 1)
    }

    @Test func invalidLabelSetsAreRefused() {
        let head = Head()
        let app = head.appender()
        #expect(throws: AppendError.self) { try app.append(ref: .none, labels: Labels(), timestamp: 1, value: 1) }
        let dup = Labels(sorted: [Label("a", "1"), Label("a", "2")])
        #expect(throws: AppendError.self) { try app.append(ref: .none, labels: dup, timestamp: 1, value: 1) }
        let empty = Labels(sorted: [Label("", "1")])
        #expect(throws: AppendError.self) { try app.append(ref: .none, labels: empty, timestamp: 1, value: 1) }
    }

    @Test func staleMarkersAndSpecialValuesKeepTheirBits() throws {
        let head = Head()
        let app = head.appender()
        let values: [Double] = [StaleMarker.value, .nan, .infinity, -.infinity, -0.0, 1]
        for (i, v) in values.enumerated() { _ = try app.append(ref: .none, labels: a, timestamp: Int64(i), value: v) }
        try app.commit()
        let got = try HeadTestHelpers.dump(try head.querier(minTime: .min, maxTime: .max))
        #expect(got[0].2 == values.map(\.bitPattern))
    }

    @Test func concurrentAppendersOnDisjointSeries() async throws {
        let head = Head(options: HeadOptions(stripeCount: 64))
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<4 {
                group.addTask {
                    for batch in 0..<50 {
                        let app = head.appender()
                        for s in 0..<20 {
                            let l = HeadTestHelpers.labels("m", ("w", "\(w)"), ("s", "\(s)"))
                            _ = try? app.append(ref: .none, labels: l, timestamp: Int64(batch) * 1000, value: Double(batch))
                        }
                        try? app.commit()
                    }
                }
            }
        }
        #expect(head.seriesCount == 80)
        let got = try HeadTestHelpers.dump(try head.querier(minTime: .min, maxTime: .max))
        #expect(got.count == 80)
        #expect(got.allSatisfy { $0.1 == (0..<50).map { Int64($0) * 1000 } })
    }
}
