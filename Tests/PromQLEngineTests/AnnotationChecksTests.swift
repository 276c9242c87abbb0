import PromQLEngine
@testable import PromQLTest
import SundialTestSupport
import Testing

/// The runner's `expect warn|info|no_warn|no_info` checks, as Prometheus 3's `checkAnnotations`:
/// at least one of a level when expected, every expected line matched by some annotation and every
/// annotation by some line, none of a level under `no_*`; tallied per line in the report.
@Suite struct AnnotationChecksTests {
    static let data = """
        load 15s
          requests{i="0"} 0+1x40
          requests_total 0+1x40

        """

    func run(_ evals: String) async -> TestReport {
        let runner = TestRunner(options: EngineOptions(semantics: .prometheus3)) { MemoryStorage() }
        var r = TestReport()
        r.outcomes = await runner.run(script: Self.data + "\n" + evals, name: "inline")
        return r
    }

    @Test func expectationsThatHold() async {
        let r = await run("""
            eval instant at 10m rate(requests[5m])
              expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "requests"
              expect no_warn
              {i="0"} 0.06666666666666667

            eval instant at 10m rate(requests_total[5m])
              expect no_info
              {} 0.06666666666666667

            eval range from 0 to 1m step 30s sort(requests_total)
              expect warn regex: sort is ineffective
              expect no_info
              requests_total 0 2 4

            eval instant at 10m quantile(2, requests_total)
              expect warn
              {} +Inf

            """)
        #expect(r.failed == 0, "\(r.render())")
        #expect(r.passed == 4)
        let t = r.annotationTally
        #expect(t.lines == 6 && t.held == 6 && t.failed == 0)
    }

    @Test func expectationsThatFail() async {
        let r = await run("""
            eval instant at 10m rate(requests[5m])
              expect no_info
              {i="0"} 0.06666666666666667

            eval instant at 10m rate(requests[5m])
              expect info msg: PromQL info: something else
              {i="0"} 0.06666666666666667

            eval instant at 10m rate(requests_total[5m])
              expect info
              {} 0.06666666666666667

            eval instant at 10m rate(requests_total[5m])
              expect no_warn
              {} 1

            """)
        #expect(r.failed == 4)
        let messages = r.outcomes.compactMap { o -> String? in if case .failed(let m) = o.status { m } else { nil } }
        #expect(messages[0].hasPrefix("annotations: unexpected info annotations"))
        #expect(messages[1].hasPrefix("annotations: expected info annotation matching"))
        #expect(messages[2] == "annotations: expected info annotations but got none")
        #expect(!messages[3].hasPrefix("annotations:"))  // annotations held; the value did not
        let t = r.annotationTally
        #expect(t.lines == 4 && t.failed == 3 && t.unverified == 1)
    }
}
