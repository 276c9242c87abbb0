public import SundialCore

/// Parsing of Prometheus API time and duration parameters (`web/api/v1/api.go` `parseTime`,
/// `parseDuration`; `prometheus/common/model` `ParseDuration`). Pure; thread-safe.
public enum TimeParsing {
    /// Prometheus's `minTime` (`time.Unix(math.MinInt64/1000+62135596801, 0)`) in ms: the default
    /// `start` of the metadata endpoints.
    public static let minTimeMs: Timestamp = (Int64.min / 1000 + 62_135_596_801) * 1000
    /// Prometheus's `maxTime` (`time.Unix(math.MaxInt64/1000-62135596801, 999999999)`) in ms.
    public static let maxTimeMs: Timestamp = (Int64.max / 1000 - 62_135_596_801) * 1000 + 999
    /// `minTime.Format(time.RFC3339Nano)`, accepted literally (Go's parser handles only 4-digit years).
    public static let minTimeFormatted = "-292273086-05-16T16:47:06Z"
    /// `maxTime.Format(time.RFC3339Nano)`, accepted literally.
    public static let maxTimeFormatted = "292277025-08-18T07:12:54.999999999Z"

    /// Parses a time: float Unix seconds (rounded to ms) or RFC 3339 with optional fraction, or one
    /// of the min/max sentinels. Returns ms since the epoch.
    /// - Throws: a message `cannot parse "<s>" to a valid timestamp` (Prometheus's text).
    public static func parseTime(_ s: String) throws(APIError) -> Timestamp {
        if let f = Double(s), looksLikeGoFloat(s) {
            guard f.isFinite else { throw APIError.badData("cannot parse \(GoQuote.quote(s)) to a valid timestamp") }
            // api.go: s, ns := math.Modf(t); ns = math.Round(ns*1000)/1000; time.Unix(int64(s), int64(ns*1e9)).
            let whole = f.rounded(.towardZero)
            let frac = ((f - whole) * 1000).rounded(.toNearestOrAwayFromZero)
            let limit = Double(Int64.max / 1000 - 1)
            guard whole.magnitude < limit else {
                return whole < 0 ? minTimeMs : maxTimeMs
            }
            return Int64(whole) * 1000 + Int64(frac)
        }
        if let t = parseRFC3339(s) { return t }
        if s == minTimeFormatted { return minTimeMs }
        if s == maxTimeFormatted { return maxTimeMs }
        throw APIError.badData("cannot parse \(GoQuote.quote(s)) to a valid timestamp")
    }

    /// Parses a duration: float seconds or a Prometheus duration (`1h30m`, `5m`, `15s`, `100ms`,
    /// `1d`, `2w`, `1y`). Returns **nanoseconds** (Go's `time.Duration`), so callers can apply
    /// Prometheus's checks at its resolution before converting to ms.
    /// - Throws: Prometheus's messages (`cannot parse "<s>" to a valid duration`, `… It overflows int64`).
    public static func parseDurationNanos(_ s: String) throws(APIError) -> Int64 {
        if let f = Double(s), looksLikeGoFloat(s) {
            let ns = f * 1e9
            if ns.isNaN { return Int64.min }  // Go converts NaN to MinInt64 on amd64
            if ns >= 9.223372036854775807e18 || ns < -9.223372036854775808e18 {
                throw APIError.badData("cannot parse \(GoQuote.quote(s)) to a valid duration. It overflows int64")
            }
            return Int64(ns)
        }
        if let ms = parsePrometheusDurationMs(s) {
            let (ns, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
            if !overflow { return ns }
        }
        throw APIError.badData("cannot parse \(GoQuote.quote(s)) to a valid duration")
    }

    /// `model.ParseDuration`: `^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$`, or
    /// `"0"`. Returns ms, or nil when malformed or out of range.
    public static func parsePrometheusDurationMs(_ s: String) -> Int64? {
        if s == "0" { return 0 }
        if s.isEmpty { return nil }
        // Units in the only order the regexp allows, with their size in ms.
        let units: [(String, Int64)] = [
            ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
            ("m", 60_000), ("s", 1000), ("ms", 1),
        ]
        let b = Array(s.utf8)
        var i = 0
        var nextUnit = 0
        var total: Int64 = 0
        while i < b.count {
            var n: Int64 = 0
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 0x30))
                if o1 || o2 { return nil }
                n = a
                i += 1
            }
            if i == start || i == b.count { return nil }
            // Unit: "ms" must be tried before "m".
            var unitEnd = i
            while unitEnd < b.count, !(b[unitEnd] >= 0x30 && b[unitEnd] <= 0x39) { unitEnd += 1 }
            let unit = String(decoding: b[i..<unitEnd], as: UTF8.self)
            guard let idx = units.firstIndex(where: { $0.0 == unit }), idx >= nextUnit else { return nil }
            nextUnit = idx + 1
            let (v, o1) = n.multipliedReportingOverflow(by: units[idx].1)
            let (t, o2) = total.addingReportingOverflow(v)
            if o1 || o2 { return nil }
            total = t
            i = unitEnd
        }
        return total
    }

    /// Go's `ParseFloat` accepts decimal and hex floats, `Inf`/`Infinity`/`NaN` in any case with an
    /// optional sign; Swift's `Double(_:)` additionally accepts `nan(...)` payloads. Reject those.
    private static func looksLikeGoFloat(_ s: String) -> Bool {
        !s.utf8.contains(UInt8(ascii: "("))
    }

    /// RFC 3339 (`2006-01-02T15:04:05.999999999Z07:00`, the fraction optional) → ms, truncating
    /// sub-millisecond digits as `timestamp.FromTime` does. Nil when malformed or out of range.
    public static func parseRFC3339(_ s: String) -> Timestamp? {
        let b = Array(s.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == UInt8(ascii: c.unicodeScalars.first!) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            expect("T"), let hour = digits(2), expect(":"), let minute = digits(2), expect(":"),
            let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if n < 3 { millis = millis * 10 + Int(b[i] - 0x30) }
                n += 1
                i += 1
            }
            guard n > 0, n <= 9 else { return nil }
            if n < 3 { for _ in n..<3 { millis *= 10 } }
        }
        var offsetSeconds = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(":"), let om = digits(2), oh < 24, om < 60 else { return nil }
            offsetSeconds = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return secs * 1000 + Int64(millis)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Formats ms since the epoch as RFC 3339 with millisecond precision in UTC
    /// (`2024-01-02T03:04:05.678Z`), as Go's `time.Format(time.RFC3339Nano)` trims zeros.
    public static func formatRFC3339(_ ms: Timestamp) -> String {
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let milli = Int(ms - secs * 1000)
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        var rem = Int(secs - days * 86_400)
        let civil = CivilDate.fromDays(days)
        let (y, m, d) = (Int(civil.year), Int(civil.month), Int(civil.day))
        let hh = rem / 3600
        rem %= 3600
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: Swift.max(0, w - s.count)) + s
        }
        var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hh, 2)):\(pad(rem / 60, 2)):\(pad(rem % 60, 2))"
        if milli != 0 {
            var f = pad(milli, 3)
            while f.hasSuffix("0") { f.removeLast() }
            out += "." + f
        }
        return out + "Z"
    }
}
