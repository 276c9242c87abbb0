public import SundialCore

/// Reading back what a ``RecordingAppendable`` recorded: floats through `samples`, histograms
/// (integer ones converted with `toFloat()`) through `histogramSamples`, so the layers that read
/// (remote read, federation, the HTTP API) can be tested with native histograms without a head.
extension RecordingAppendable: Queryable {
    public func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier {
        var bySeries: [Labels: [Record]] = [:]
        var order: [Labels] = []
        for r in records {
            if bySeries[r.labels] == nil { order.append(r.labels) }
            bySeries[r.labels, default: []].append(r)
        }
        let series = order.map { RecordedSeries(labels: $0, records: bySeries[$0]!.sorted { $0.timestamp < $1.timestamp },
                                                minTime: minTime, maxTime: maxTime) }
        return RecordedQuerier(series: series)
    }
}

struct RecordedQuerier: Querier {
    let series: [RecordedSeries]

    func matching(_ matchers: [LabelMatcher]) -> [RecordedSeries] {
        series.filter { s in matchers.allSatisfy { $0.matches(s.labels.get($0.name) ?? "") } }
    }

    func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
        var out = matching(matchers)
        if sorted { out.sort { $0.labels < $1.labels } }
        return out
    }

    func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] {
        Set(matching(matchers).compactMap { $0.labels.get(name) }).sorted(by: byteOrderLess)
    }

    func labelNames(matchers: [LabelMatcher]) throws -> [String] {
        Set(matching(matchers).flatMap { $0.labels.map(\.name) }).sorted(by: byteOrderLess)
    }

    func close() {}
}

struct RecordedSeries: StorageSeries {
    let labels: Labels
    let records: [RecordingAppendable.Record]
    let minTime: Timestamp
    let maxTime: Timestamp

    var mayContainHistograms: Bool { records.contains { $0.value == nil } }

    func samples(minTime lo: Timestamp, maxTime hi: Timestamp, into buffer: inout SampleBuffer) throws {
        for r in records where r.timestamp >= max(lo, minTime) && r.timestamp <= min(hi, maxTime) {
            if let v = r.value { buffer.append(r.timestamp, v) }
        }
    }

    func histogramSamples(minTime lo: Timestamp, maxTime hi: Timestamp, into buffer: inout HistogramSampleBuffer) throws {
        for r in records where r.timestamp >= max(lo, minTime) && r.timestamp <= min(hi, maxTime) {
            if let h = r.histogram { buffer.append(r.timestamp, h.toFloat()) }
            if let h = r.floatHistogram { buffer.append(r.timestamp, h) }
        }
    }
}
