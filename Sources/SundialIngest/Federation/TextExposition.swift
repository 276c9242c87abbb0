public import SundialCore
import SundialEncoding

/// Writers for the Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/, "Text format details"), as
/// `prometheus/common/expfmt` (`text_create.go`) writes it. Every function appends UTF-8 bytes to a
/// caller-owned buffer. Pure; thread-safe.
public enum TextExposition {
    /// The Content-Type of a text-format response.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `# TYPE <name> <type>\n`. Types are written in lower case (`counter`, `gauge`,
    /// `histogram`, `summary`, `untyped`); the 0.0.4 format knows no others, so OpenMetrics-only
    /// types (gaugehistogram, info, stateset, unknown) are written as `untyped`.
    public static func appendTypeLine(name: String, type: MetricMetadata.MetricType?, to out: inout [UInt8]) {
        out.append(contentsOf: "# TYPE ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(0x20)
        let t: String
        switch type {
        case .counter: t = "counter"
        case .gauge: t = "gauge"
        case .histogram: t = "histogram"
        case .summary: t = "summary"
        default: t = "untyped"
        }
        out.append(contentsOf: t.utf8)
        out.append(0x0a)
    }

    /// `# HELP <name> <escaped help>\n` (help escapes `\` and newline, not `"`).
    public static func appendHelpLine(name: String, help: String, to out: inout [UInt8]) {
        out.append(contentsOf: "# HELP ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(0x20)
        appendEscaped(help, quotes: false, to: &out)
        out.append(0x0a)
    }

    /// One sample line: `name{l1="v1",l2="v2"} value[ timestamp]\n`. `labels` are written in the
    /// order given (the caller excludes `__name__`); no braces when there are none. The value is
    /// Go's `'g'` shortest formatting with expfmt's literals (`0`, `1`, `-1`, `NaN`, `+Inf`,
    /// `-Inf`); the timestamp is integer milliseconds.
    public static func appendSample(name: String, labels: some Sequence<Label>, value: Double, timestampMs: Timestamp?,
                                    to out: inout [UInt8])
    {
        out.append(contentsOf: name.utf8)
        var first = true
        for l in labels {
            out.append(first ? 0x7b : 0x2c)  // "{" or ","
            first = false
            out.append(contentsOf: l.name.utf8)
            out.append(contentsOf: "=\"".utf8)
            appendEscaped(l.value, quotes: true, to: &out)
            out.append(0x22)
        }
        if !first { out.append(0x7d) }  // "}"
        out.append(0x20)
        appendValue(value, to: &out)
        if let t = timestampMs {
            out.append(0x20)
            out.append(contentsOf: String(t).utf8)
        }
        out.append(0x0a)
    }

    /// expfmt `writeFloat`: `1`, `0`, `-1` literally (so `-0` is `0`), specials as `NaN`,
    /// `+Inf`, `-Inf`, otherwise `strconv.AppendFloat(f, 'g', -1, 64)`.
    public static func appendValue(_ v: Double, to out: inout [UInt8]) {
        if v == 1 {
            out.append(0x31)
        } else if v == 0 {
            out.append(0x30)
        } else if v == -1 {
            out.append(contentsOf: "-1".utf8)
        } else {
            GoFloatFormat.appendG(v, to: &out)
        }
    }

    /// expfmt `writeEscapedString`: `\` → `\\`, newline → `\n`, and `"` → `\"` when `quotes`.
    public static func appendEscaped(_ s: String, quotes: Bool, to out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, 0x6e])
            case 0x22 where quotes: out.append(contentsOf: [0x5c, 0x22])
            default: out.append(b)
            }
        }
    }
}
