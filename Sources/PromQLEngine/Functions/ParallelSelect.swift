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
        ss.withColumns { values, present in compute(buffer, values: &values, present: &present, at: 0) }
    }

    /// Writes the steps' values and presence flags to `values`/`present` at `base ..< base +
    /// grid.count` (a slice of flat, series-major columns); true when some step has a value.
    func compute(_ buffer: SampleBuffer, values: inout MutableSpan<Double>, present: inout MutableSpan<Bool>,
                 at base: Int) -> Bool {
        let steps = grid.count
        for i in 0..<steps { present[base + i] = false }
        var any = false
        var j = 0  // first sample with t > ref (monotone over steps when ref grows)
        let n = buffer.count
        let ts = buffer.timestamps.span, vs = buffer.values.span
        for i in 0..<steps {
            let ref = at != nil ? lastRef : grid.time(i) - offset
            if at != nil && i > 0 {
                // Pinned by @: every step has the same value.
                present[base + i] = present[base]
                values[base + i] = values[base]
                continue
            }
            while j < n && ts[j] <= ref { j += 1 }
            guard j > 0 else { continue }
            let t = ts[j - 1]
            let ok = v3 ? t > ref - lookback : t >= ref - lookback
            guard ok else { continue }
            let v = vs[j - 1]
            if StaleMarker.isStale(v) { continue }
            present[base + i] = true
            values[base + i] = sampleTimestamps ? Double(t) / 1000 : v
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

    /// Series whose storage is hinted ahead of the one being decoded (see
    /// ``StorageSeries/prefetchSamples()``): far enough for a cache miss to complete while the
    /// series in between decode (~1 µs each), near enough for the lines to still be cached.
    static let prefetchDistance = 4

    /// One worker's buffers and output for the current batch: its slice's step values and flags
    /// flat and series-major (`steps` entries per series), so nothing is allocated, checked for
    /// uniqueness or freed per series. Owned by that worker while `concurrentPerform` runs, read
    /// by the caller after it returns.
    final class Worker: @unchecked Sendable {
        var buffer = SampleBuffer()
        var values: [Double] = []
        var present: [Bool] = []
        var any: [Bool] = []
        var error: EvaluationError?

        /// Reads and steps `all[lo..<hi]` into the flat columns.
        func run(_ all: [any StorageSeries], _ lo: Int, _ hi: Int, minT: Timestamp, maxT: Timestamp,
                 steps: InstantSteps) {
            let n = steps.grid.count
            let need = (hi - lo) * n
            if values.count < need {
                values = [Double](repeating: 0, count: need)
                present = [Bool](repeating: false, count: need)
            }
            if any.count < hi - lo { any = [Bool](repeating: false, count: hi - lo) }
            var valuesSpan = values.mutableSpan
            var presentSpan = present.mutableSpan
            var anySpan = any.mutableSpan
            for k in lo..<min(hi, lo + ParallelSelect.prefetchDistance) { all[k].prefetchSamples() }
            for k in lo..<hi {
                if k + ParallelSelect.prefetchDistance < hi { all[k + ParallelSelect.prefetchDistance].prefetchSamples() }
                buffer.removeAll()
                do {
                    try all[k].samples(minTime: minT, maxTime: maxT, into: &buffer)
                } catch {
                    self.error = EvaluationError(.storage, "error reading samples of \(all[k].labels): \(error)")
                    return
                }
                anySpan[k - lo] = !buffer.isEmpty
                    && steps.compute(buffer, values: &valuesSpan, present: &presentSpan, at: (k - lo) * n)
            }
        }

        /// Copies series `i` of the slice (0-based) into `ss`, whose arrays hold the steps.
        func load(_ i: Int, steps n: Int, into ss: inout StepSeries) {
            let base = i * n
            ss.withColumns { vs, ps in
                for s in 0..<n {
                    vs[s] = values[base + s]
                    ps[s] = present[base + s]
                }
            }
        }
    }

    /// Reads and steps `all` in batches and passes each series with a value at some step to
    /// `emit`, in input order, in one reused ``StepSeries`` (with empty labels unless `labels`).
    static func run(_ all: [any StorageSeries], minT: Timestamp, maxT: Timestamp, steps: InstantSteps,
                    deadline: ContinuousClock.Instant, cancellation: CancellationFlag?, labels: Bool = true,
                    _ emit: (Labels, inout StepSeries) throws(EvaluationError) -> Void) throws(EvaluationError)
    {
        let nw = ParallelRange.workers
        let workers = (0..<nw).map { _ in Worker() }
        let batch = batchSize(steps: steps.grid.count, workers: nw)
        let n = steps.grid.count
        var ss = StepSeries(labels: Labels(), steps: n)
        var start = 0
        while start < all.count {
            if cancellation?.isCancelled == true { throw EvaluationError.canceled() }
            if ContinuousClock.now > deadline { throw EvaluationError.timeout() }
            let end = min(all.count, start + batch)
            let chunk = (end - start + nw - 1) / nw
            let batchStart = start
            DispatchQueue.concurrentPerform(iterations: nw) { w in
                let lo = batchStart + w * chunk, hi = min(end, lo + chunk)
                guard lo < hi else { return }
                workers[w].run(all, lo, hi, minT: minT, maxT: maxT, steps: steps)
            }
            for wk in workers { if let e = wk.error { throw e } }
            for (w, wk) in workers.enumerated() {
                let lo = start + w * chunk, hi = min(end, lo + chunk)
                guard lo < hi else { continue }
                for k in lo..<hi where wk.any[k - lo] {
                    wk.load(k - lo, steps: n, into: &ss)
                    try emit(labels ? all[k].labels : Labels(), &ss)
                }
            }
            start = end
        }
    }
}
