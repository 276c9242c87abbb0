import Dispatch
import SundialCore

/// Slides a range function's window over the steps of a grid for one series (Prometheus's
/// per-series loop in `evaluator.eval` for calls with a matrix argument). A pure value: safe to
/// use from several threads at once.
struct WindowStepper: Sendable {
    var function: RangeFunction
    var grid: StepGrid
    /// Scalar parameters per step (q, duration, sf, tf).
    var params: [[Double]]
    /// Window length, ms.
    var range: Int64
    /// Offset, ms.
    var offset: Int64
    /// The `@` time, ms, if any (every step then reads the same window).
    var at: Timestamp?
    var v3: Bool
    var maxSamples: Int

    struct Outcome {
        /// Some step produced a value.
        var any: Bool
        /// Window samples read over all steps.
        var samples: Int
        /// A window alone exceeded the sample limit.
        var tooMany: Bool
        /// The most points one step's window held, and the points of the last step's window
        /// (2.42 still holds them when the series' outputs are added).
        var maxWindow = 0
        var lastWindow = 0
    }

    /// Evaluates every step for samples `t`/`v` (time order, no stale markers) into `ss`'s values
    /// and presence flags (labels untouched). `resets` are the running counter-reset counts when
    /// the function uses them (see ``WindowWorkspace``), else empty.
    func compute(_ t: [Timestamp], _ v: [Double], resets: [Int32], currentSamples: Int, into ss: inout StepSeries)
        -> Outcome
    {
        let steps = grid.count
        return ss.withColumns { values, present -> Outcome in
            var out = Outcome(any: false, samples: 0, tooMany: false)
            for i in 0..<steps { present[i] = false }
            var lo = 0, hi = 0
            let n = t.count
            var ctx = RangeFunction.Context(rangeStart: 0, rangeEnd: 0, rangeSeconds: Double(range) / 1000,
                                            evalTime: 0, p0: 0, p1: 0, v3: v3)
            for i in 0..<steps {
                let maxt = (at ?? grid.time(i)) - offset
                let mint = maxt - range
                if at != nil {
                    lo = 0
                    hi = 0
                }
                while hi < n && t[hi] <= maxt { hi += 1 }
                while lo < hi && !(v3 ? t[lo] > mint : t[lo] >= mint) { lo += 1 }
                let w = hi - lo
                out.lastWindow = w
                if w == 0 { continue }
                if w > out.maxWindow { out.maxWindow = w }
                out.samples += w
                if currentSamples + w > maxSamples {
                    out.tooMany = true
                    return out
                }
                ctx.rangeStart = mint
                ctx.rangeEnd = maxt
                ctx.evalTime = grid.time(i)
                if params.count > 0 { ctx.p0 = params[0][i] }
                if params.count > 1 { ctx.p1 = params[1][i] }
                if let r = function.apply(t, v, lo, hi, ctx, resets: resets) {
                    present[i] = true
                    values[i] = r
                    out.any = true
                }
            }
            return out
        }
    }
}

/// Per-worker buffers for one series' window input: the running counter-reset counts. Reused
/// across series.
struct WindowWorkspace {
    var resets: [Int32] = []

    /// Removes stale markers from `buffer` in place (one scan; samples move only after the first
    /// marker) and, with `countResets`, fills ``resets`` for its values (see ``resetCounts(_:into:)``).
    mutating func prepare(_ buffer: inout SampleBuffer, countResets: Bool) {
        var w = 0
        let n = buffer.count
        while w < n && !StaleMarker.isStale(buffer.values[w]) { w += 1 }
        if w < n {
            for k in (w + 1)..<n where !StaleMarker.isStale(buffer.values[k]) {
                buffer.timestamps[w] = buffer.timestamps[k]
                buffer.values[w] = buffer.values[k]
                w += 1
            }
            buffer.timestamps.removeLast(n - w)
            buffer.values.removeLast(n - w)
        }
        if countResets { WindowWorkspace.resetCounts(buffer.values, into: &resets) }
    }

    /// `r[k]` is the number of `j <= k` with `v[j] < v[j - 1]` (counter resets up to sample k).
    static func resetCounts(_ v: [Double]) -> [Int32] {
        var r: [Int32] = []
        resetCounts(v, into: &r)
        return r
    }

    static func resetCounts(_ v: [Double], into r: inout [Int32]) {
        r.removeAll(keepingCapacity: true)
        // Counters rarely reset: find the first reset with a plain scan, zero-fill up to it.
        var first = v.count
        for k in v.indices.dropFirst() where v[k] < v[k - 1] {
            first = k
            break
        }
        r.append(contentsOf: repeatElement(0, count: first))
        guard first < v.count else { return }
        var c: Int32 = 0
        for k in first..<v.count {
            if v[k] < v[k - 1] { c += 1 }
            r.append(c)
        }
    }
}

/// Evaluates a range function over many series on all cores: the series are split into one
/// contiguous part per worker, each with its own buffers; parts come back in input order.
enum ParallelRange {
    /// Below this many series the work is too small to split.
    static let minimumSeries = 2048
    /// Workers: the active processor count (2 on the build machines), at most 8.
    static let workers = min(8, max(1, sysconfActiveProcessors()))

    /// One worker's output: the step values of its series that produced a value, flat and
    /// series-major (`steps` entries per series, in input order), so a worker allocates nothing
    /// per series and the caller frees nothing per series.
    struct Part: @unchecked Sendable {
        var labels: [Labels] = []
        var values: [Double] = []
        var present: [Bool] = []
        var samples = 0
        var error: EvaluationError?

        /// Copies series `k`'s steps into `ss` (whose arrays hold `steps` entries).
        func load(_ k: Int, steps: Int, into ss: inout StepSeries) {
            let base = k * steps
            for i in 0..<steps {
                ss.values[i] = values[base + i]
                ss.present[i] = present[base + i]
            }
        }
        /// Per input series of the part, in order: its largest and last window and its output
        /// points (for 2.42's sample accounting, replayed in order after the parallel pass).
        var windows: [(maxWindow: Int32, lastWindow: Int32, outputs: Int32)] = []
    }

    /// A box each worker owns exclusively while `concurrentPerform` runs; read after it returns.
    final class Slot: @unchecked Sendable {
        var part = Part()
    }

    static func compute(_ all: [any StorageSeries], minT: Timestamp, maxT: Timestamp, stepper: WindowStepper,
                        currentSamples: Int, deadline: ContinuousClock.Instant, cancellation: CancellationFlag? = nil)
        throws(EvaluationError) -> [Part]
    {
        let n = workers
        let slots = (0..<n).map { _ in Slot() }
        let chunk = (all.count + n - 1) / n
        DispatchQueue.concurrentPerform(iterations: n) { w in
            let slot = slots[w]
            let lo = w * chunk, hi = min(all.count, lo + chunk)
            guard lo < hi else { return }
            var buffer = SampleBuffer()
            var ws = WindowWorkspace()
            var ss = StepSeries(labels: Labels(), steps: stepper.grid.count)
            slot.part.labels.reserveCapacity(hi - lo)
            let countResets = stepper.function.usesResets
            let ahead = ParallelSelect.prefetchDistance
            for k in lo..<min(hi, lo + ahead) { all[k].prefetchSamples() }
            for k in lo..<hi {
                if k + ahead < hi { all[k + ahead].prefetchSamples() }
                if (k - lo) & 255 == 255 {
                    if cancellation?.isCancelled == true {
                        slot.part.error = EvaluationError.canceled()
                        return
                    }
                    if ContinuousClock.now > deadline {
                        slot.part.error = EvaluationError.timeout()
                        return
                    }
                }
                buffer.removeAll()
                do {
                    try all[k].samples(minTime: minT, maxTime: maxT, into: &buffer)
                } catch {
                    slot.part.error = EvaluationError(.storage, "error reading samples of \(all[k].labels): \(error)")
                    return
                }
                ws.prepare(&buffer, countResets: countResets)
                if buffer.isEmpty { continue }
                let r = stepper.compute(buffer.timestamps, buffer.values, resets: ws.resets, currentSamples: currentSamples,
                                        into: &ss)
                slot.part.samples += r.samples
                if r.tooMany {
                    slot.part.error = EvaluationError.tooManySamples(stepper.maxSamples)
                    return
                }
                slot.part.windows.append((Int32(clamping: r.maxWindow), Int32(clamping: r.lastWindow),
                                          Int32(clamping: r.any ? ss.pointCount : 0)))
                if r.any {
                    slot.part.labels.append(all[k].labels)
                    slot.part.values.append(contentsOf: ss.values)
                    slot.part.present.append(contentsOf: ss.present)
                }
            }
        }
        var parts: [Part] = []
        for s in slots {
            if let e = s.part.error { throw e }
            parts.append(s.part)
        }
        return parts
    }
}

#if canImport(Glibc)
import Glibc
private func sysconfActiveProcessors() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
import Darwin
private func sysconfActiveProcessors() -> Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#else
private func sysconfActiveProcessors() -> Int { 1 }
#endif
