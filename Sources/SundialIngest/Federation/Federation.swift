public import SundialCore

/// Renders `/federate` responses (Prometheus `web/federate.go`, 2.42): the latest sample of every
/// series matching any of the `match[]` selectors, within the lookback window, in the text
/// exposition format 0.0.4.
///
/// As Prometheus does:
/// - series are the union of the selectors' matches (a series matched twice appears once);
/// - the sample is the newest one with `now - lookback <= t <= now`; a stale marker there hides the
///   series; series without `__name__` are skipped;
/// - output is grouped by metric name (sorted), each group headed by `# TYPE <name> untyped`;
///   labels are written sorted, without `__name__`, followed by the external labels the series
///   lacks (sorted by name); every sample carries its timestamp in ms;
/// - native histograms: the text format cannot carry them, so a series whose newest sample in the
///   window is a histogram is left out (2.42 serves those only in the protobuf exposition format,
///   which Sundial's `/federate` does not offer; a float sample older than the histogram is not
///   served in its place either).
///
/// Thread-safe (`Sendable`, immutable).
public struct Federation: Sendable {
    let storage: any Queryable
    /// Labels appended to every series that lacks them (Prometheus `external_labels`).
    public let externalLabels: Labels
    /// How far back a sample may lie and still count as current, ms (Prometheus
    /// `--query.lookback-delta`, default 5 minutes).
    public let lookbackDeltaMs: Int64

    public init(storage: any Queryable, externalLabels: Labels = Labels(), lookbackDeltaMs: Int64 = 5 * 60 * 1000) {
        self.storage = storage
        self.externalLabels = externalLabels
        self.lookbackDeltaMs = lookbackDeltaMs
    }

    /// The response body for the selectors `matcherSets` (one per `match[]`) evaluated at `now` (ms).
    /// An empty `matcherSets` yields an empty body (Prometheus also returns nothing then).
    /// - Throws: ``IngestError/Kind/storage`` when storage fails.
    public func render(matcherSets: [[LabelMatcher]], now: Timestamp) throws(IngestError) -> [UInt8] {
        let mint = now - lookbackDeltaMs
        /// Newest sample per series; `isHistogram` marks a series to leave out.
        var latest: [Labels: (t: Timestamp, v: Double, isHistogram: Bool)] = [:]
        do {
            let q = try storage.querier(minTime: mint, maxTime: now)
            defer { q.close() }
            var buffer = SampleBuffer()
            var histograms = HistogramSampleBuffer()
            let hints = SelectHints(start: mint, end: now)
            for matchers in matcherSets {
                for s in try q.select(sorted: false, hints: hints, matchers: matchers) {
                    if latest[s.labels] != nil { continue }
                    buffer.removeAll()
                    try s.samples(minTime: mint, maxTime: now, into: &buffer)
                    if s.mayContainHistograms {
                        histograms.removeAll()
                        try s.histogramSamples(minTime: mint, maxTime: now, into: &histograms)
                        if let ht = histograms.timestamps.last, ht > (buffer.timestamps.last ?? Int64.min) {
                            latest[s.labels] = (ht, 0, true)
                            continue
                        }
                    }
                    guard let t = buffer.timestamps.last, let v = buffer.values.last else { continue }
                    latest[s.labels] = (t, v, false)
                }
            }
        } catch let e as IngestError {
            throw e
        } catch {
            throw IngestError(.storage, "federation query failed: \(error)")
        }
        var rows: [(name: String, labels: Labels, t: Timestamp, v: Double)] = []
        rows.reserveCapacity(latest.count)
        for (labels, (t, v, isHistogram)) in latest {
            if isHistogram || StaleMarker.isStale(v) { continue }
            guard let name = labels.metricName else { continue }  // "Ignoring nameless metric during federation"
            rows.append((name, labels, t, v))
        }
        rows.sort { a, b in
            if a.name != b.name { return byteOrderLess(a.name, b.name) }
            return a.labels < b.labels
        }
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * 64)
        var previous: String? = nil
        var scratch: [Label] = []
        for row in rows {
            if row.name != previous {
                TextExposition.appendTypeLine(name: row.name, type: nil, to: &out)
                previous = row.name
            }
            scratch.removeAll(keepingCapacity: true)
            for l in row.labels where l.name != Labels.metricName { scratch.append(l) }
            for e in externalLabels where row.labels.get(e.name) == nil { scratch.append(e) }
            TextExposition.appendSample(name: row.name, labels: scratch, value: row.v, timestampMs: row.t, to: &out)
        }
        return out
    }
}
