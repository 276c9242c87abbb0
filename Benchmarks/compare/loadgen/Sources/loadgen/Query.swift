#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One query of the fixed set: a name, GET or POST (form-encoded, as Grafana sends range queries), the
/// API path, and its parameters (values not yet percent-encoded; `{var}` placeholders substituted).
struct QuerySpec {
    var name: String
    var method: String
    var path: String
    var params: [(String, String)]
}

/// Parses the query-set file: one query per line, `name<TAB>METHOD<TAB>/path?k=v&k=v`, `#` comments.
/// Parameter values are written raw (PromQL as is) and split at the first `=` only, so they may
/// contain `=`; they must not contain `&` or tabs.
func parseQueries(_ text: String, vars: [String: String]) throws -> [QuerySpec] {
    var out: [QuerySpec] = []
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let line = raw.trimmingSpaces()
        if line.isEmpty || line.hasPrefix("#") { continue }
        var substituted = line
        for (k, v) in vars { substituted = substituted.replacingAll("{\(k)}", with: v) }
        let cols = substituted.split(separator: "\t", omittingEmptySubsequences: true).map(String.init)
        guard cols.count == 3, cols[1] == "GET" || cols[1] == "POST" else {
            throw LoadgenError("queries line \(n + 1): want name<TAB>GET|POST<TAB>path?params")
        }
        let q = cols[2].split(separator: "?", maxSplits: 1).map(String.init)
        var params: [(String, String)] = []
        if q.count == 2 {
            for p in q[1].split(separator: "&") {
                let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
                params.append((kv[0], kv.count == 2 ? kv[1] : ""))
            }
        }
        out.append(QuerySpec(name: cols[0], method: cols[1], path: q[0], params: params))
    }
    return out
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

/// Runs every query once to warm up, then `repeats` timed times on one keep-alive connection; writes the
/// last response body to `outDir/<name>.json` and returns the timings as JSON.
func runQueries(_ specs: [QuerySpec], baseURL: String, repeats: Int, outDir: String) throws -> String {
    let (host, port, _) = try parseURL(baseURL)
    let conn = HTTPConnection(host: host, port: port)
    var entries: [String] = []
    for q in specs {
        let form = q.params.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        var times: [Double] = []
        var last = HTTPResponse(status: 0, body: [])
        for i in 0...repeats {
            let t0 = monotonicSeconds()
            if q.method == "GET" {
                last = try conn.request(method: "GET", path: form.isEmpty ? q.path : "\(q.path)?\(form)",
                                        headers: [("Accept", "application/json")], body: nil)
            } else {
                last = try conn.request(method: "POST", path: q.path,
                                        headers: [("Accept", "application/json"),
                                                  ("Content-Type", "application/x-www-form-urlencoded")],
                                        body: ArraySlice(Array(form.utf8)))
            }
            if i > 0 { times.append(monotonicSeconds() - t0) }
        }
        times.sort()
        let path = "\(outDir)/\(q.name).json"
        if let f = fopen(path, "wb") {
            _ = last.body.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fclose(f)
        } else {
            throw LoadgenError("cannot write \(path)")
        }
        entries.append(
            "\(jsonString(q.name)): {\"status\": \(last.status), \"median_ms\": \(quantile(times, 0.5) * 1e3), "
                + "\"min_ms\": \((times.first ?? .nan) * 1e3), \"max_ms\": \((times.last ?? .nan) * 1e3), "
                + "\"bytes\": \(last.body.count), \"repeats\": \(times.count)}")
    }
    return "{" + entries.joined(separator: ",\n ") + "}\n"
}
