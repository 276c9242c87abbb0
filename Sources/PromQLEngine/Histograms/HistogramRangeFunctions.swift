import SundialCore
import PromQLSyntax

/// Range functions over windows that hold native histograms (Prometheus 3 `promql/functions.go`:
/// `extrapolatedRate`/`histogramRate`, `instantValue`, `funcSumOverTime`, `funcAvgOverTime`,
/// `funcLastOverTime`, `funcResets`, `funcChanges`; docs/querying/functions.md). Windows with only
/// floats use the float kernels. Windows mixing floats and histograms give no result for
/// rate/increase/delta/irate/idelta/sum_over_time/avg_over_time (warning), count both for
/// count_over_time/present_over_time, and the float-only functions ignore the histograms.
struct HistogramWindow {
    let function: RangeFunction
    let grid: StepGrid
    let params: [[Double]]
    let range: Int64
    let offset: Int64
    let at: Timestamp?
    let v3: Bool

    /// Position of the range argument, for annotations.
    let position: SourceRange?

    /// First index with `t[i] > x` (`inclusive` false) or `t[i] >= x`.
    @inline(__always)
    static func bound(_ t: [Timestamp], _ x: Timestamp, inclusive: Bool) -> Int {
        var lo = 0, hi = t.count
        while lo < hi {
            let m = (lo + hi) / 2
            if inclusive ? t[m] < x : t[m] <= x { lo = m + 1 } else { hi = m }
        }
        return lo
    }

    /// Fills `ss` for series `r`; returns whether any step has a value, the samples looked at,
    /// and annotations (v3).
    func compute(_ r: RangeSeries, into ss: inout StepSeries, annotations: inout Annotations) -> (any: Bool, samples: Int) {
        ss.histograms = []
        for i in 0..<grid.count { ss.present[i] = false }
        var any = false, samples = 0
        let rangeSeconds = Double(range) / 1000
        var ctx = RangeFunction.Context(rangeStart: 0, rangeEnd: 0, rangeSeconds: rangeSeconds, evalTime: 0, p0: 0, p1: 0, v3: v3)
        let name = r.labels.metricName ?? ""
        func note(_ a: Annotation) {
            if v3 { annotations.add(a) }
        }
        let mixed = Annotation.mixedFloatsHistograms(metricName: name, position)
        let incompatible = Annotation.mixedExponentialCustomHistograms(metricName: name, position)
        for i in 0..<grid.count {
            let maxt = (at ?? grid.time(i)) - offset
            let mint = maxt - range
            let fhi = HistogramWindow.bound(r.timestamps, maxt, inclusive: false)
            let flo = min(fhi, HistogramWindow.bound(r.timestamps, mint, inclusive: !v3))
            let hhi = HistogramWindow.bound(r.histogramTimestamps, maxt, inclusive: false)
            let hlo = min(hhi, HistogramWindow.bound(r.histogramTimestamps, mint, inclusive: !v3))
            let nf = fhi - flo, nh = hhi - hlo
            if nf + nh == 0 { continue }
            samples += nf + nh
            ctx.rangeStart = mint
            ctx.rangeEnd = maxt
            ctx.evalTime = grid.time(i)
            if params.count > 0 { ctx.p0 = params[0][i] }
            if params.count > 1 { ctx.p1 = params[1][i] }
            if nh == 0 {
                if let v = function.apply(r.timestamps, r.values, flo, fhi, ctx) {
                    ss.setFloat(i, v)
                    any = true
                }
                continue
            }
            let ht = r.histogramTimestamps, hs = r.histograms
            var result: FloatHistogram? = nil
            var floatResult: Double? = nil
            switch function {
            case .rate, .increase, .delta:
                if nf > 0 { note(mixed); continue }
                guard nh >= 2 else { continue }
                if function == .delta {
                    if hs[hlo..<hhi].contains(where: { $0.counterResetHint != .gauge }) {
                        note(.nativeHistogramNotGauge(metricName: name, position))
                    }
                } else if hs[hlo..<hhi].contains(where: { $0.counterResetHint == .gauge }) {
                    note(.nativeHistogramNotCounter(metricName: name, position))
                }
                result = rate(ht, hs, hlo, hhi, mint: mint, maxt: maxt, isCounter: function != .delta,
                              isRate: function == .rate, warn: { note($0 ? incompatible : mixed) },
                              reconciled: { note(.mismatchedCustomBuckets("subtraction", position)) })
            case .irate, .idelta:
                guard nf + nh >= 2 else { continue }
                // The last two samples, whatever their kind.
                var last: [(Timestamp, Double?, FloatHistogram?)] = []
                for k in max(flo, fhi - 2)..<fhi { last.append((r.timestamps[k], r.values[k], nil)) }
                for k in max(hlo, hhi - 2)..<hhi { last.append((ht[k], nil, hs[k])) }
                last.sort { $0.0 < $1.0 }
                let prev = last[last.count - 2], cur = last[last.count - 1]
                guard let ph = prev.2, var ch = cur.2 else {
                    if prev.2 == nil && cur.2 == nil, let p = prev.1, let c = cur.1 {
                        var v = function == .irate && c < p ? c : c - p
                        if function == .irate {
                            let dt = cur.0 - prev.0
                            if dt == 0 { continue }
                            v /= Double(dt) / 1000
                        }
                        floatResult = v
                        break
                    }
                    note(mixed)
                    continue
                }
                if function == .irate && (ph.counterResetHint == .gauge || ch.counterResetHint == .gauge) {
                    note(.nativeHistogramNotCounter(metricName: name, position))
                }
                if function == .idelta && (ph.counterResetHint != .gauge || ch.counterResetHint != .gauge) {
                    note(.nativeHistogramNotGauge(metricName: name, position))
                }
                if function == .idelta || !ch.detectReset(after: ph) {
                    var notes = HistogramCombineNotes()
                    do throws(HistogramCombineError) {
                        ch = try ch.combined(with: ph, sign: -1, notes: &notes)
                    } catch {
                        note(incompatible)
                        continue
                    }
                    if notes.reconciledCustomBounds { note(.mismatchedCustomBuckets("subtraction", position)) }
                }
                ch.counterResetHint = .gauge
                if function == .irate {
                    let dt = cur.0 - prev.0
                    if dt == 0 { continue }
                    ch = ch.divided(by: Double(dt) / 1000)
                }
                result = ch.compacted()
            case .sumOverTime, .avgOverTime:
                if nf > 0 { note(mixed); continue }
                var acc: FloatHistogram
                var notes = HistogramCombineNotes()
                do throws(HistogramCombineError) {
                    acc = try FloatHistogram.kahanSum(Array(hs[hlo..<hhi]),
                                                      scale: function == .avgOverTime ? 1 / Double(nh) : 1, notes: &notes)
                } catch {
                    note(incompatible)
                    continue
                }
                if FloatHistogram.counterResetHintsCollide(hs[hlo..<hhi]) {
                    note(.histogramCounterResetCollision("aggregation", position))
                }
                if notes.reconciledCustomBounds { note(.mismatchedCustomBuckets("aggregation", position)) }
                result = acc.compacted()
            case .countOverTime:
                floatResult = Double(nf + nh)
            case .presentOverTime, .absentOverTime:
                floatResult = 1
            case .lastOverTime:
                if nf > 0 && r.timestamps[fhi - 1] > ht[hhi - 1] {
                    floatResult = r.values[fhi - 1]
                } else {
                    result = hs[hhi - 1]
                }
            case .firstOverTime:
                if nf > 0 && r.timestamps[flo] < ht[hlo] {
                    floatResult = r.values[flo]
                } else {
                    result = hs[hlo]
                }
            case .tsOfLastOverTime:
                floatResult = Double(max(nf > 0 ? r.timestamps[fhi - 1] : .min, ht[hhi - 1])) / 1000
            case .tsOfFirstOverTime:
                floatResult = Double(min(nf > 0 ? r.timestamps[flo] : .max, ht[hlo])) / 1000
            case .resets, .changes:
                floatResult = resetsOrChanges(r, flo, fhi, hlo, hhi)
            default:
                // Float-only functions ignore the histograms.
                guard nf > 0 else { continue }
                note(.histogramIgnoredInMixedRange(metricName: name, position))
                guard let v = function.apply(r.timestamps, r.values, flo, fhi, ctx) else { continue }
                floatResult = v
            }
            if let h = result {
                ss.setHistogram(i, h)
                any = true
            } else if let v = floatResult {
                ss.setFloat(i, v)
                any = true
            }
        }
        ss.shrinkHistograms()
        return (any, samples)
    }

    /// `resets` (histograms: ``FloatHistogram/detectReset(after:)``) or `changes` over the merged
    /// samples in time order; a switch between float and histogram counts as a reset and a change.
    func resetsOrChanges(_ r: RangeSeries, _ flo: Int, _ fhi: Int, _ hlo: Int, _ hhi: Int) -> Double {
        var n = 0.0
        var f = flo, h = hlo
        var prevF: Double? = nil
        var prevH: FloatHistogram? = nil
        var first = true
        while f < fhi || h < hhi {
            let takeFloat = h >= hhi || (f < fhi && r.timestamps[f] < r.histogramTimestamps[h])
            if takeFloat {
                let v = r.values[f]
                f += 1
                if !first {
                    if let p = prevF {
                        if function == .resets ? v < p : (v != p && !(v.isNaN && p.isNaN)) { n += 1 }
                    } else {
                        n += 1
                    }
                }
                prevF = v
                prevH = nil
            } else {
                let cur = r.histograms[h]
                h += 1
                if !first {
                    if let p = prevH {
                        if function == .resets ? cur.detectReset(after: p) : !cur.sameValue(as: p) { n += 1 }
                    } else {
                        // A switch from float to histogram is a reset and a change.
                        n += 1
                    }
                }
                prevH = cur
                prevF = nil
            }
            first = false
        }
        return n
    }

    /// Prometheus 3 `histogramRate` with `extrapolatedRate`'s extrapolation to the window edges.
    func rate(_ ht: [Timestamp], _ hs: [FloatHistogram], _ lo: Int, _ hi: Int, mint: Timestamp, maxt: Timestamp,
              isCounter: Bool, isRate: Bool, warn: (Bool) -> Void, reconciled: () -> Void) -> FloatHistogram?
    {
        let first = hs[lo]
        var minSchema = Int32.max
        for k in lo..<hi where !hs[k].usesCustomBuckets && (isCounter || k == lo || k == hi - 1) {
            minSchema = min(minSchema, hs[k].schema)
        }
        // The increase as the sum over consecutive pairs: the difference, or after a counter
        // reset the newer histogram itself (so histograms of another bucket kind before a reset
        // do not meet the ones after it).
        var notes = HistogramCombineNotes()
        var h: FloatHistogram
        do throws(HistogramCombineError) {
            if !isCounter {
                h = try hs[hi - 1].combined(with: first, sign: -1, notes: &notes)
            } else {
                h = FloatHistogram(schema: 0, count: 0, sum: 0)
                var started = false
                for k in (lo + 1)..<hi {
                    let cur = hs[k], prev = hs[k - 1]
                    let part = cur.detectReset(after: prev) ? cur : try cur.combined(with: prev, sign: -1, notes: &notes)
                    if started {
                        h = try h.combined(with: part, sign: 1, notes: &notes)
                    } else {
                        h = part
                        started = true
                    }
                }
            }
        } catch {
            warn(true)
            return nil
        }
        if notes.reconciledCustomBounds { reconciled() }
        if !h.usesCustomBuckets && minSchema != .max && h.schema > minSchema { h = h.reduced(to: minSchema) }
        h.counterResetHint = .gauge
        h = h.compacted()
        // Extrapolation (same rules as for floats).
        let firstT = ht[lo], lastT = ht[hi - 1]
        var durationToStart = Double(firstT - mint) / 1000
        var durationToEnd = Double(maxt - lastT) / 1000
        let sampledInterval = Double(lastT - firstT) / 1000
        let average = sampledInterval / Double(hi - lo - 1)
        let threshold = average * 1.1
        if durationToStart >= threshold { durationToStart = average / 2 }
        if isCounter && h.count > 0 && first.count >= 0 {
            let durationToZero = sampledInterval * (first.count / h.count)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= threshold { durationToEnd = average / 2 }
        var factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval
        if isRate { factor /= Double(range) / 1000 }
        return h.scaled(by: factor)
    }
}

extension FloatHistogram {
    /// Equal values (Prometheus `FloatHistogram.Equals`, ignoring the counter reset hint and empty
    /// buckets' layout).
    func sameValue(as o: FloatHistogram) -> Bool {
        let a = compacted(), b = o.compacted()
        return a.schema == b.schema && a.zeroThreshold == b.zeroThreshold && a.zeroCount == b.zeroCount
            && a.count == b.count && (a.sum == b.sum || (a.sum.isNaN && b.sum.isNaN))
            && a.positiveSpans == b.positiveSpans && a.negativeSpans == b.negativeSpans
            && a.positiveBuckets == b.positiveBuckets && a.negativeBuckets == b.negativeBuckets
            && a.customValues == b.customValues
    }
}
