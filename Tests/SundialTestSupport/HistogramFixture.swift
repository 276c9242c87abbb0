import Foundation
import SundialCore

/// The native histograms remote-written to Prometheus 2.42 for the fixture under
/// testdata/histograms/ (see make-prom-2.42-histograms.py): series in sending order, each with its
/// (timestamp ms, histogram) samples.
public enum HistogramFixture {
    public struct Malformed: Error {}

    /// Parses testdata/histograms/prom-2.42/histograms.jsonl.
    public static func sent() throws -> [(labels: Labels, samples: [(Int64, Histogram)])] {
        let text = String(decoding: try Testdata.bytes("histograms/prom-2.42/histograms.jsonl"), as: UTF8.self)
        var out: [(labels: Labels, samples: [(Int64, Histogram)])] = []
        for line in text.split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let labelDict = o["labels"] as? [String: String] else { throw Malformed() }
            let labels = Labels(labelDict.map { Label($0.key, $0.value) })
            func spans(_ k: String) throws -> [HistogramSpan] {
                guard let a = o[k] as? [[Int]] else { throw Malformed() }
                return a.map { HistogramSpan(offset: Int32($0[0]), length: UInt32($0[1])) }
            }
            func ints(_ k: String) throws -> [Int64] {
                guard let a = o[k] as? [NSNumber] else { throw Malformed() }
                return a.map(\.int64Value)
            }
            func num(_ k: String) throws -> NSNumber {
                guard let n = o[k] as? NSNumber else { throw Malformed() }
                return n
            }
            guard let sumHex = o["sum_bits"] as? String, let sumBits = UInt64(sumHex, radix: 16) else { throw Malformed() }
            let h = Histogram(
                counterResetHint: CounterResetHint(rawValue: UInt8(try num("hint").intValue)) ?? .unknown,
                schema: Int32(try num("schema").intValue), zeroThreshold: try num("zero_threshold").doubleValue,
                zeroCount: try num("zero_count").uint64Value, count: try num("count").uint64Value, sum: Double(bitPattern: sumBits),
                positiveSpans: try spans("positive_spans"), negativeSpans: try spans("negative_spans"),
                positiveBuckets: try ints("positive_deltas"), negativeBuckets: try ints("negative_deltas"))
            let t = try num("t").int64Value
            if let i = out.firstIndex(where: { $0.labels == labels }) {
                out[i].samples.append((t, h))
            } else {
                out.append((labels, [(t, h)]))
            }
        }
        return out
    }
}
