import SundialCore

// Exemplars of remote write 1.0 (`TimeSeries.exemplars`, field 3) and 2.0 (field 4), handed to
// `Appender.appendExemplar` after the series' samples and histograms, as Prometheus's write
// handler does (`storage/remote/write_handler.go`, 2.42): exemplar refusals (out of order, label
// set too long, unknown series) never fail the request; they are counted in
// `RemoteWriteResult.exemplarsDropped`. Accepted exemplars and duplicates of the series' newest
// one (which storage ignores without error) count as written (2.0 `-Exemplars-Written`).
extension RemoteWriteIngester {
    /// Appends the exemplars of series `s` (labels already validated) and counts the outcome.
    func appendExemplars(_ s: DecodedSeries, of d: RemoteWriteDecoder, labels: Labels, ref: SeriesRef, app: any Appender,
                         result: inout RemoteWriteResult) {
        let req = d.request
        let start = Int(s.exemplarStart), end = min(start + Int(s.exemplarCount), req.exemplars.count)
        guard start < end else { return }
        for k in start..<end {
            let w = req.exemplars[k]
            guard let exemplarLabels = d.exemplarLabels(w) else {
                result.exemplarsDropped += 1
                continue
            }
            do {
                switch try app.appendExemplar(ref: ref, labels: labels,
                                              exemplar: Exemplar(labels: exemplarLabels, value: w.value, timestamp: w.timestamp)) {
                case .accepted, .duplicate: result.exemplarsWritten += 1
                case .notStored: result.exemplarsDropped += 1
                }
            } catch {
                result.exemplarsDropped += 1
            }
        }
    }
}

extension RemoteWriteDecoder {
    /// The labels of a decoded exemplar; nil when one is not valid UTF-8 or a 2.0 exemplar's refs
    /// do not form name/value pairs. Allocates (exemplars are rare next to samples).
    func exemplarLabels(_ w: WireExemplar) -> Labels? {
        guard w.labelCount >= 0 else { return nil }
        var list: [Label] = []
        list.reserveCapacity(Int(w.labelCount))
        let spans = request.exemplarLabelSpans
        var i = 2 * Int(w.labelStart)
        let end = min(i + 2 * Int(w.labelCount), spans.count)
        while i + 1 < end {
            guard let name = string(spans[i]), let value = string(spans[i + 1]) else { return nil }
            list.append(Label(name, value))
            i += 2
        }
        return Labels(list)
    }
}
