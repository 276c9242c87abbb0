import SundialCore

/// The evaluation times of one (sub)query: `start, start + interval, ..., <= end` (closed), in ms.
/// An instant evaluation has `start == end` and one step.
struct StepGrid: Sendable, Equatable {
    /// First evaluation time, ms.
    var start: Timestamp
    /// Last evaluation time bound, ms (inclusive).
    var end: Timestamp
    /// Distance between evaluation times, ms (> 0; 1 for instant evaluations).
    var interval: Int64
    /// Number of steps (≥ 1).
    var count: Int

    init(start: Timestamp, end: Timestamp, interval: Int64) {
        self.start = start
        self.end = end
        self.interval = max(1, interval)
        count = end < start ? 0 : Int((end - start) / self.interval) + 1
    }

    /// The time of step `i`.
    @inline(__always) func time(_ i: Int) -> Timestamp { start + Int64(i) * interval }
}

/// One series of an instant-vector value over every step of a ``StepGrid``: dense values with a
/// presence flag per step (a series may be absent at some steps).
struct StepSeries: Sendable {
    var labels: Labels
    var values: [Double]
    var present: [Bool]
    /// v3 delayed name removal: `__name__` is still in ``labels`` but goes at the end of the query
    /// (set instead of dropping the name when ``EngineOptions/delayedNameRemoval`` is on).
    var dropName = false
    /// Native-histogram side column: empty for a float-only series (the common case, no cost);
    /// otherwise one entry per step, non-nil where the step's value is a histogram (then
    /// `present[i]` is true and `values[i]` is unused).
    var histograms: [FloatHistogram?] = []

    init(labels: Labels, steps: Int) {
        self.labels = labels
        values = [Double](repeating: 0, count: steps)
        present = [Bool](repeating: false, count: steps)
    }

    /// Runs `body` over ``values`` and ``present`` as spans. The arrays are moved out of `self` for
    /// the call, so they are uniquely held and element writes skip the per-write uniqueness check
    /// that writes through `inout self` would pay.
    @inline(__always)
    mutating func withColumns<R>(_ body: (inout MutableSpan<Double>, inout MutableSpan<Bool>) -> R) -> R {
        var valuesArray: [Double] = [], presentArray: [Bool] = []
        swap(&valuesArray, &values)
        swap(&presentArray, &present)
        defer {
            swap(&valuesArray, &values)
            swap(&presentArray, &present)
        }
        var vs = valuesArray.mutableSpan
        var ps = presentArray.mutableSpan
        return body(&vs, &ps)
    }

    /// Number of steps with a value.
    var pointCount: Int {
        var n = 0
        for p in present where p { n += 1 }
        return n
    }
}

/// Samples of one series in time order, stale markers removed: the input of range functions
/// (from a range selector or a subquery).
struct RangeSeries: Sendable {
    var labels: Labels
    var timestamps: [Timestamp]
    var values: [Double]
    /// See ``StepSeries/dropName`` (a subquery over a name-dropping expression keeps the mark).
    var dropName = false
    /// Native-histogram points (side columns, time order; no time is in both columns).
    var histogramTimestamps: [Timestamp] = []
    var histograms: [FloatHistogram] = []
}

/// What evaluating a node produces.
enum EvalValue: Sendable {
    /// One value per step.
    case scalar([Double])
    /// A string (constant over steps).
    case string(String)
    /// An instant vector over the steps.
    case vector([StepSeries])
    /// A range vector, only for an instant evaluation of a range selector or subquery.
    case matrix([RangeSeries])
}

/// Collects per-step output samples into series keyed by label set, detecting two samples with
/// the same label set at one step (Prometheus: "vector cannot contain metrics with the same labelset").
struct VectorBuilder {
    let steps: Int
    var series: [StepSeries] = []
    var index: [Labels: Int] = [:]

    init(steps: Int) { self.steps = steps }

    /// The output slot for `labels`, created on first use; `dropName` marks it for delayed name
    /// removal (sticky: one marked contribution marks the slot).
    mutating func slot(_ labels: Labels, dropName: Bool = false) -> Int {
        if let i = index[labels] {
            if dropName { series[i].dropName = true }
            return i
        }
        let i = series.count
        var s = StepSeries(labels: labels, steps: steps)
        s.dropName = dropName
        series.append(s)
        index[labels] = i
        return i
    }

    /// Sets the value of slot `i` at `step`.
    /// - Throws: ``EvaluationError`` when the slot already has a value at that step.
    @inline(__always)
    mutating func set(_ i: Int, _ step: Int, _ v: Double) throws(EvaluationError) {
        if series[i].present[step] {
            throw EvaluationError(.execution, "vector cannot contain metrics with the same labelset")
        }
        series[i].present[step] = true
        series[i].values[step] = v
    }

    /// The collected series, dropping slots that never got a value.
    func finish() -> [StepSeries] { series.filter { $0.present.contains(true) } }
}
