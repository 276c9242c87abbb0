import SundialCore
import Synchronization

extension HeadAppender {
    /// Stages a native-histogram sample (Prometheus `headAppender.AppendHistogram`, 2.42).
    ///
    /// Validation: exactly one of `histogram`/`floatHistogram`, the histogram rules of
    /// ``Histogram/validate()`` (``AppendError/Reason/invalidHistogram`` with the reason in
    /// `detail`), the head's appendable window (out of bounds), and the order against the series'
    /// committed samples of both kinds and this batch's staged histograms and floats: older is out
    /// of order, the same time is a duplicate unless the newest sample is an identical histogram
    /// (then the call is a no-op, as Prometheus ignores exact duplicates).
    ///
    /// At commit, floats are applied before histograms (as Prometheus does); a histogram staged in
    /// the same batch before a newer float of the same series is then dropped as out of order.
    public func appendHistogram(ref: SeriesRef, labels: Labels, timestamp t: Timestamp,
                                histogram: Histogram?, floatHistogram: FloatHistogram?) throws(AppendError) -> SeriesRef {
        precondition(!finished, "appendHistogram after commit or rollback")
        let value: HeadHistogramValue
        switch (histogram, floatHistogram) {
        case (let h?, nil): value = .integer(h)
        case (nil, let f?): value = .float(f)
        default:
            throw AppendError(.invalidHistogram, labels: labels, timestamp: t,
                              detail: "exactly one of an integer and a float histogram must be given")
        }
        if let err = value.validationError() {
            throw AppendError(.invalidHistogram, labels: labels, timestamp: t, detail: err.message)
        }
        let s = try series(ref: ref, labels: labels, t)
        let id = self.id
        let staged = stagedHistograms[s.ref.rawValue]
        let batchTimestamps = batch.timestamps
        let check: AppendCheck = s.state.withLock { st in
            var c: AppendCheck
            if let (lt, lv) = staged {
                c = t > lt ? .ok : (t == lt ? (lv.isIdentical(to: value) ? .exactDuplicate : .duplicateTimestamp) : .outOfOrder)
            } else {
                c = st.checkHistogram(t, value)
            }
            if c == .ok && st.pendingOwner == id {
                // A float of this series staged in this batch.
                let ft = batchTimestamps[Int(st.pendingIndex)]
                if t <= ft { c = t == ft ? .duplicateTimestamp : .outOfOrder }
            }
            return c
        }
        if try isExactDuplicate(check, s, t) { return s.ref }
        stagedHistograms[s.ref.rawValue] = (t, value)
        batch.histogramSeries.append(s)
        batch.histogramTimestamps.append(t)
        batch.histogramValues.append(value)
        return s.ref
    }

    /// Applies the batch's histogram samples (after its floats), under each series' lock.
    func applyHistograms(_ work: HeadCommitBatch) {
        let range = head.options.chunkRange
        let spc = head.options.samplesPerChunk
        var appended = 0, dropped = 0, cuts = 0
        var mint = Int64.max, maxt = Int64.min
        var i = 0
        let n = work.histogramCount
        while i < n {
            let s = work.histogramSeries[i]
            var j = i
            s.state.withLock { st in
                repeat {
                    let t = work.histogramTimestamps[j]
                    switch st.appendHistogram(t, work.histogramValues[j], chunkRange: range, samplesPerChunk: spc) {
                    case .appended:
                        appended += 1
                    case .appendedNewChunk:
                        appended += 1
                        cuts += 1
                    case .rejected:
                        dropped += 1
                    }
                    if t < mint { mint = t }
                    if t > maxt { maxt = t }
                    j += 1
                } while j < n && work.histogramSeries[j] === s
            }
            i = j
        }
        if cuts != 0 { head.chunkCountAtomic.wrappingAdd(cuts, ordering: .relaxed) }
        if dropped != 0 { head.outOfOrderCount.wrappingAdd(dropped, ordering: .relaxed) }
        if appended != 0 {
            head.samplesAppended.wrappingAdd(appended, ordering: .relaxed)
            head.extendTimeRange(mint, maxt)
        }
    }
}
