import SundialCore
import SundialEncoding

/// The open histogram chunk of a head series, and the decision of Prometheus's histogram
/// appenders whether a new histogram can go into it (`HistogramAppender.Appendable`,
/// `AppendableGauge`, `Recode`; `tsdb/head_append.go` `appendHistogram`, 2.42):
///
/// - a change of kind (integer/float), of schema, zero threshold or custom bounds, or between
///   gauge and counter histograms, starts a new chunk (header unknown, or gauge);
/// - for counter histograms, a decrease of the count, the zero count or any bucket, a bucket that
///   disappears, or the reset hint of the histogram, starts a new chunk with the counter-reset header;
/// - new buckets recode the chunk: every earlier sample is rewritten with the wider layout (the
///   new buckets empty), exactly as if it had been written with it;
/// - gauge histograms: a layout that adds buckets recodes, one that drops buckets starts a new
///   gauge chunk (Prometheus would widen the new histogram instead; both read back the same).
/// A stale marker (sum = stale NaN) always goes into the open chunk, without buckets.
struct HistogramChunkBuilder {
    enum Open {
        case none
        case integer(HistogramChunkEncoder)
        case float(FloatHistogramChunkEncoder)
    }
    var open: Open = .none
    var minTime: Int64 = .min

    var count: Int {
        switch open {
        case .none: return 0
        case .integer(let e): return e.count
        case .float(let e): return e.count
        }
    }
    var isFloat: Bool { if case .float = open { return true } else { return false } }
    var maxTime: Int64 {
        switch open {
        case .none: return .min
        case .integer(let e): return e.lastTimestamp
        case .float(let e): return e.lastTimestamp
        }
    }

    /// The chunk so far (the builder keeps appending).
    func snapshot() -> HistogramHeadChunk {
        switch open {
        case .none: return HistogramHeadChunk(minTime: .min, maxTime: .min, bytes: [], isFloat: false)
        case .integer(let e): return HistogramHeadChunk(minTime: minTime, maxTime: e.lastTimestamp, bytes: e.bytes, isFloat: false)
        case .float(let e): return HistogramHeadChunk(minTime: minTime, maxTime: e.lastTimestamp, bytes: e.bytes, isFloat: true)
        }
    }

    /// The finished chunk; the builder is empty afterwards.
    mutating func finish() -> HistogramHeadChunk {
        let c = snapshot()
        self = HistogramChunkBuilder()
        return c
    }

    /// Appends `v` at `t`: into the open chunk when Prometheus would, after recoding it if new
    /// buckets appeared; otherwise returns the header of the new chunk to cut (nothing appended).
    mutating func tryAppend(_ t: Int64, _ v: HeadHistogramValue) -> HistogramChunkHeader? {
        switch (open, v) {
        case (.integer(var e), .integer(let h)):
            open = .none
            defer { open = .integer(e) }
            return HistogramChunkBuilder.tryAppend(&e, t, h)
        case (.float(var e), .float(let h)):
            open = .none
            defer { open = .float(e) }
            return HistogramChunkBuilder.tryAppend(&e, t, h)
        default:
            return HistogramChunkBuilder.newChunkHeader(v)
        }
    }

    /// Starts a chunk with `header` and appends `v` as its first sample.
    mutating func start(_ t: Int64, _ v: HeadHistogramValue, header: HistogramChunkHeader) {
        minTime = t
        switch v {
        case .integer(let h):
            var e = HistogramChunkEncoder(layout: HistogramChunkBuilder.layout(h), header: header)
            HistogramChunkBuilder.append(&e, t, h)
            open = .integer(e)
        case .float(let h):
            var e = FloatHistogramChunkEncoder(layout: HistogramChunkBuilder.layout(h), header: header)
            HistogramChunkBuilder.append(&e, t, h)
            open = .float(e)
        }
    }

    /// Header of a chunk started for `v` without a detected counter reset.
    static func newChunkHeader(_ v: HeadHistogramValue) -> HistogramChunkHeader {
        let hint: CounterResetHint
        switch v {
        case .integer(let h): hint = h.counterResetHint
        case .float(let h): hint = h.counterResetHint
        }
        switch hint {
        case .gauge: return .gauge
        case .counterReset: return .counterReset
        default: return .unknown
        }
    }

    static func isStale(_ sum: Double) -> Bool { sum.bitPattern == HistogramChunkEncoder.staleNaNBits }

    static func layout(_ h: Histogram) -> HistogramChunkLayout {
        if isStale(h.sum) {
            return HistogramChunkLayout(schema: h.schema, zeroThreshold: h.zeroThreshold, positiveSpans: [], negativeSpans: [], customValues: h.customValues)
        }
        return HistogramChunkLayout(schema: h.schema, zeroThreshold: h.zeroThreshold,
                                    positiveSpans: h.positiveSpans.map(HistogramChunkSpan.init),
                                    negativeSpans: h.negativeSpans.map(HistogramChunkSpan.init), customValues: h.customValues)
    }

    static func layout(_ h: FloatHistogram) -> HistogramChunkLayout {
        if isStale(h.sum) {
            return HistogramChunkLayout(schema: h.schema, zeroThreshold: h.zeroThreshold, positiveSpans: [], negativeSpans: [], customValues: h.customValues)
        }
        return HistogramChunkLayout(schema: h.schema, zeroThreshold: h.zeroThreshold,
                                    positiveSpans: h.positiveSpans.map(HistogramChunkSpan.init),
                                    negativeSpans: h.negativeSpans.map(HistogramChunkSpan.init), customValues: h.customValues)
    }

    static func append(_ e: inout HistogramChunkEncoder, _ t: Int64, _ h: Histogram) {
        e.append(t: t, count: h.count, zeroCount: h.zeroCount, sum: h.sum, positive: h.positiveBuckets, negative: h.negativeBuckets)
    }

    static func append(_ e: inout FloatHistogramChunkEncoder, _ t: Int64, _ h: FloatHistogram) {
        e.append(t: t, count: h.count, zeroCount: h.zeroCount, sum: h.sum, positive: h.positiveBuckets, negative: h.negativeBuckets)
    }

    /// True when `spans` lists exactly `layout` (element-wise, no allocation).
    static func same(_ spans: [HistogramSpan], _ layout: [HistogramChunkSpan]) -> Bool {
        guard spans.count == layout.count else { return false }
        for i in spans.indices where spans[i].offset != layout[i].offset || spans[i].length != layout[i].length { return false }
        return true
    }

    static func sameBounds(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// Absolute bucket values by bucket index.
    static func byIndex<V: AdditiveArithmetic>(_ spans: [HistogramChunkSpan], _ values: [V], deltas: Bool) -> [Int64: V] {
        var out: [Int64: V] = [:]
        var running = V.zero
        for (i, idx) in HistogramChunkLayout.indices(spans).enumerated() where i < values.count {
            running = deltas ? running + values[i] : values[i]
            out[idx] = running
        }
        return out
    }

    /// How a histogram with buckets `newValues` in `newSpans` follows one with `oldValues` in
    /// `oldSpans`: nil when a bucket disappeared or decreased (a counter reset, unless `gauge`),
    /// else whether the layout grew.
    static func bucketsFollow<V: AdditiveArithmetic & Comparable>(old oldSpans: [HistogramChunkSpan], _ oldValues: [V],
                                                                    new newSpans: [HistogramSpan], _ newValues: [V],
                                                                    deltas: Bool, gauge: Bool) -> Bool? {
        if same(newSpans, oldSpans) {
            if gauge { return false }
            var a = V.zero, b = V.zero
            for i in oldValues.indices where i < newValues.count {
                if deltas {
                    a = a + oldValues[i]
                    b = b + newValues[i]
                } else {
                    a = oldValues[i]
                    b = newValues[i]
                }
                if b < a { return nil }
            }
            return false
        }
        let old = byIndex(oldSpans, oldValues, deltas: deltas)
        let new = byIndex(newSpans.map(HistogramChunkSpan.init), newValues, deltas: deltas)
        for (idx, v) in old {
            guard let n = new[idx] else { return nil }
            if !gauge && n < v { return nil }
        }
        return true
    }

    /// Re-expresses `values` of `oldSpans` in the wider `newSpans` (new buckets empty).
    static func expand<V: AdditiveArithmetic>(_ values: [V], from oldSpans: [HistogramChunkSpan], to newSpans: [HistogramChunkSpan], deltas: Bool) -> [V] {
        let old = byIndex(oldSpans, values, deltas: deltas)
        var out: [V] = []
        var prev = V.zero
        for idx in HistogramChunkLayout.indices(newSpans) {
            let v = old[idx] ?? V.zero
            out.append(deltas ? v - prev : v)
            prev = v
        }
        return out
    }

    static func tryAppend(_ e: inout HistogramChunkEncoder, _ t: Int64, _ h: Histogram) -> HistogramChunkHeader? {
        let l = e.layout
        let gauge = h.counterResetHint == .gauge
        if isStale(h.sum) && (e.header == .gauge) == gauge {
            append(&e, t, stale(h, l))
            return nil
        }
        if (e.header == .gauge) != gauge { return newChunkHeader(.integer(h)) }
        if h.counterResetHint == .counterReset { return .counterReset }
        if h.schema != l.schema || h.zeroThreshold.bitPattern != l.zeroThreshold.bitPattern { return gauge ? .gauge : .unknown }
        // New custom bounds are no counter reset: Prometheus 3 reconciles them (resets() of the v3.14
        // native_histograms.test counts none across a bounds change).
        if !sameBounds(h.customValues, l.customValues) { return gauge ? .gauge : .unknown }
        if !gauge && (h.count < e.lastCount || h.zeroCount < e.lastZeroCount) { return .counterReset }
        guard let growP = bucketsFollow(old: l.positiveSpans, e.lastPositive, new: h.positiveSpans, h.positiveBuckets, deltas: true, gauge: gauge),
              let growN = bucketsFollow(old: l.negativeSpans, e.lastNegative, new: h.negativeSpans, h.negativeBuckets, deltas: true, gauge: gauge)
        else { return gauge ? .gauge : .counterReset }
        if growP || growN {
            let nl = layout(h)
            guard let re = recode(e, to: nl) else { return gauge ? .gauge : .unknown }
            e = re
        }
        append(&e, t, h)
        return nil
    }

    static func tryAppend(_ e: inout FloatHistogramChunkEncoder, _ t: Int64, _ h: FloatHistogram) -> HistogramChunkHeader? {
        let l = e.layout
        let gauge = h.counterResetHint == .gauge
        if isStale(h.sum) && (e.header == .gauge) == gauge {
            append(&e, t, staleFloat(h, l))
            return nil
        }
        if (e.header == .gauge) != gauge { return newChunkHeader(.float(h)) }
        if h.counterResetHint == .counterReset { return .counterReset }
        if h.schema != l.schema || h.zeroThreshold.bitPattern != l.zeroThreshold.bitPattern { return gauge ? .gauge : .unknown }
        // New custom bounds are no counter reset: Prometheus 3 reconciles them (resets() of the v3.14
        // native_histograms.test counts none across a bounds change).
        if !sameBounds(h.customValues, l.customValues) { return gauge ? .gauge : .unknown }
        if !gauge && (h.count < e.lastCount || h.zeroCount < e.lastZeroCount) { return .counterReset }
        guard let growP = bucketsFollow(old: l.positiveSpans, e.lastPositive, new: h.positiveSpans, h.positiveBuckets, deltas: false, gauge: gauge),
              let growN = bucketsFollow(old: l.negativeSpans, e.lastNegative, new: h.negativeSpans, h.negativeBuckets, deltas: false, gauge: gauge)
        else { return gauge ? .gauge : .counterReset }
        if growP || growN {
            guard let re = recode(e, to: layout(h)) else { return gauge ? .gauge : .unknown }
            e = re
        }
        append(&e, t, h)
        return nil
    }

    /// A stale marker expressed in the chunk's layout (its buckets are not written).
    static func stale(_ h: Histogram, _ l: HistogramChunkLayout) -> Histogram {
        var s = h
        s.positiveBuckets = []
        s.negativeBuckets = []
        return s
    }

    static func staleFloat(_ h: FloatHistogram, _ l: HistogramChunkLayout) -> FloatHistogram {
        var s = h
        s.positiveBuckets = []
        s.negativeBuckets = []
        return s
    }

    /// The chunk rewritten with the wider layout `nl` (Prometheus `Recode`); nil if it does not decode.
    static func recode(_ e: HistogramChunkEncoder, to nl: HistogramChunkLayout) -> HistogramChunkEncoder? {
        guard let (header, ol, samples) = try? HistogramChunkDecoder.decodeIntegers(e.bytes) else { return nil }
        var out = HistogramChunkEncoder(layout: nl, header: header)
        for s in samples {
            let p = s.isStale ? [] : expand(s.positive, from: ol.positiveSpans, to: nl.positiveSpans, deltas: true)
            let n = s.isStale ? [] : expand(s.negative, from: ol.negativeSpans, to: nl.negativeSpans, deltas: true)
            out.append(t: s.t, count: s.count, zeroCount: s.zeroCount, sum: s.sum, positive: p, negative: n)
        }
        return out
    }

    static func recode(_ e: FloatHistogramChunkEncoder, to nl: HistogramChunkLayout) -> FloatHistogramChunkEncoder? {
        guard let (header, ol, samples) = try? HistogramChunkDecoder.decodeFloats(e.bytes) else { return nil }
        var out = FloatHistogramChunkEncoder(layout: nl, header: header)
        for s in samples {
            let p = s.isStale ? [] : expand(s.positive, from: ol.positiveSpans, to: nl.positiveSpans, deltas: false)
            let n = s.isStale ? [] : expand(s.negative, from: ol.negativeSpans, to: nl.negativeSpans, deltas: false)
            out.append(t: s.t, count: s.count, zeroCount: s.zeroCount, sum: s.sum, positive: p, negative: n)
        }
        return out
    }
}
