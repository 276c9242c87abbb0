import SundialCore
import PromQLSyntax

/// `label_replace` and `label_join` (Prometheus `funcLabelReplace`, `funcLabelJoin`).
extension Evaluator {
    /// Prometheus 2.42's label name rule: `[a-zA-Z_][a-zA-Z0-9_]*` (`model.LabelName.IsValid`).
    static func isValidLabelName(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        for (i, b) in s.utf8.enumerated() {
            let alpha = (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
            let digit = b >= 48 && b <= 57
            if !(alpha || (digit && i > 0)) { return false }
        }
        return true
    }

    /// Prometheus 3's label name rule (UTF-8 names): non-empty valid UTF-8. String literals with
    /// invalid bytes (`"\xff"`) reach us with U+FFFD in their place (Swift strings are always valid
    /// Unicode), so a U+FFFD is taken as the trace of an invalid byte.
    static func isValidUTF8LabelName(_ s: String) -> Bool {
        !s.isEmpty && !s.unicodeScalars.contains("\u{FFFD}")
    }

    func labelReplace(_ call: Call, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries] {
        let input = try evalVectorWithHistograms(call.args[0], grid)
        let dst = try evalString(call.args[1], grid)
        let replacement = try evalString(call.args[2], grid)
        let src = try evalString(call.args[3], grid)
        let pattern = try evalString(call.args[4], grid)
        let regex: RE2Regex
        do {
            regex = try RE2Regex(anchoring: pattern, dotMatchesNewline: isV3)
        } catch {
            throw EvaluationError(.execution, "invalid regular expression in label_replace(): \(pattern)")
        }
        let validDst = isV3 ? Evaluator.isValidUTF8LabelName(dst) : Evaluator.isValidLabelName(dst)
        if !validDst {
            throw EvaluationError(.execution, "invalid destination label name in label_replace(): \(dst)")
        }
        var out: [StepSeries] = []
        out.reserveCapacity(input.count)
        for var s in input {
            let srcVal = s.labels.get(src) ?? ""
            if let groups = regex.fullMatchGroups(srcVal) {
                let value = GoTemplate.expand(replacement, source: srcVal, groups: groups)
                s.labels = s.labels.setting(dst, to: value)
            }
            // Delayed name removal: writing `__name__` keeps the (new) name.
            if dst == Labels.metricName { s.dropName = false }
            out.append(s)
        }
        return try checkUniqueLabels(out)
    }

    func labelJoin(_ call: Call, _ grid: StepGrid) throws(EvaluationError) -> [StepSeries] {
        let input = try evalVectorWithHistograms(call.args[0], grid)
        let dst = try evalString(call.args[1], grid)
        let sep = try evalString(call.args[2], grid)
        var srcs: [String] = []
        for a in call.args.dropFirst(3) {
            let name = try evalString(a, grid)
            if !isV3 && !Evaluator.isValidLabelName(name) {
                throw EvaluationError(.execution, "invalid source label name in label_join(): \(name)")
            }
            srcs.append(name)
        }
        if !(isV3 ? Evaluator.isValidUTF8LabelName(dst) : Evaluator.isValidLabelName(dst)) {
            throw EvaluationError(.execution, "invalid destination label name in label_join(): \(dst)")
        }
        var out: [StepSeries] = []
        out.reserveCapacity(input.count)
        for var s in input {
            let value = srcs.map { s.labels.get($0) ?? "" }.joined(separator: sep)
            s.labels = s.labels.setting(dst, to: value)
            if dst == Labels.metricName { s.dropName = false }
            out.append(s)
        }
        return try checkUniqueLabels(out)
    }
}

/// Go's `regexp.Expand` template syntax: `$1`, `${1}`, `$name`, `${name}`, `$$`. A reference to a
/// group that does not exist (or a named group: RE2's names are not exposed) expands to "".
enum GoTemplate {
    static func expand(_ template: String, source: String, groups: [Range<Int>?]) -> String {
        let t = Array(template.utf8)
        let src = Array(source.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(t.count + src.count)
        var i = 0
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 95
        }
        while i < t.count {
            let b = t[i]
            guard b == 36 /* $ */, i + 1 < t.count else {
                out.append(b)
                i += 1
                continue
            }
            if t[i + 1] == 36 {
                out.append(36)
                i += 2
                continue
            }
            var name: [UInt8] = []
            var next = i + 1
            if t[i + 1] == 123 /* { */ {
                var k = i + 2
                while k < t.count && isNameByte(t[k]) { k += 1 }
                if k < t.count && t[k] == 125 /* } */ && k > i + 2 {
                    name = Array(t[(i + 2)..<k])
                    next = k + 1
                } else {
                    // Malformed: Go copies the `$` literally.
                    out.append(b)
                    i += 1
                    continue
                }
            } else {
                var k = i + 1
                while k < t.count && isNameByte(t[k]) { k += 1 }
                if k == i + 1 {
                    out.append(b)
                    i += 1
                    continue
                }
                name = Array(t[(i + 1)..<k])
                next = k
            }
            // A numeric name refers to a group by index.
            if name.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(String(decoding: name, as: UTF8.self)),
               n < groups.count, let r = groups[n] {
                out.append(contentsOf: src[r])
            }
            i = next
        }
        return String(decoding: out, as: UTF8.self)
    }
}
