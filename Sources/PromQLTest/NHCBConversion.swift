import SundialCore

/// `load_with_nhcb`: classic histograms (`_bucket{le}`, `_count`, `_sum` series) also stored as
/// native histograms with custom buckets (NHCB, schema -53) under the base name, one per timestamp
/// (Prometheus `util/convertnhcb`: bounds are the finite `le` values ascending, bucket counts the
/// differences of the cumulative counts, count from `_count` or else the `+Inf` bucket).
enum NHCBConversion {
    struct Temp {
        var buckets: [(le: Double, count: Double)] = []
        var count: Double?
        var sum: Double?
    }

    /// The NHCB series for the classic series of one load: `(labels, [(timestamp, histogram)])`.
    static func convert(_ series: [(labels: Labels, values: [SeriesValue])], interval: Int64)
        -> [(Labels, [(Int64, FloatHistogram)])]
    {
        var order: [Labels] = []
        var byBase: [Labels: [Int64: Temp]] = [:]
        for (labels, values) in series {
            guard let name = labels.metricName else { continue }
            enum Kind { case bucket(Double), count, sum }
            var kind: Kind
            var base = name
            if name.hasSuffix("_bucket") {
                guard let leText = labels.get("le"), let le = SeriesNotation.parseFloat(leText), !le.isNaN else { continue }
                kind = .bucket(le)
                base.removeLast("_bucket".count)
            } else if name.hasSuffix("_count") {
                kind = .count
                base.removeLast("_count".count)
            } else if name.hasSuffix("_sum") {
                kind = .sum
                base.removeLast("_sum".count)
            } else {
                continue
            }
            let key = labels.removing(["le"]).setting(Labels.metricName, to: base)
            if byBase[key] == nil {
                byBase[key] = [:]
                order.append(key)
            }
            for (i, v) in values.enumerated() {
                guard case .float(let x) = v, !StaleMarker.isStale(x) else { continue }
                let t = Int64(i) * interval
                var temp = byBase[key]![t] ?? Temp()
                switch kind {
                case .bucket(let le): temp.buckets.append((le, x))
                case .count: temp.count = x
                case .sum: temp.sum = x
                }
                byBase[key]![t] = temp
            }
        }
        var out: [(Labels, [(Int64, FloatHistogram)])] = []
        for key in order {
            guard let temps = byBase[key] else { continue }
            var samples: [(Int64, FloatHistogram)] = []
            for t in temps.keys.sorted() {
                guard let h = histogram(temps[t]!) else { continue }
                samples.append((t, h))
            }
            if !samples.isEmpty { out.append((key, samples)) }
        }
        return out
    }

    /// The NHCB for one timestamp, nil when it has no buckets.
    static func histogram(_ temp: Temp) -> FloatHistogram? {
        guard !temp.buckets.isEmpty else { return nil }
        let sorted = temp.buckets.sorted { $0.le < $1.le }
        var bounds: [Double] = []
        var counts: [Double] = []
        var prev = 0.0
        for b in sorted {
            if b.le == .infinity {
                counts.append(b.count - prev)
                prev = b.count
                break
            }
            if let last = bounds.last, last == b.le { continue }
            bounds.append(b.le)
            counts.append(b.count - prev)
            prev = b.count
        }
        if counts.count == bounds.count {
            // No +Inf bucket: an empty one.
            counts.append(0)
        }
        let count = temp.count ?? prev
        return FloatHistogram(schema: customBucketsSchema, count: count, sum: temp.sum ?? 0,
                              positiveSpans: [HistogramSpan(offset: 0, length: UInt32(counts.count))],
                              positiveBuckets: counts, customValues: bounds)
    }
}
