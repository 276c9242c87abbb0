import SundialCore

/// The v3 `@st` line of a `load` block: `metric{…}@st <items>` gives a start timestamp (created
/// timestamp) to each sample of the series on the same position of its value line, as an offset
/// from the sample's own time (Prometheus 3.12+ `promqltest`, start_timestamps.test):
///
/// - `_`: no start timestamp for one sample; `_xN`: none for N samples;
/// - `<dur>`: one sample with this offset; `<dur>xN`: N+1 samples with it;
/// - `<dur>±<dur>xN`: N+1 samples, the offset stepping by the second duration
///   (`-30s-1mx2` is -30s, -90s, -150s).
///
/// Durations may be signed (`-1ms`, `+1m`), `0` needs no unit.
enum StartTimestampNotation {
    /// Whether `text` (a trimmed load line) is an `@st` line, and its series selector text.
    static func seriesText(ofLine text: String) -> Substring? {
        guard let r = text.firstRange(of: "@st") else { return nil }
        let after = text[r.upperBound...]
        guard after.isEmpty || after.first == " " || after.first == "\t" else { return nil }
        return text[..<r.lowerBound]
    }

    /// Parses an `@st` line into the series labels and one offset per value position (nil where
    /// the sample has no start timestamp).
    /// - Throws: ``ScriptError`` on malformed items.
    static func parseLine(_ text: String, line: Int) throws(ScriptError) -> (labels: Labels, offsets: [Int64?]) {
        guard let series = seriesText(ofLine: text) else { throw ScriptError(line: line, "not an @st line") }
        let (labels, rest) = try SeriesNotation.parseSeries(series, line: line)
        guard rest.allSatisfy({ $0 == " " || $0 == "\t" }) else {
            throw ScriptError(line: line, "unexpected text between series and @st")
        }
        let items = text[text.firstRange(of: "@st")!.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\t" })
        var offsets: [Int64?] = []
        for item in items { offsets += try parseItem(String(item), line: line) }
        return (labels, offsets)
    }

    /// One item of an `@st` sequence.
    static func parseItem(_ item: String, line: Int) throws(ScriptError) -> [Int64?] {
        func bad() -> ScriptError { ScriptError(line: line, "invalid start timestamp item \(GoQuote.quote(item))") }
        var body = Substring(item)
        var repeats: Int? = nil
        if let x = body.lastIndex(of: "x"), let n = Int(body[body.index(after: x)...]), n >= 0 {
            repeats = n
            body = body[..<x]
        }
        if body == "_" {
            // `_xN` is N gaps (as in value sequences); `_` one.
            return [Int64?](repeating: nil, count: repeats ?? 1)
        }
        // Split `<dur>±<dur>` at a sign after the first character.
        var base = body, step: Substring? = nil
        if let k = body.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" }) {
            base = body[..<k]
            step = body[k...]
        }
        guard let b = duration(base) else { throw bad() }
        var s: Int64 = 0
        if let step {
            guard let v = duration(step), repeats != nil else { throw bad() }
            s = v
        }
        let n = repeats ?? 0
        return (0...n).map { Optional(b + Int64($0) * s) }
    }

    /// A signed duration (`-59999ms`, `+1m`, `0`).
    static func duration(_ text: Substring) -> Int64? {
        var t = text
        var sign: Int64 = 1
        if t.first == "+" { t = t.dropFirst() } else if t.first == "-" { sign = -1; t = t.dropFirst() }
        guard !t.isEmpty, t.first != "+", t.first != "-", let v = SeriesNotation.parseDuration(String(t)) else {
            return nil
        }
        return sign * v
    }
}
