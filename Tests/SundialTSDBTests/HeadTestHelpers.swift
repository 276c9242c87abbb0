import SundialCore
import SundialTSDB

/// Helpers shared by the head and DB tests.
enum HeadTestHelpers {
    static func labels(_ name: String, _ pairs: (String, String)...) -> Labels {
        Labels([Label("__name__", name)] + pairs.map { Label($0.0, $0.1) })
    }

    /// Every sample of every series in `q`, as (labels, timestamps, value bits), sorted by labels.
    static func dump(_ q: any Querier, matchers: [LabelMatcher] = [try! LabelMatcher(.regexMatch, "__name__", ".+")],
                     mint: Int64 = .min, maxt: Int64 = .max) throws -> [(Labels, [Int64], [UInt64])] {
        var out: [(Labels, [Int64], [UInt64])] = []
        for s in try q.select(sorted: true, hints: nil, matchers: matchers) {
            var buf = SampleBuffer()
            try s.samples(minTime: mint, maxTime: maxt, into: &buf)
            out.append((s.labels, buf.timestamps, buf.values.map(\.bitPattern)))
        }
        return out
    }
}
