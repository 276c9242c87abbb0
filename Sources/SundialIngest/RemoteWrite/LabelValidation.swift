import SundialCore
import SundialEncoding

/// Label-name rules of Prometheus 2.42 (`prometheus/common` `model.LabelName.IsValid` and
/// `model.IsValidMetricName`), checked byte by byte.
enum LabelNameRules {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, non-empty.
    static func isValidLegacyLabelName(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            let ok = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f || (!first && b >= 0x30 && b <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, non-empty.
    static func isValidLegacyMetricName(_ s: String) -> Bool {
        var first = true
        for b in s.utf8 {
            let ok = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f || b == 0x3a
                || (!first && b >= 0x30 && b <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }
}

/// Per-string validation results cached in the interner's flag bits.
enum InternFlags {
    static let labelNameChecked: UInt8 = 1
    static let labelNameValid: UInt8 = 2
    static let metricNameChecked: UInt8 = 4
    static let metricNameValid: UInt8 = 8
}

extension RemoteWriteParser {
    /// Validates the labels of series `index` and builds its ``Labels``, or returns why the series
    /// is refused. Follows Prometheus 2.42's receiver (`storage/remote/write_handler.go`,
    /// `labels.IsValid`, then the head's `WithoutEmpty`, `IsEmpty` and `HasDuplicateLabelNames`):
    /// 1. every string valid UTF-8; a name non-empty and valid for ``RemoteWriteOptions/nameValidation``;
    ///    `__name__`'s value a valid metric name; count and length limits;
    /// 2. labels with an empty value dropped;
    /// 3. names in ascending byte order (sorted or refused per ``RemoteWriteOptions/unsortedLabels``);
    /// 4. no duplicate names; not empty; `__name__` present when required;
    /// 5. ``RemoteWriteOptions/injectedLabel`` inserted (a client label of its name was dropped in 1).
    ///
    /// Strings are interned: a repeated name or value is validated and allocated once.
    func buildLabels(series index: Int, interner: inout ByteStringInterner, options: RemoteWriteOptions) -> Result<Labels, LabelRejection> {
        let s = request.series[index]
        let first = Int(s.labelStart), count = Int(s.labelCount)
        let limits = options.limits
        if limits.maxLabelNamesPerSeries > 0 && count > limits.maxLabelNamesPerSeries {
            return .failure(rejection(index, "has \(count) labels, more than the limit of \(limits.maxLabelNamesPerSeries) (limits.max_label_names_per_series)",
                                      reason: .labelNamesPerSeriesLimit))
        }
        var out: [Label] = []
        out.reserveCapacity(count)
        for li in first..<first + count {
            let nr = request.nameRange(li), vr = request.valueRange(li)
            guard let nid = interner.intern(body, nr) else {
                return .failure(rejection(index, "label name at byte offset \(nr.lowerBound) is not valid UTF-8"))
            }
            guard let vid = interner.intern(body, vr) else {
                return .failure(rejection(index, "value of label \(GoQuote.quote(interner.string(nid))) is not valid UTF-8"))
            }
            let name = interner.string(nid), value = interner.string(vid)
            if name.isEmpty {
                return .failure(rejection(index, "empty label name (value \(GoQuote.quote(value)))"))
            }
            if let injected = options.injectedLabel, name == injected.name { continue }  // forged: replaced below
            if limits.maxLabelNameLength > 0 && nr.count > limits.maxLabelNameLength {
                return .failure(rejection(index, "label name \(GoQuote.quote(name)) (\(nr.count) bytes) is longer than \(limits.maxLabelNameLength) bytes (limits.max_label_name_length)",
                                          reason: .labelNameLengthLimit))
            }
            if limits.maxLabelValueLength > 0 && vr.count > limits.maxLabelValueLength {
                return .failure(rejection(index, "value of label \(GoQuote.quote(name)) (\(vr.count) bytes) is longer than \(limits.maxLabelValueLength) bytes (limits.max_label_value_length)",
                                          reason: .labelValueLengthLimit))
            }
            if options.nameValidation == .legacy {
                var f = interner.flags[Int(nid)]
                if f & InternFlags.labelNameChecked == 0 {
                    f |= InternFlags.labelNameChecked | (LabelNameRules.isValidLegacyLabelName(name) ? InternFlags.labelNameValid : 0)
                    interner.flags[Int(nid)] = f
                }
                if f & InternFlags.labelNameValid == 0 {
                    return .failure(rejection(index, "invalid label name \(GoQuote.quote(name))"))
                }
            }
            if name == Labels.metricName {
                var f = interner.flags[Int(vid)]
                if f & InternFlags.metricNameChecked == 0 {
                    let ok = options.nameValidation == .legacy ? LabelNameRules.isValidLegacyMetricName(value) : !value.isEmpty
                    f |= InternFlags.metricNameChecked | (ok ? InternFlags.metricNameValid : 0)
                    interner.flags[Int(vid)] = f
                }
                if f & InternFlags.metricNameValid == 0 {
                    return .failure(rejection(index, "invalid metric name \(GoQuote.quote(value))"))
                }
            }
            if value.isEmpty { continue }  // Prometheus drops empty-valued labels (head `WithoutEmpty`).
            out.append(Label(name, value))
        }
        // Sorted and unique names.
        var sorted = true
        for i in out.indices.dropFirst() where !byteOrderLess(out[i - 1].name, out[i].name) {
            if out[i - 1].name == out[i].name {
                return .failure(rejection(index, "duplicate label name \(GoQuote.quote(out[i].name))"))
            }
            sorted = false
        }
        if !sorted {
            if options.unsortedLabels == .reject {
                return .failure(rejection(index, "label names are not sorted"))
            }
            out.sort { byteOrderLess($0.name, $1.name) }
            for i in out.indices.dropFirst() where out[i - 1].name == out[i].name {
                return .failure(rejection(index, "duplicate label name \(GoQuote.quote(out[i].name))"))
            }
        }
        if out.isEmpty {
            return .failure(rejection(index, "empty label set"))
        }
        if options.requireMetricName && out.first(where: { $0.name == Labels.metricName }) == nil {
            return .failure(rejection(index, "missing metric name (__name__ label)"))
        }
        if let injected = options.injectedLabel {
            let at = out.firstIndex { !byteOrderLess($0.name, injected.name) } ?? out.endIndex
            out.insert(injected, at: at)
        }
        return .success(Labels(sorted: out))
    }

    /// A refusal naming the series by index and by its raw labels.
    func rejection(_ index: Int, _ what: String, reason: RejectionReason = .invalidLabels) -> LabelRejection {
        let s = request.series[index]
        var text = "{"
        for li in Int(s.labelStart)..<Int(s.labelStart + s.labelCount) {
            if li > Int(s.labelStart) { text += ", " }
            text += printable(request.nameRange(li)) + "=" + GoQuote.quote(printable(request.valueRange(li)))
            if text.utf8.count > 512 {
                text += ", ..."
                break
            }
        }
        text += "}"
        return LabelRejection(message: "series \(index) \(text): \(what)", reason: reason)
    }
}

/// Why a series' labels were refused (the message names series index, labels and rule).
struct LabelRejection: Error {
    var message: String
    /// The counter its samples go to (``RejectionReason/invalidLabels`` or a limit).
    var reason: RejectionReason = .invalidLabels
}
