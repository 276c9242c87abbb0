import SundialCore

// Native histograms of remote write 1.0 (`TimeSeries.histograms`, field 4) and 2.0
// (`TimeSeries.histograms`, field 3), appended through `Appender.appendHistogram` as Prometheus's
// write handler does (`storage/remote/write_handler.go`: integer histograms as `*histogram.Histogram`,
// float ones as `*histogram.FloatHistogram`). Unlike 2.42, which fails the whole request at the
// first bad histogram, each histogram is refused on its own (counted by reason, HTTP 400 with the
// first examples) and the rest of the request is written, as for float samples.
extension RemoteWriteIngester {
    /// Appends the histograms of series `s` (labels already validated), after its float samples.
    /// - Returns: the series ref after the appends (storage may assign one).
    func appendHistograms(_ s: DecodedSeries, of req: DecodedRequest, labels: Labels, ref: SeriesRef, app: any Appender,
                          maxT: Timestamp, maxExamples: Int, result: inout RemoteWriteResult) -> SeriesRef {
        var ref = ref
        let start = Int(s.histogramStart), end = start + Int(s.histogramCount)
        for k in start..<min(end, req.histograms.count) {
            let wire = req.histograms[k]
            let t = wire.timestamp
            if t > maxT {
                result.reject(.tooFarInFuture, example: "\(RejectionReason.tooFarInFuture.rawValue) for histogram of series \(labels) at timestamp \(t) (limit \(maxT))",
                              maxExamples: maxExamples)
                continue
            }
            let value: HistogramValue
            switch wire.validated() {
            case .success(let v): value = v
            case .failure(let e):
                result.reject(.invalidHistogram, example: "\(RejectionReason.invalidHistogram.rawValue) for series \(labels) at timestamp \(t): \(e.message)",
                              maxExamples: maxExamples)
                continue
            }
            do {
                switch value {
                case .integer(let h):
                    ref = try app.appendHistogram(ref: ref, labels: labels, timestamp: t, histogram: h, floatHistogram: nil)
                case .float(let fh):
                    ref = try app.appendHistogram(ref: ref, labels: labels, timestamp: t, histogram: nil, floatHistogram: fh)
                }
                result.histogramsWritten += 1
            } catch {
                result.reject(RejectionReason(error.reason), example: error.description, maxExamples: maxExamples)
            }
        }
        return ref
    }
}
