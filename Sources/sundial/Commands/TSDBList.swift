import ArgumentParser
import SundialCore
import SundialTSDB

/// `sundial tsdb list DIR`: one line per block with the columns of `promtool tsdb list`
/// (ULID, min/max time in ms, duration, samples, chunks, series, size). Works on Sundial and
/// Prometheus data directories; opens them read-only (nothing on disk changes).
struct TSDBList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the blocks of a data directory (like promtool tsdb list)."
    )

    @Argument(help: "The data directory.")
    var directory: String

    @Flag(name: [.short, .customLong("human-readable")], help: "Print times as RFC 3339 and sizes with units.")
    var humanReadable = false

    func run() throws {
        let store = try BlockStore(directory: directory, readOnly: true)
        var rows = [["BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE"]]
        for b in store.blocks {
            let m = b.meta
            rows.append([
                m.ulid.string,
                humanReadable ? TSDBFormat.rfc3339(m.minTime) : String(m.minTime),
                humanReadable ? TSDBFormat.rfc3339(m.maxTime) : String(m.maxTime),
                TSDBFormat.goDuration(m.maxTime - m.minTime),
                String(m.stats.numSamples), String(m.stats.numChunks), String(m.stats.numSeries),
                humanReadable ? TSDBFormat.bytes(b.size) : String(b.size),
            ])
        }
        print(TSDBFormat.table(rows), terminator: "")
        for e in store.skipped { print("skipped: \(e)") }
    }
}

/// Formatting shared by the tsdb list/analyze commands.
enum TSDBFormat {
    /// Go's `time.Duration.String()` for a whole number of ms (`2h0m0s`, `49m50.001s`, `1.5s`, `0s`).
    static func goDuration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var out = ms < 0 ? "-" : ""
        let a = ms.magnitude
        let h = a / 3_600_000, m = a / 60_000 % 60, s = a / 1000 % 60, frac = a % 1000
        if a < 1000 { return out + "\(a)ms" }
        if h > 0 { out += "\(h)h" }
        if h > 0 || m > 0 { out += "\(m)m" }
        out += "\(s)"
        if frac > 0 {
            var f = String(frac)
            f = String(repeating: "0", count: 3 - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            out += ".\(f)"
        }
        return out + "s"
    }

    /// UTC `2006-01-02T15:04:05.000Z` for a ms timestamp.
    static func rfc3339(_ ms: Int64) -> String {
        let (days, rem) = CivilDate.split(ms: ms)
        let (y, mo, d) = CivilDate.fromDays(days)
        func p(_ v: Int64, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(p(y, 4))-\(p(mo, 2))-\(p(d, 2))T\(p(rem / 3_600_000, 2)):\(p(rem / 60_000 % 60, 2)):\(p(rem / 1000 % 60, 2)).\(p(rem % 1000, 3))Z"
    }

    /// `12 kB`, `3.4 MB` (decimal units as promtool's humanize).
    static func bytes(_ n: UInt64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var v = Double(n)
        var i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        if i == 0 { return "\(n) B" }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[i])"
    }

    /// Left-aligned columns separated by at least two spaces.
    static func table(_ rows: [[String]]) -> String {
        guard let cols = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        var out = ""
        for r in rows {
            for (i, c) in r.enumerated() {
                out += c
                if i < cols - 1 { out += String(repeating: " ", count: widths[i] - c.count + 2) }
            }
            out += "\n"
        }
        return out
    }
}
