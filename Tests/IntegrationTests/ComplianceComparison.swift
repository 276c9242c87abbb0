import Foundation

/// A query answer reduced to what the PromQL compliance tester compares (its
/// `comparer/comparer.go` rules, restated in ../shared/promql-compliance/README.md): the result
/// type, and per series the exact label set and every point's timestamp and value. Series are
/// sorted by their labels on both sides, so order does not matter (as with the tester's sort).
struct ComplianceAnswer: CustomStringConvertible {
    struct Series {
        var labels: String
        /// (timestamp in ms, value as the server printed it).
        var points: [(Int64, String)]
    }

    /// Nil on success; otherwise the error type and message.
    var error: String?
    var resultType = ""
    var series: [Series] = []

    init(_ body: [UInt8]) {
        guard let j = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            error = "unparsable answer: \(String(decoding: body.prefix(300), as: UTF8.self))"
            return
        }
        guard j["status"] as? String == "success", let data = j["data"] as? [String: Any] else {
            error = "\(j["errorType"] ?? "?"): \(j["error"] ?? "?")"
            return
        }
        resultType = data["resultType"] as? String ?? ""
        func point(_ p: [Any]) -> (Int64, String) {
            let t = (p.first as? NSNumber)?.doubleValue ?? .nan
            return (Int64((t * 1000).rounded()), p.count > 1 ? "\(p[1])" : "")
        }
        if resultType == "scalar" || resultType == "string", let p = data["result"] as? [Any] {
            series = [Series(labels: "", points: [point(p)])]
            return
        }
        for e in data["result"] as? [[String: Any]] ?? [] {
            let labels = (e["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key)=\(String(reflecting: $0.value))" }.joined(separator: ", ")
            var points: [(Int64, String)] = []
            if let v = e["value"] as? [Any] { points = [point(v)] }
            if let vs = e["values"] as? [[Any]] { points = vs.map(point) }
            series.append(Series(labels: "{" + labels + "}", points: points))
        }
        series.sort { $0.labels < $1.labels }
    }

    var description: String {
        if let error { return "error \(error)" }
        return "\(resultType) of \(series.count) series"
    }

    /// Floats equal within a relative 1e-5 (the tester's `EquateApprox(1e-5, 0)`); NaN equals NaN;
    /// infinities only themselves.
    static func valuesEqual(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Double(a), let y = Double(b) else { return false }
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        if x == y { return true }
        if x.isInfinite || y.isInfinite { return false }
        return abs(x - y) <= 1e-5 * min(abs(x), abs(y))
    }

    /// For two answers that match by the tester's rules: the first point whose printed value is not
    /// byte-identical (a last-bit float difference the 1e-5 tolerance hides), or nil.
    func inexactPoint(from reference: ComplianceAnswer) -> String? {
        let got = Dictionary(series.map { ($0.labels, $0) }, uniquingKeysWith: { a, _ in a })
        for r in reference.series {
            guard let s = got[r.labels] else { continue }
            for (p, q) in zip(r.points, s.points) where p.1 != q.1 {
                return "\(r.labels) @\(p.0): prometheus \(p.1), sundial \(q.1)"
            }
        }
        return nil
    }

    /// Nil when `self` (Sundial) matches `reference` (Prometheus) by the tester's rules; otherwise
    /// a one-line description of the first difference. `shouldFail`: both must error.
    func difference(from reference: ComplianceAnswer, shouldFail: Bool) -> String? {
        if shouldFail {
            if reference.error == nil { return "should fail but Prometheus answered \(reference)" }
            return error == nil ? "Prometheus failed (\(reference.error!)), Sundial answered \(self)" : nil
        }
        switch (reference.error, error) {
        case (nil, nil): break
        case (.some, .some): return nil
        case (.some(let e), nil): return "Prometheus failed (\(e)), Sundial answered \(self)"
        case (nil, .some(let e)): return "Sundial failed (\(e)), Prometheus answered \(reference)"
        }
        if resultType != reference.resultType { return "result type: prometheus \(reference.resultType), sundial \(resultType)" }
        let ref = Dictionary(reference.series.map { ($0.labels, $0) }, uniquingKeysWith: { a, _ in a })
        let got = Dictionary(series.map { ($0.labels, $0) }, uniquingKeysWith: { a, _ in a })
        if let s = reference.series.first(where: { got[$0.labels] == nil }) {
            return "series \(s.labels) missing in Sundial (prometheus \(reference.series.count) series, sundial \(series.count))"
                + (series.first { ref[$0.labels] == nil }.map { "; sundial has \($0.labels) instead" } ?? "")
        }
        if let s = series.first(where: { ref[$0.labels] == nil }) {
            return "extra series \(s.labels) in Sundial (prometheus \(reference.series.count) series, sundial \(series.count))"
        }
        for r in reference.series {
            let s = got[r.labels]!
            for (i, p) in r.points.enumerated() {
                guard i < s.points.count else {
                    return "\(r.labels): point \(i) @\(p.0) \(p.1) missing in Sundial (\(r.points.count) vs \(s.points.count) points)"
                }
                let q = s.points[i]
                if p.0 != q.0 { return "\(r.labels): point \(i): prometheus @\(p.0) \(p.1), sundial @\(q.0) \(q.1)" }
                if !Self.valuesEqual(p.1, q.1) { return "\(r.labels) @\(p.0): prometheus \(p.1), sundial \(q.1)" }
            }
            if s.points.count > r.points.count {
                let q = s.points[r.points.count]
                return "\(r.labels): extra point @\(q.0) \(q.1) in Sundial (\(r.points.count) vs \(s.points.count) points)"
            }
        }
        return nil
    }
}
