import Dispatch
import SundialCore

/// An instant selector's per-step sample choice for one series (Prometheus `vectorSelectorSingle`):
/// the newest sample at or before each step's reference time within the lookback delta, none
/// when it is a stale marker. A pure value: safe to use from several threads at once.
struct InstantSteps: Sendable {
    var grid: StepGrid
    /// The `@` time, if any (every step then reads the same sample).
    var at: Timestamp?
    /// The last reference time (`(at ?? grid.end) - offset`), ms.
    var lastRef: Timestamp
    var offset: Int64
    var lookback: Int64
    var v3: Bool
    /// Put the chosen sample's time (s) in the value instead of the value (`timestamp()`).
    var sampleTimestamps: Bool

    /// Fills `ss`'s values and presence flags from `buffer` (labels untouched); true when some
    /// step has a value.
    func compute(_ buffer: SampleBuffer, into ss: inout StepSeries) -> Bool {
        // Work on uniquely held arrays through spans: element writes through `inout ss` would
        // each check the arrays' uniqueness.
        var valuesArray: [Double] = [], presentArray: [Bool] = []
        swap(&valuesArray, &ss.values)
        swap(&presentArray, &ss.present)
        defer {
            swap(&valuesArray, &ss.values)
            swap(&presentArray, &ss.present)
        }
        var values = valuesArray.mutableSpan
        var present = presentArray.mutableSpan
        let steps = grid.count
        for i in 0..<steps { present[i] = false }
        var any = false
        var j = 0  // first sample with t > ref (monotone over steps when ref grows)
        let n = buffer.count
        let ts = buffer.timestamps.span, vs = buffer.values.span
        for i in 0..<steps {
            let ref = at != nil ? lastRef : grid.time(i) - offset
            if at != nil && i > 0 {
                // Pinned by @: every step has the same value.
                present[i] = present[0]
                values[i] = values[0]
                continue
            }
            while j < n && ts[j] <= ref { j += 1 }
            guard j > 0 else { continue }
            let t = ts[j - 1]
            let ok = v3 ? t > ref - lookback : t >= ref - lookback
            guard ok else { continue }
            let v = vs[j - 1]
            if StaleMarker.isStale(v) { continue }
            present[i] = true
            values[i] = sampleTimestamps ? Double(t) / 1000 : v
            any = true
        }
        return any
    }
}

/// Evaluates an instant selector over many series on all cores, in batches: each worker reads
/// and steps a contiguous slice of the batch with its own buffers, then the batch's series are
/// emitted in input order on the calling thread (so a consuming fold still streams, and memory
/// stays bounded by one batch).
enum ParallelSelect {
    /// Series per batch: at most 4,096, and at most what fits ~8 MiB of step buffers (values and
    /// presence flags, 9 bytes per step) so long ranges at fine steps do not hold a batch of huge
    /// series (7,201 steps: 932 series).
    static func batchSize(steps: Int, workers: Int) -> Int {
        max(workers, min(4096, (8 << 20) / max(1, steps * 9)))
    }

    /// One worker's buffers and output for the current batch; owned by that worker while
    /// `concurrentPerform` runs, read by the caller after it returns.
    final class Worker: @unchecked Sendable {
        var buffer = SampleBuffer()
        var series: [StepSeries] = []
        var any: [Bool] = []
        var error: EvaluationError?
    }

    static func run(_ all: [any StorageSeries], minT: Timestamp, maxT: Timestamp, steps: InstantSteps,
                    deadline: ContinuousClock.Instant, cancellation: CancellationFlag?,
                    _ emit: (Labels, inout StepSeries) throws(EvaluationError) -> Void) throws(EvaluationError)
    {
        let nw = ParallelRange.workers
        let workers = (0..<nw).map { _ in Worker() }
        let batch = batchSize(steps: steps.grid.count, workers: nw)
        var start = 0
        while start < all.count {
            if cancellation?.isCancelled == true { throw EvaluationError.canceled() }
            if ContinuousClock.now > deadline { throw EvaluationError.timeout() }
            let end = min(all.count, start + batch)
            let chunk = (end - start + nw - 1) / nw
            let batchStart = start
            DispatchQueue.concurrentPerform(iterations: nw) { w in
                let wk = workers[w]
                let lo = batchStart + w * chunk, hi = min(end, lo + chunk)
                while wk.series.count < hi - lo { wk.series.append(StepSeries(labels: Labels(), steps: steps.grid.count)) }
                if wk.any.count < chunk { wk.any = [Bool](repeating: false, count: chunk) }
                guard lo < hi else { return }
                for k in lo..<hi {
                    wk.buffer.removeAll()
                    do {
                        try all[k].samples(minTime: minT, maxTime: maxT, into: &wk.buffer)
                    } catch {
                        wk.error = EvaluationError(.storage, "error reading samples of \(all[k].labels): \(error)")
                        return
                    }
                    wk.any[k - lo] = !wk.buffer.isEmpty && steps.compute(wk.buffer, into: &wk.series[k - lo])
                }
            }
            for wk in workers { if let e = wk.error { throw e } }
            for (w, wk) in workers.enumerated() {
                let lo = start + w * chunk, hi = min(end, lo + chunk)
                guard lo < hi else { continue }
                for k in lo..<hi where wk.any[k - lo] { try emit(all[k].labels, &wk.series[k - lo]) }
            }
            start = end
        }
    }
}
