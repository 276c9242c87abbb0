import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SundialCore
import SundialTSDB

/// `sundial tsdb dump DIR`: prints every sample in a data directory, one per line, exactly as
/// `promtool tsdb dump` (2.42) prints it: `{labels} value timestamp_ms`, the value formatted
/// like Go's `%g`. Series in label order, samples in time order, so the output compares to
/// promtool's with `sort | cmp`.
///
/// Opens the directory read-only: no lock is taken, and the WAL is replayed from a temporary
/// copy, so a live directory can be dumped.
struct TSDBDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Dump samples from a data directory (like promtool tsdb dump)."
    )

    @Argument(help: "The data directory.")
    var directory: String

    @Option(name: .customLong("min-time"), help: "Minimum timestamp to dump (ms, inclusive).")
    var minTime: Int64 = TimestampLimits.min

    @Option(name: .customLong("max-time"), help: "Maximum timestamp to dump (ms, inclusive).")
    var maxTime: Int64 = TimestampLimits.max

    func run() throws {
        let db = try DB.open(directory: directory, options: DBOptions(readOnly: true))
        defer { try? db.close() }
        let q = try db.querier(minTime: minTime, maxTime: maxTime)
        defer { q.close() }
        let all = try LabelMatcher(.regexMatch, Labels.metricName, ".*")
        var out = StandardOutput()
        var buffer = SampleBuffer()
        for series in try q.select(sorted: true, hints: nil, matchers: [all]) {
            buffer.removeAll()
            try series.samples(minTime: minTime, maxTime: maxTime, into: &buffer)
            let prefix = series.labels.description + " "
            for i in 0..<buffer.count {
                out.write(prefix)
                out.write(GoFloat.formatG(buffer.values[i]))
                out.write(" ")
                out.write(String(buffer.timestamps[i]))
                out.write("\n")
            }
        }
        out.flush()
    }
}

/// Buffered stdout (one `print` per sample is slow).
struct StandardOutput {
    var buffer: [UInt8] = []
    mutating func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(1, b.baseAddress! + off, b.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Go's `fmt` `%g` for float64 with the shortest representation, as promtool prints values:
/// the `%e` form when the decimal exponent is < -4 or >= 6 (`strconv/ftoa.go`, case 'g': "if
/// precision was the shortest possible, use precision 6 for this decision"), with at least two
/// exponent digits; the `%f` form otherwise. Infinities print as `+Inf`/`-Inf`, NaN as `NaN`.
enum GoFloat {
    static func formatG(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (negative, digits, dp) = shortestDigits(v)
        let nd = digits.count
        let exp = dp - 1
        var s = negative ? "-" : ""
        if exp < -4 || exp >= 6 {
            // d.ddddde±XX
            s.append(digits[digits.startIndex])
            if nd > 1 {
                s.append(".")
                s.append(contentsOf: digits.dropFirst())
            }
            s.append("e")
            s.append(exp < 0 ? "-" : "+")
            let e = abs(exp)
            if e < 10 { s.append("0") }
            s.append(String(e))
            return s
        }
        // %f with max(nd - dp, 0) decimals.
        if dp <= 0 {
            s.append("0.")
            s.append(String(repeating: "0", count: -dp))
            s.append(contentsOf: digits)
        } else if dp >= nd {
            s.append(contentsOf: digits)
            s.append(String(repeating: "0", count: dp - nd))
        } else {
            s.append(contentsOf: digits.prefix(dp))
            s.append(".")
            s.append(contentsOf: digits.dropFirst(dp))
        }
        return s
    }

    /// The shortest round-trip decimal digits of a finite non-zero `v` (from Swift's own
    /// shortest-representation `description`) and the decimal point position: v = 0.d1d2… × 10^dp.
    static func shortestDigits(_ v: Double) -> (negative: Bool, digits: String, dp: Int) {
        var text = Substring(abs(v).description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits = ""
        var pointAt: Int? = nil
        for c in text {
            if c == "." { pointAt = digits.count } else { digits.append(c) }
        }
        var dp = (pointAt ?? digits.count) + exponent
        // Strip leading zeros (moving the point) and trailing zeros.
        while digits.first == "0" {
            digits.removeFirst()
            dp -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (v < 0, digits, dp)
    }
}
