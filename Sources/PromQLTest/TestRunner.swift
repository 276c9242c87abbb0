public import SundialCore
public import PromQLEngine
import PromQLSyntax

/// The outcome of one eval.
public struct EvalOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        case passed
        case failed(String)
        case skipped(String)
    }
    /// The script's name or path.
    public var file: String
    /// 1-based line of the eval.
    public var line: Int
    /// The PromQL expression.
    public var query: String
    /// Passed, failed with a message, or skipped with a reason.
    public var status: Status
    /// The eval's `expect warn|info|no_warn|no_info` lines (0 when it has none).
    public var annotationLines = 0
    /// Whether those lines held: true when the eval passed (annotations are checked first), false
    /// when it failed on them, nil when it failed for another reason first or was skipped.
    public var annotationsHeld: Bool? = nil

    /// An outcome.
    public init(file: String, line: Int, query: String, status: Status) {
        self.file = file
        self.line = line
        self.query = query
        self.status = status
    }
}

/// Runs test scripts against the engine over a fresh storage per `clear` (storage-agnostic:
/// `makeStorage` builds it). Mirrors Prometheus's runner: each instant eval is re-checked as a
/// range query around its time and with `@` injected at extra evaluation times.
public struct TestRunner: Sendable {
    public typealias Storage = any Appendable & Queryable
    let engine: Engine
    let makeStorage: @Sendable () throws -> Storage

    /// A runner. The engine's ``EngineOptions`` decide the semantics (use `.prometheus3` for the v3 scripts).
    public init(options: EngineOptions, makeStorage: @escaping @Sendable () throws -> Storage) {
        var o = options
        // Prometheus's test harness limits: 10 000 samples per query, 100 s timeout.
        o.maxSamples = min(o.maxSamples, 10_000)
        o.timeout = .seconds(100)
        // The v3 harness runs with delayed __name__ removal on.
        if o.semantics == .prometheus3 { o.delayedNameRemoval = true }
        engine = Engine(options: o)
        self.makeStorage = makeStorage
    }

    /// Runs one script file's text; `name` labels the outcomes.
    public func run(script text: String, name: String) async -> [EvalOutcome] {
        let script: TestScript
        do {
            script = try TestScript(parsing: text)
        } catch {
            return [EvalOutcome(file: name, line: error.line, query: "", status: .failed("script error: \(error.message)"))]
        }
        var outcomes: [EvalOutcome] = []
        var storage: Storage
        do { storage = try makeStorage() } catch {
            return [EvalOutcome(file: name, line: 0, query: "", status: .failed("cannot create storage: \(error)"))]
        }
        var histogramSeries: [Labels] = []
        // Series given start timestamps by `@st` lines since the last clear.
        var startTimestampSeries: [Labels] = []
        for cmd in script.commands {
            switch cmd {
            case .clear:
                do { storage = try makeStorage() } catch {
                    outcomes.append(EvalOutcome(file: name, line: 0, query: "", status: .failed("cannot create storage: \(error)")))
                    return outcomes
                }
                histogramSeries = []
                startTimestampSeries = []
            case .load(let line, let interval, let series, let withNHCB, let sts):
                // Start timestamps are parsed but not stored: the storage protocols carry no ST yet
                // (Prometheus 3's st-storage); evals failing after such a load are skipped.
                for st in sts where st.offsets.contains(where: { $0 != nil }) && !startTimestampSeries.contains(st.labels) {
                    startTimestampSeries.append(st.labels)
                }
                if withNHCB {
                    // load_with_nhcb also stores a native histogram per classic histogram: its name
                    // without the _bucket/_sum/_count suffix, its labels without `le`.
                    for (labels, _) in series {
                        guard var n = labels.metricName else { continue }
                        for suffix in ["_bucket", "_sum", "_count"] where n.hasSuffix(suffix) { n.removeLast(suffix.count) }
                        let h = labels.removing(["le"]).setting(Labels.metricName, to: n)
                        if !histogramSeries.contains(h) { histogramSeries.append(h) }
                    }
                }
                var app = storage.appender()
                var loadError: String? = nil
                // A commit applies its floats before its histograms (as Prometheus 2.42's head appender
                // does), so a series that switches between floats and histograms is committed at each
                // switch to keep its points in time order.
                func commitSwitch() {
                    do { try app.commit() } catch { loadError = "commit: \(error)" }
                    app = storage.appender()
                }
                // A series defined twice in one load: the last definition wins (upstream keeps a map).
                var last: [Labels: Int] = [:]
                for (i, s) in series.enumerated() { last[s.labels] = i }
                for (i, (labels, values)) in series.enumerated() where last[labels] == i {
                    var ref = SeriesRef.none
                    var lastWasHistogram: Bool? = nil
                    for (i, v) in values.enumerated() {
                        switch v {
                        case .gap: continue
                        case .histogram: if lastWasHistogram == false { commitSwitch() }; lastWasHistogram = true
                        case .float: if lastWasHistogram == true { commitSwitch() }; lastWasHistogram = false
                        }
                        switch v {
                        case .gap: continue
                        case .histogram(let h, _):
                            if histogramSeries.last != labels { histogramSeries.append(labels) }
                            do {
                                ref = try app.appendHistogram(ref: ref, labels: labels, timestamp: Int64(i) * interval,
                                                              histogram: nil, floatHistogram: h)
                            } catch {
                                // Storage without native histograms: the evals reading them are skipped.
                                if error.reason != .invalidHistogram { loadError = error.description }
                            }
                        case .float(let x):
                            do {
                                ref = try app.append(ref: ref, labels: labels, timestamp: Int64(i) * interval, value: x)
                            } catch {
                                loadError = error.description
                            }
                        }
                    }
                }
                if withNHCB {
                    var last: [Labels: Int] = [:]
                    for (i, s) in series.enumerated() { last[s.labels] = i }
                    let unique = series.enumerated().filter { last[$0.element.labels] == $0.offset }.map(\.element)
                    for (labels, samples) in NHCBConversion.convert(unique, interval: interval) {
                        var ref = SeriesRef.none
                        for (t, h) in samples {
                            do {
                                ref = try app.appendHistogram(ref: ref, labels: labels, timestamp: t, histogram: nil,
                                                              floatHistogram: h)
                            } catch {
                                if error.reason != .invalidHistogram { loadError = error.description }
                            }
                        }
                    }
                }
                do { try app.commit() } catch { loadError = "commit: \(error)" }
                if let e = loadError {
                    outcomes.append(EvalOutcome(file: name, line: line, query: "load", status: .failed("load failed: \(e)")))
                }
            case .eval(let e):
                var status = await evaluate(e, storage)
                if case .failed(let msg) = status {
                    // Only an eval reading series that have start timestamps may be skipped for
                    // them; any other failure of start_timestamps.test is a failure.
                    if !startTimestampSeries.isEmpty, touchesAny(e.query, startTimestampSeries) {
                        status = .skipped("start timestamps (@st) are not stored: \(msg)")
                    } else if e.mentionsHistograms {
                        status = .skipped("native histograms: \(msg)")
                    } else if !histogramSeries.isEmpty, touchesAny(e.query, histogramSeries) {
                        status = .skipped("native histograms (query reads histogram series; float result: \(msg))")
                    }
                }
                var outcome = EvalOutcome(file: name, line: e.line, query: e.query, status: status)
                outcome.annotationLines = e.annotationExpectationLines
                if outcome.annotationLines > 0 {
                    switch status {
                    case .passed: outcome.annotationsHeld = true
                    case .failed(let m) where m.hasPrefix(AnnotationChecks.failurePrefix): outcome.annotationsHeld = false
                    default: outcome.annotationsHeld = nil
                    }
                }
                outcomes.append(outcome)
            }
        }
        return outcomes
    }

    /// True when a selector of `query` matches one of `hs` (the histogram series, or those with
    /// start timestamps).
    func touchesAny(_ query: String, _ hs: [Labels]) -> Bool {
        guard let expr = try? engine.parse(query) else { return false }
        for vs in AtInjection.selectors(expr) {
            for l in hs where vs.matchers.allSatisfy({ $0.matches(l.get($0.name) ?? "") }) { return true }
        }
        return false
    }

    func evaluate(_ e: EvalCommand, _ storage: Storage) async -> EvalOutcome.Status {
        let expr: Expr
        do {
            expr = try engine.parse(e.query)
        } catch {
            if e.expectFail { return checkFailMessage(e, error) }
            return .failed("parse error: \(error.message)")
        }
        if e.isRange {
            do {
                let r = try await engine.rangeQuery(expr, start: e.start, end: e.end, step: e.step, storage: storage)
                if e.expectFail { return .failed("expected error, got none") }
                if let m = AnnotationChecks.check(e, r.annotations) { return .failed(AnnotationChecks.failurePrefix + m) }
                return ResultComparison.compareRange(r.value, e)
            } catch {
                return e.expectFail ? checkFailMessage(e, error) : .failed("error: \(error.message)")
            }
        }
        // The eval itself, then the @ variants.
        var cases: [(Expr, Int64, String)] = [(expr, e.start, "")]
        if !AtInjection.containsUnsafe(expr) {
            let t = e.start
            let injected = AtInjection.inject(expr, t)
            let times: [Int64] = t == 0 ? [-1000, 0, 1000] : [-10 * t, 0, t / 5, t, 10 * t]
            for et in times { cases.append((injected, et, " (with @ \(t)ms, evaluated at \(et)ms)")) }
        }
        for (x, at, note) in cases {
            let result: QueryResult
            do {
                result = try await engine.instantQuery(x, at: at, storage: storage)
            } catch {
                if e.expectFail {
                    if case .failed(let m) = checkFailMessage(e, error) { return .failed(m + note) }
                    continue
                }
                return .failed("error: \(error.message)\(note)")
            }
            if e.expectFail { return .failed("expected error, got none\(note)") }
            if let m = AnnotationChecks.check(e, result.annotations) { return .failed(AnnotationChecks.failurePrefix + m + note) }
            if case .failed(let m) = ResultComparison.compareInstant(result.value, e) { return .failed(m + note) }
            // Range-mode check: the middle step of [t-1m, t+1m] must equal the instant result.
            let skipRange = e.ordered || AtInjection.calls(x, [.start, .end, .range, .step])
                || AtInjection.usesQueryDurations(x)
            switch (result.value, e.expected) {
            case (.string, _), (.matrix, _), (_, .string), (_, .rangeVector): continue
            default: break
            }
            if skipRange { continue }
            do {
                let r = try await engine.rangeQuery(x, start: at - 60_000, end: at + 60_000, step: 60_000, storage: storage)
                guard case .matrix(let m) = r.value else { return .failed("range mode: not a matrix\(note)") }
                var vec: [VectorSample] = []
                for s in m {
                    if let k = s.timestamps.firstIndex(of: at) {
                        vec.append(VectorSample(labels: s.labels, timestamp: at, value: s.values[k]))
                    }
                    if let k = s.histogramTimestamps.firstIndex(of: at) {
                        vec.append(VectorSample(labels: s.labels, timestamp: at, histogram: s.histograms[k]))
                    }
                }
                let asInstant: QueryValue
                if case .scalar = result.value {
                    asInstant = .scalar(at, vec.first?.value ?? .nan)
                } else {
                    asInstant = .vector(vec)
                }
                var unordered = e
                unordered.ordered = false
                if case .failed(let msg) = ResultComparison.compareInstant(asInstant, unordered) {
                    return .failed("range mode: \(msg)\(note)")
                }
            } catch {
                return .failed("range mode error: \(error.message)\(note)")
            }
        }
        return .passed
    }

    func checkFailMessage(_ e: EvalCommand, _ error: EvaluationError) -> EvalOutcome.Status {
        if let m = e.failMessage, m != error.message {
            return .failed("expected error message \(GoQuote.quote(m)), got \(GoQuote.quote(error.message))")
        }
        if let r = e.failRegex {
            if let re = try? RE2Regex(r), !re.partialMatch(error.message) {
                return .failed("expected error matching \(GoQuote.quote(r)), got \(GoQuote.quote(error.message))")
            }
        }
        return .passed
    }
}

extension RE2Regex {
    /// Unanchored search (Go's `MatchString`).
    func partialMatch(_ s: String) -> Bool {
        guard let re = try? RE2Regex("(?s:.*)(?:" + pattern + ")(?s:.*)") else { return false }
        return re.fullMatch(s)
    }
}
