import Synchronization
import SundialCore

/// Counts the active series of one receiver and admits new ones within ``IngestLimits/maxSeries``
/// and ``IngestLimits/maxSeriesPerMetric``.
///
/// A series is active from its first admitted write until it goes unwritten for
/// ``IngestLimits/seriesIdleTimeoutMs`` (wall clock, ms); idle series are swept at most every
/// quarter of that timeout, in one O(active series) pass.
///
/// Series are identified by a 64-bit hash of their labels (``key(_:)``), computed once per series
/// while the series cache holds it, so a known series costs one integer-keyed lookup. Two distinct
/// series colliding (about n²/2⁶⁵ for n series) would share one entry: the second would be let in
/// without counting, never wrongly refused. Memory: one entry (key, last write, metric name sharing
/// the label's storage) per active series, at most ``IngestLimits/maxSeries`` when that is set.
///
/// Thread-safe: one `Mutex`, taken once per request for all its series.
final class SeriesLimiter: Sendable {
    struct Entry {
        var lastSeenMs: Int64
        var metric: String
    }

    struct State {
        /// Active series key → last write (ms) and metric name.
        var lastSeen: [SeriesKey: Entry] = [:]
        /// Active series per metric name.
        var perMetric: [String: Int] = [:]
        var lastSweepMs: Int64 = .min
    }

    let limits: IngestLimits
    let state = Mutex(State())

    init(limits: IngestLimits) { self.limits = limits }

    /// The identity of a series in the table: its labels' hash (process-local seed).
    static func key(_ labels: Labels) -> UInt64 { UInt64(bitPattern: Int64(labels.hashValue)) }

    /// Admits the resolved series of one request at wall-clock time `nowMs`: known series are
    /// touched; new ones admitted while under both limits, else refused in `res` (labels cleared,
    /// rejection recorded with the limit, its value and the series).
    func admit(_ res: inout Resolution, nowMs: Int64) {
        let l = limits
        state.withLock { st in
            let (sinceSweep, overflow) = nowMs.subtractingReportingOverflow(st.lastSweepMs)
            if overflow || sinceSweep >= l.seriesIdleTimeoutMs / 4 {
                sweep(&st, nowMs: nowMs)
            }
            for i in res.labels.indices {
                guard let labels = res.labels[i] else { continue }
                let key = SeriesKey(res.keys[i])
                if let idx = st.lastSeen.index(forKey: key) {
                    st.lastSeen.values[idx].lastSeenMs = nowMs
                    continue
                }
                if l.maxSeries > 0 && st.lastSeen.count >= l.maxSeries {
                    res.labels[i] = nil
                    res.rejections[i] = LabelRejection(
                        message: "series \(i) \(labels): max series limit of \(l.maxSeries) reached (limits.max_series); new series refused",
                        reason: .seriesLimit)
                    continue
                }
                let name = labels.metricName ?? ""
                if l.maxSeriesPerMetric > 0 {
                    let n = st.perMetric[name, default: 0]
                    if n >= l.maxSeriesPerMetric {
                        res.labels[i] = nil
                        res.rejections[i] = LabelRejection(
                            message: "series \(i) \(labels): max series per metric limit of \(l.maxSeriesPerMetric) reached for metric \(GoQuote.quote(name)) (limits.max_series_per_metric); new series refused",
                            reason: .perMetricSeriesLimit)
                        continue
                    }
                }
                st.lastSeen[key] = Entry(lastSeenMs: nowMs, metric: name)
                st.perMetric[name, default: 0] += 1
            }
        }
    }

    /// Drops series idle for longer than the timeout.
    private func sweep(_ st: inout State, nowMs: Int64) {
        st.lastSweepMs = nowMs
        let cutoff = nowMs &- limits.seriesIdleTimeoutMs
        guard st.lastSeen.values.contains(where: { $0.lastSeenMs < cutoff }) else { return }
        var kept: [SeriesKey: Entry] = [:]
        kept.reserveCapacity(st.lastSeen.count)
        for (key, e) in st.lastSeen {
            if e.lastSeenMs >= cutoff {
                kept[key] = e
            } else {
                let n = st.perMetric[e.metric, default: 0] - 1
                st.perMetric[e.metric] = n > 0 ? n : nil
            }
        }
        st.lastSeen = kept
    }

    /// Active series right now (tests, `/metrics`).
    var activeSeries: Int { state.withLock { $0.lastSeen.count } }
}

/// A series key as a dictionary key. The value is already a hash of the labels (SipHash via
/// `Hasher`), so the table uses it directly (mixed with the table's seed) instead of hashing it
/// again: one known series costs a probe, not a SipHash round (measured: a third of the limiter's
/// per-series cost).
struct SeriesKey: Hashable {
    let value: UInt64
    init(_ value: UInt64) { self.value = value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
    func _rawHashValue(seed: Int) -> Int { Int(truncatingIfNeeded: value ^ UInt64(UInt(bitPattern: seed))) }
}
