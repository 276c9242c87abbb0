import SundialCore

/// What an eval expects.
public enum ExpectedResult: Sendable {
    /// Series lines (an instant vector, or a matrix for range evals); empty means no result.
    case series([(labels: Labels, values: [SeriesValue])])
    /// A bare number.
    case scalar(Double)
    /// `expect string "..."` (v3).
    case string(String)
    /// `expect range vector from a to b step s` (v3): an instant query returning a matrix.
    case rangeVector(start: Int64, end: Int64, step: Int64, series: [(labels: Labels, values: [SeriesValue])])
}

/// One `eval` command.
public struct EvalCommand: Sendable {
    /// 1-based line of the `eval` line.
    public var line: Int
    public var query: String
    /// Instant evals: `start == end`, `step == 0`.
    public var isRange: Bool
    public var start: Int64
    public var end: Int64
    public var step: Int64
    public var expectFail = false
    public var failMessage: String?
    public var failRegex: String?
    public var ordered = false
    public var expectWarn = false
    public var expectInfo = false
    public var expectNoWarn = false
    public var expectNoInfo = false
    /// The `msg:`/`regex:` arguments of the `expect warn` lines (nil: any warning), in order.
    public var warnExpectations: [AnnotationExpectation] = []
    /// The `msg:`/`regex:` arguments of the `expect info` lines (nil: any info), in order.
    public var infoExpectations: [AnnotationExpectation] = []
    public var expected: ExpectedResult = .series([])
    /// The eval's own block contains native-histogram notation.
    public var mentionsHistograms = false
}

/// One command of a script.
public enum ScriptCommand: Sendable {
    /// `load <interval>`: series and their values at `i × interval` ms; `startTimestamps` holds the
    /// v3 `@st` lines: per series, one start-timestamp offset (ms, from the sample's time) per value
    /// position, nil for none (see ``StartTimestampNotation``).
    case load(line: Int, interval: Int64, series: [(labels: Labels, values: [SeriesValue])], withNHCB: Bool,
              startTimestamps: [(labels: Labels, offsets: [Int64?])])
    /// `clear`.
    case clear(line: Int)
    /// An eval.
    case eval(EvalCommand)
}

/// A parsed test script (Prometheus's `promqltest` format; see `../shared/promql-testdata/README.md`).
public struct TestScript: Sendable {
    public var commands: [ScriptCommand]

    /// Parses a script. Comments and blank lines end a command's block, as upstream.
    /// - Throws: ``ScriptError`` with the line of the first malformed command.
    public init(parsing text: String) throws(ScriptError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { l -> String in
            let t = l.trimmingCharacters(in: " \t\r")
            return t.hasPrefix("#") ? "" : t
        }
        var cmds: [ScriptCommand] = []
        var i = 0
        while i < lines.count {
            let l = lines[i]
            if l.isEmpty { i += 1; continue }
            let lineNo = i + 1
            // The block: following non-blank lines.
            var block: [(Int, String)] = []
            var j = i + 1
            while j < lines.count && !lines[j].isEmpty {
                block.append((j + 1, lines[j]))
                j += 1
            }
            let words = l.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let head = words[0]
            if head == "clear" {
                cmds.append(.clear(line: lineNo))
                i += 1
                continue
            }
            if head == "load" || head == "load_with_nhcb" {
                guard words.count >= 2, let interval = SeriesNotation.parseDuration(words[1]) else {
                    throw ScriptError(line: lineNo, "invalid load command")
                }
                var series: [(labels: Labels, values: [SeriesValue])] = []
                var startTimestamps: [(labels: Labels, offsets: [Int64?])] = []
                for (n, text) in block {
                    if StartTimestampNotation.seriesText(ofLine: text) != nil {
                        startTimestamps.append(try StartTimestampNotation.parseLine(text, line: n))
                        continue
                    }
                    let (labels, rest) = try SeriesNotation.parseSeries(Substring(text), line: n)
                    series.append((labels, try SeriesNotation.parseValues(String(rest), line: n)))
                }
                cmds.append(.load(line: lineNo, interval: interval, series: series, withNHCB: head == "load_with_nhcb",
                                  startTimestamps: startTimestamps))
                i = j
                continue
            }
            if head.hasPrefix("eval") {
                cmds.append(.eval(try TestScript.parseEval(l, words: words, line: lineNo, block: block)))
                i = j
                continue
            }
            throw ScriptError(line: lineNo, "unknown command \(GoQuote.quote(head))")
        }
        commands = cmds
    }

    static func parseEval(_ l: String, words: [String], line: Int, block: [(Int, String)]) throws(ScriptError)
        -> EvalCommand
    {
        let head = words[0]
        var cmd = EvalCommand(line: line, query: "", isRange: false, start: 0, end: 0, step: 0)
        switch head {
        case "eval": break
        case "eval_fail": cmd.expectFail = true
        case "eval_ordered": cmd.ordered = true
        case "eval_warn": cmd.expectWarn = true
        case "eval_info": cmd.expectInfo = true
        default: throw ScriptError(line: line, "unknown eval command \(head)")
        }
        guard words.count >= 2 else { throw ScriptError(line: line, "incomplete eval") }
        var consumed: Int
        if words[1] == "instant" {
            guard words.count >= 5, words[2] == "at", let t = SeriesNotation.parseDuration(words[3]) else {
                throw ScriptError(line: line, "invalid instant eval: \(l)")
            }
            cmd.start = t
            cmd.end = t
            consumed = 4
        } else if words[1] == "range" {
            guard words.count >= 9, words[2] == "from", words[4] == "to", words[6] == "step",
                  let a = SeriesNotation.parseDuration(words[3]), let b = SeriesNotation.parseDuration(words[5]),
                  let s = SeriesNotation.parseDuration(words[7]) else {
                throw ScriptError(line: line, "invalid range eval: \(l)")
            }
            cmd.isRange = true
            cmd.start = a
            cmd.end = b
            cmd.step = s
            consumed = 8
        } else {
            throw ScriptError(line: line, "invalid eval: \(l)")
        }
        // The query is the rest of the line after the consumed words.
        var rest = Substring(l)
        for _ in 0..<consumed {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            rest = rest.drop { $0 != " " && $0 != "\t" }
        }
        cmd.query = String(rest.drop { $0 == " " || $0 == "\t" })
        if l.contains("{{") { cmd.mentionsHistograms = true }

        var series: [(labels: Labels, values: [SeriesValue])] = []
        var scalar: Double? = nil
        var str: String? = nil
        var rangeVector: (Int64, Int64, Int64)? = nil
        for (n, text) in block {
            if text.contains("{{") { cmd.mentionsHistograms = true }
            if text.hasPrefix("expected_fail_message") {
                cmd.expectFail = true
                cmd.failMessage = String(text.dropFirst("expected_fail_message".count)).trimmingCharacters(in: " \t")
                continue
            }
            if text.hasPrefix("expected_fail_regexp") {
                cmd.expectFail = true
                cmd.failRegex = String(text.dropFirst("expected_fail_regexp".count)).trimmingCharacters(in: " \t")
                continue
            }
            if text.hasPrefix("expect ") {
                let body = text.dropFirst("expect ".count).trimmingCharacters(in: " \t")
                let kind = body.prefix { $0 != " " && $0 != "\t" }
                let arg = body.dropFirst(kind.count).trimmingCharacters(in: " \t")
                switch kind {
                case "fail":
                    cmd.expectFail = true
                    if arg.hasPrefix("msg:") { cmd.failMessage = arg.dropFirst(4).trimmingCharacters(in: " \t") }
                    if arg.hasPrefix("regex:") { cmd.failRegex = arg.dropFirst(6).trimmingCharacters(in: " \t") }
                case "warn":
                    cmd.expectWarn = true
                    cmd.warnExpectations.append(AnnotationExpectation(argument: arg))
                case "info":
                    cmd.expectInfo = true
                    cmd.infoExpectations.append(AnnotationExpectation(argument: arg))
                case "no_warn": cmd.expectNoWarn = true
                case "no_info": cmd.expectNoInfo = true
                case "ordered": cmd.ordered = true
                case "string":
                    let (s, _) = try SeriesNotation.parseQuoted(Substring(arg), line: n)
                    str = s
                case "range":
                    let w = arg.split(separator: " ").map(String.init)
                    guard w.count == 7, w[0] == "vector", w[1] == "from", w[3] == "to", w[5] == "step",
                          let a = SeriesNotation.parseDuration(w[2]), let b = SeriesNotation.parseDuration(w[4]),
                          let s = SeriesNotation.parseDuration(w[6]) else {
                        throw ScriptError(line: n, "invalid expect range vector")
                    }
                    rangeVector = (a, b, s)
                default:
                    throw ScriptError(line: n, "unknown expectation \(kind)")
                }
                continue
            }
            if let v = SeriesNotation.parseFloat(text) {
                scalar = v
                continue
            }
            let (labels, rest) = try SeriesNotation.parseSeries(Substring(text), line: n)
            series.append((labels, try SeriesNotation.parseValues(String(rest), line: n)))
        }
        if let s = str {
            cmd.expected = .string(s)
        } else if let (a, b, s) = rangeVector {
            cmd.expected = .rangeVector(start: a, end: b, step: s, series: series)
        } else if let v = scalar, series.isEmpty {
            cmd.expected = .scalar(v)
        } else {
            cmd.expected = .series(series)
        }
        return cmd
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
