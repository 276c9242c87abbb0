#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// loadgen: the side-by-side benchmark's client (Benchmarks/compare, issue 8).
//
//   loadgen generate --series N --samples M [--interval-s 15] [--shards 4] [--max-per-send 500]
//                    [--seed 42] [--end-ms MS] --out BODIES --meta META.json
//   loadgen verify   --in BODIES --meta META.json [--dump-first FILE]
//   loadgen selftest
//   loadgen send     --in BODIES --url http://127.0.0.1:PORT/api/v1/write
//   loadgen query    --url http://127.0.0.1:PORT --queries FILE --var k=v ... [--repeat 5] --out DIR

let usage = """
    usage: loadgen generate|verify|selftest|send|query [flags]  (see Benchmarks/compare/README.md)
    """

/// Flag values by name (`--name value`); `--var` may repeat.
struct Flags {
    var values: [String: String] = [:]
    var vars: [String: String] = [:]

    init(_ args: ArraySlice<String>) throws {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            guard a.hasPrefix("--"), i + 1 < args.endIndex else { throw LoadgenError("bad argument \(a)\n\(usage)") }
            let v = args[i + 1]
            if a == "--var" {
                let kv = v.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { throw LoadgenError("--var wants k=v, got \(v)") }
                vars[kv[0]] = kv[1]
            } else {
                values[String(a.dropFirst(2))] = v
            }
            i += 2
        }
    }

    func string(_ k: String) throws -> String {
        guard let v = values[k] else { throw LoadgenError("missing --\(k)\n\(usage)") }
        return v
    }

    func int(_ k: String, default d: Int? = nil) throws -> Int {
        guard let s = values[k] else {
            if let d { return d }
            throw LoadgenError("missing --\(k)")
        }
        guard let v = Int(s), v >= 0 else { throw LoadgenError("--\(k) wants a non-negative integer, got \(s)") }
        return v
    }
}

func writeText(_ text: String, to path: String) throws {
    guard let f = fopen(path, "wb") else { throw LoadgenError("cannot write \(path)") }
    defer { fclose(f) }
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
}

func readText(_ path: String) throws -> String {
    String(decoding: try readFile(path), as: UTF8.self)
}

func nowMs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// Decodes every body and checks the invariants a receiver relies on: valid snappy and protobuf, label
/// names sorted and unique, one sample per TimeSeries, each series on one shard only and in time order,
/// and the totals of the meta file. Returns a one-line summary.
func verify(_ shards: [ShardBodies], expectSeries: Int?, expectSamples: Int?, dumpFirst: String?)
    throws -> String
{
    var lastTs: [UInt64: (Int, Int64)] = [:]
    var samples = 0
    var requests = 0
    for (si, s) in shards.enumerated() {
        for i in 0..<s.count {
            let raw = try SnappyBlock.decompress(s.body(i))
            if si == 0 && i == 0, let dumpFirst {
                guard let f = fopen(dumpFirst, "wb") else { throw LoadgenError("cannot write \(dumpFirst)") }
                _ = raw.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
                fclose(f)
            }
            var n = 0
            try WriteRequestScanner.scan(raw) { ts in
                n += 1
                guard ts.sampleCount == 1 else {
                    throw LoadgenError("shard \(si) body \(i): \(ts.sampleCount) samples in one TimeSeries")
                }
                guard ts.labelCount > 0 else { throw LoadgenError("shard \(si) body \(i): series without labels") }
                let t = ts.lastTimestamp
                if let (prevShard, prevT) = lastTs[ts.labelsHash] {
                    guard prevShard == si else { throw LoadgenError("a series is on shards \(prevShard) and \(si)") }
                    guard t > prevT else { throw LoadgenError("shard \(si) body \(i): timestamp \(t) after \(prevT)") }
                }
                lastTs[ts.labelsHash] = (si, t)
            }
            guard n == s.samples[i] else {
                throw LoadgenError("shard \(si) body \(i): \(n) series, header says \(s.samples[i])")
            }
            samples += n
            requests += 1
        }
    }
    if let e = expectSeries, e != lastTs.count { throw LoadgenError("\(lastTs.count) series, meta says \(e)") }
    if let e = expectSamples, e != samples { throw LoadgenError("\(samples) samples, meta says \(e)") }
    return "verify: \(requests) requests, \(lastTs.count) series, \(samples) samples: OK"
}

/// Generates a small load with an oracle of every sample, decodes the bodies with the independent decoder
/// and requires exactly the oracle back (labels, timestamps, value bits, per-series order), plus the
/// invariants `verify` checks. Also round-trips edge values through the encoder.
func selftest() throws -> String {
    let cat = buildCatalog(maxSeries: 700, intervalMs: 15_000, seed: 7)
    guard cat.seriesCount > 300 else { throw LoadgenError("catalog too small: \(cat.seriesCount)") }
    var oracle = [[(Int64, Double)]](repeating: [], count: cat.seriesCount)
    let (shards, meta) = generate(catalog: cat, samplesPerSeries: 9, intervalMs: 15_000, endMs: 1_700_000_000_000,
                                  shards: 4, maxSamplesPerSend: 97, seed: 7) { s, t, v in oracle[s].append((t, v)) }
    _ = try verify(shards, expectSeries: cat.seriesCount, expectSamples: meta.samples, dumpFirst: nil)
    var got: [String: [(Int64, Double)]] = [:]
    for s in shards {
        for i in 0..<s.count {
            var dec = WriteRequestDecoder(try SnappyBlock.decompress(s.body(i)))
            for ts in try dec.decode() {
                got[ts.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ","), default: []] += ts.samples
            }
        }
    }
    for (i, l) in cat.labels.enumerated() {
        let key = l.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        guard let g = got[key], g.count == oracle[i].count,
              zip(g, oracle[i]).allSatisfy({ $0.0 == $1.0 && $0.1.bitPattern == $1.1.bitPattern })
        else { throw LoadgenError("selftest: series \(key) decoded differently") }
    }
    // Histogram consistency: _count equals the +Inf bucket, buckets are cumulative.
    for (i, l) in cat.labels.enumerated() where l.contains(where: { $0 == ("le", "+Inf") }) {
        let handler = l.first { $0.0 == "handler" }!.1
        let job = l.first { $0.0 == "instance" }!.1
        let count = cat.labels.firstIndex { $0.contains { $0 == ("__name__", "http_request_duration_seconds_count") }
            && $0.contains { $0 == ("handler", handler) } && $0.contains { $0 == ("instance", job) } }!
        guard oracle[i].map(\.1) == oracle[count].map(\.1) else { throw LoadgenError("selftest: +Inf != _count") }
        let le1 = cat.labels.firstIndex { $0.contains { $0 == ("le", "1") }
            && $0.contains { $0 == ("handler", handler) } && $0.contains { $0 == ("instance", job) } }!
        guard zip(oracle[le1], oracle[i]).allSatisfy({ $0.1 <= $1.1 }) else { throw LoadgenError("selftest: buckets not cumulative") }
    }
    // The scanner `verify` uses must reject unsorted and duplicate label names.
    for bad in [[("b", "1"), ("a", "2")], [("a", "1"), ("a", "2")]] {
        var body: [UInt8] = []
        appendTimeSeries(&body, labels: encodeLabels(bad), value: 1, timestampMs: 1)
        var rejected = false
        do { try WriteRequestScanner.scan(body) { _ in } } catch { rejected = true }
        guard rejected else { throw LoadgenError("selftest: scanner accepted labels \(bad)") }
    }
    // Edge values: zero (omitted field), negative timestamp, NaN payloads, infinities.
    let labels = encodeLabels([("__name__", "x"), ("a", "é")])
    let edges: [(Int64, Double)] = [(0, 0), (-1, -0.0), (1, .infinity), (2, -.infinity),
                                    (3, Double(bitPattern: 0x7FF0_0000_0000_0002)), (Int64.max, .nan), (Int64.min, 1.5)]
    var body: [UInt8] = []
    for (t, v) in edges { appendTimeSeries(&body, labels: labels, value: v, timestampMs: t) }
    var compressed: [UInt8] = []
    SnappyBlock.compress(body, into: &compressed)
    var dec = WriteRequestDecoder(try SnappyBlock.decompress(ArraySlice(compressed)))
    let back = try dec.decode()
    guard back.count == edges.count else { throw LoadgenError("selftest: edge count") }
    for (b, e) in zip(back, edges) {
        guard b.labels.count == 2, b.labels[1] == ("a", "é"), b.samples.count == 1, b.samples[0].0 == e.0,
              b.samples[0].1.bitPattern == e.1.bitPattern || (e.1 == 0 && b.samples[0].1 == 0)
        else { throw LoadgenError("selftest: edge value \(e) came back as \(b.samples)") }
    }
    return "selftest: \(cat.seriesCount) series, \(meta.samples) samples in \(meta.requests) requests, edge values: OK"
}

func main() throws {
    let args = CommandLine.arguments
    guard args.count >= 2 else { throw LoadgenError(usage) }
    let flags = try Flags(args.dropFirst(2))
    switch args[1] {
    case "generate":
        let interval = Int64(try flags.int("interval-s", default: 15)) * 1000
        let seed = UInt64(try flags.int("seed", default: 42))
        let cat = buildCatalog(maxSeries: try flags.int("series"), intervalMs: interval, seed: seed)
        let end = flags.values["end-ms"].flatMap { Int64($0) } ?? nowMs()
        let t0 = monotonicSeconds()
        let (shards, meta) = generate(
            catalog: cat, samplesPerSeries: try flags.int("samples"), intervalMs: interval, endMs: end,
            shards: try flags.int("shards", default: 4), maxSamplesPerSend: try flags.int("max-per-send", default: 500),
            seed: seed)
        try writeBodies(shards, to: try flags.string("out"))
        try writeText(meta.json, to: try flags.string("meta"))
        print("generate: \(meta.series) series (\(meta.nodeTargets) node + \(meta.appTargets) app targets), "
            + "\(meta.samples) samples, \(meta.requests) requests, \(meta.compressedBytes) bytes snappy "
            + "(\(meta.rawBytes) raw) in \(Int((monotonicSeconds() - t0) * 1000)) ms")
    case "verify":
        let shards = try readBodies(try flags.string("in"))
        var es: Int? = nil
        var en: Int? = nil
        if let m = flags.values["meta"] {
            let text = try readText(m)
            es = jsonInt(text, "series")
            en = jsonInt(text, "samples")
        }
        print(try verify(shards, expectSeries: es, expectSamples: en, dumpFirst: flags.values["dump-first"]))
    case "selftest":
        print(try selftest())
    case "send":
        let shards = try readBodies(try flags.string("in"))
        // --tenant ID: every request carries X-Scope-OrgID (Sundial's tenancy).
        let tenant = flags.values["tenant"].map { [("X-Scope-OrgID", $0)] } ?? []
        let result = try sendAll(shards, url: try flags.string("url"), extraHeaders: tenant)
        if let out = flags.values["out"] { try writeText(result, to: out) }
        print(result, terminator: "")
    case "query":
        let specs = try parseQueries(try readText(try flags.string("queries")), vars: flags.vars)
        let result = try runQueries(specs, baseURL: try flags.string("url"), repeats: try flags.int("repeat", default: 5),
                                    outDir: try flags.string("out"))
        try writeText(result, to: "\(try flags.string("out"))/timings.json")
        print(result, terminator: "")
    default:
        throw LoadgenError(usage)
    }
}

/// The integer value of `"key": N` in a flat JSON object (enough for our own meta file).
func jsonInt(_ text: String, _ key: String) -> Int? {
    guard let r = text.firstRange(of: "\"\(key)\": ") else { return nil }
    return Int(text[r.upperBound...].prefix { $0.isNumber || $0 == "-" })
}

do {
    try main()
} catch {
    FileHandleErr.write("loadgen: \(error)\n")
    exit(1)
}

/// Writes to standard error through the file descriptor (the C `stderr` global is not concurrency-safe).
enum FileHandleErr {
    static func write(_ s: String) {
        let b = Array(s.utf8)
        _ = b.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
