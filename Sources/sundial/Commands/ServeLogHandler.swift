import Foundation
import Logging
import SundialHTTP

/// A swift-log handler writing one line per event to stderr, as logfmt
/// (`ts=… level=info caller=sundial msg="…" key=value`) or JSON (`{"ts":…,"level":…,"msg":…}`),
/// the two formats Prometheus's `--log.format` offers. Thread-safe: each line is one `write(2)`.
struct ServeLogHandler: LogHandler {
    let label: String
    let json: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, json: Bool) {
        self.label = label
        self.json = json
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let ts = TimeParsing.formatRFC3339(Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        let levelName = event.level == .warning ? "warn" : "\(event.level)"
        var line: String
        if json {
            line = "{\"ts\":\(quote(ts)),\"level\":\(quote(levelName)),\"logger\":\(quote(label)),\"msg\":\(quote("\(event.message)"))"
            for (k, v) in all.sorted(by: { $0.key < $1.key }) { line += ",\(quote(k)):\(quote("\(v)"))" }
            line += "}\n"
        } else {
            line = "ts=\(ts) level=\(levelName) logger=\(label) msg=\(logfmt("\(event.message)"))"
            for (k, v) in all.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(logfmt("\(v)"))" }
            line += "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    private func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    private func logfmt(_ s: String) -> String {
        if !s.isEmpty, !s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return s }
        return quote(s)
    }
}
