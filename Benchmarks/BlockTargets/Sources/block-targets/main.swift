// Issue 3 block targets; see Package.swift for the modes and BENCHMARKS.md ("Blocks") for the figures.
// CPU figures use CLOCK_THREAD_CPUTIME_ID (the work is single-threaded), so they hold on a loaded machine;
// "extra peak" memory resets VmHWM through /proc/self/clear_refs just before the compaction.
import Foundation
import SundialCore
import SundialEncoding
import SundialTSDB

func cpuNow() -> Double { var t = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
func wallNow() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
func status(_ key: String) -> Int {  // kB
    let s = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for l in s.split(separator: "\n") where l.hasPrefix(key + ":") { return Int(l.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "0") ?? 0 }
    return 0
}
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
func measure(_ n: Int, _ body: () throws -> Void) rethrows -> (cpu: Double, wall: Double) {
    var c: [Double] = [], w: [Double] = []
    for _ in 0..<n { let c0 = cpuNow(), w0 = wallNow(); try body(); c.append(cpuNow() - c0); w.append(wallNow() - w0) }
    return (median(c), median(w))
}
func ms(_ x: Double) -> String { String(format: "%.3f ms", x * 1000) }

let scratch = NSTemporaryDirectory() + "blocks3bench-\(getpid())"
try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: scratch) }

let handlers = (0..<10).map { "/api/v1/endpoint\($0)" } + (0..<10).map { "/static/page\($0)" }
let codes = ["200", "201", "404", "500", "503"]
func millionLabels() -> [Labels] {
    var series: [Labels] = []
    series.reserveCapacity(1_000_000)
    for i in 0..<1_000_000 {
        let job = i % 100 == 0 ? "x" : "job\(i % 100)"
        series.append(Labels(sorted: [
            Label("__name__", "http_requests_total"), Label("code", codes[(i / 100) % 5]),
            Label("handler", handlers[(i / 500) % 20]), Label("instance", "host-\(i / 1000)"), Label("job", job),
        ]))
    }
    return series
}
let selector: [LabelMatcher] = [.equal("job", "x"), try! LabelMatcher(.regexMatch, "handler", "/api/.*"), try! LabelMatcher(.notEqual, "code", "200")]

// The previous implementation: decode every matching list, merge, intersect, subtract.
func materialisingPostings(_ idx: IndexReader, _ ms: [LabelMatcher]) throws -> [UInt32] {
    func union(_ lists: [[UInt32]]) -> [UInt32] {
        var work = lists.filter { !$0.isEmpty }
        if work.isEmpty { return [] }
        while work.count > 1 {
            var next: [[UInt32]] = []
            var i = 0
            while i + 1 < work.count {
                let a = work[i], b = work[i + 1]
                var out: [UInt32] = []; out.reserveCapacity(a.count + b.count)
                var x = 0, y = 0
                while x < a.count && y < b.count { if a[x] < b[y] { out.append(a[x]); x += 1 } else if b[y] < a[x] { out.append(b[y]); y += 1 } else { out.append(a[x]); x += 1; y += 1 } }
                out.append(contentsOf: a[x...]); out.append(contentsOf: b[y...])
                next.append(out); i += 2
            }
            if i < work.count { next.append(work[i]) }
            work = next
        }
        return work[0]
    }
    var inter: [[UInt32]] = [], sub: [[UInt32]] = []
    for m in ms {
        let vals = idx.labelValues(m.name)
        if m.matchesEmpty { sub.append(union(try vals.filter { !m.matches($0) }.map { try idx.postings(m.name, $0) })) }
        else { inter.append(union(try vals.filter { m.matches($0) }.map { try idx.postings(m.name, $0) })) }
    }
    var acc = inter.isEmpty ? try idx.allPostings() : inter.min { $0.count < $1.count }!
    for l in inter.sorted(by: { $0.count < $1.count }).dropFirst() {
        var out: [UInt32] = []; var j = 0
        for x in acc { j = Postings32.seek(l, x, from: j); if j == l.count { break }; if l[j] == x { out.append(x); j += 1 } }
        acc = out
    }
    for s in sub { var out: [UInt32] = []; var j = 0; for x in acc { j = Postings32.seek(s, x, from: j); if j < s.count && s[j] == x { continue }; out.append(x) }; acc = out }
    return acc
}

let mode = CommandLine.arguments.dropFirst().first ?? "postings"
switch mode {
case "postings":
    var series = millionLabels()
    series.sort()
    let path = scratch + "/index"
    let w = IndexWriter(path: path)
    var symbols = Set<String>()
    for s in series { for l in s { symbols.insert(l.name); symbols.insert(l.value) } }
    try w.addSymbols(symbols)
    for s in series { try w.addSeries(s, chunks: [IndexChunkMeta(minTime: 0, maxTime: 1, ref: 8)]) }
    try w.close()
    series = []
    let idx = try IndexReader(path: path)
    var r: [UInt32] = []
    let cold = measure(1) { r = try! idx.postings(for: selector) }
    let lazy = measure(200) { r = try! idx.postings(for: selector) }
    var r2: [UInt32] = []
    let old = measure(20) { r2 = try! materialisingPostings(idx, selector) }
    precondition(r == r2, "disagree")
    let all = try idx.allPostings()
    var chunks: [IndexChunkMeta] = []
    var hits = 0
    let scan = measure(2) {
        hits = 0
        for ref in all { let ls = try! idx.series(UInt64(ref), chunks: &chunks); if selector.allSatisfy({ $0.matches(ls.get($0.name) ?? "") }) { hits += 1 } }
    }
    precondition(hits == r.count)
    print("block index 1M series, \(r.count) hits (median CPU / wall)")
    print("  lazy first call (CRC of each list): \(ms(cold.cpu)) / \(ms(cold.wall))")
    print("  lazy:                \(ms(lazy.cpu)) / \(ms(lazy.wall))")
    print("  materialising (old): \(ms(old.cpu)) / \(ms(old.wall))  -> \(String(format: "%.1f", old.cpu / lazy.cpu))x")
    print("  linear scan:         \(ms(scan.cpu)) / \(ms(scan.wall))  -> \(String(format: "%.0f", scan.cpu / lazy.cpu))x")
    // Prometheus-benchmark-like selectors on the same index
    for (name, m) in [("job=\"x\"", [LabelMatcher.equal("job", "x")]), ("code=\"200\"", [LabelMatcher.equal("code", "200")]),
                      ("job=\"x\",code!=\"200\"", [LabelMatcher.equal("job", "x"), try LabelMatcher(.notEqual, "code", "200")]),
                      ("handler=~\"/api/.*\"", [try LabelMatcher(.regexMatch, "handler", "/api/.*")])] {
        var n = 0
        let t = measure(30) { n = try! idx.postings(for: m).count }
        let o = measure(10) { _ = try! materialisingPostings(idx, m) }
        print("  \(name): \(n) refs, lazy \(ms(t.cpu)), materialising \(ms(o.cpu))")
    }
case "head":
    let head = Head()
    let series = millionLabels()
    var k = 0
    while k < series.count {
        let app = head.appender()
        for i in k..<min(k + 10_000, series.count) { _ = try app.append(ref: .none, labels: series[i], timestamp: 1000, value: 1) }
        try app.commit()
        k += 10_000
    }
    let q = try head.querier(minTime: .min, maxTime: .max)
    var n = 0
    let sel = measure(50) { n = try! q.select(sorted: false, hints: nil, matchers: selector).count }
    print("head 1M series select \(n) series (postings + series lookup + chunk snapshot): \(ms(sel.cpu)) / \(ms(sel.wall))")
    let one = measure(50) { n = try! q.select(sorted: false, hints: nil, matchers: [LabelMatcher.equal("job", "x"), try! LabelMatcher(.notEqual, "code", "200")]).count }
    print("head job=x,code!=200 \(n): \(ms(one.cpu))")
case "compact":
    // 100k series x 2 h at `interval` s, then HeadCompaction.persist of the 2 h range.
    let interval = Int64(CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 60)
    let head = Head()
    var refs = [SeriesRef](repeating: .none, count: 100_000)
    let labels = (0..<100_000).map { Labels(sorted: [Label("__name__", "m\($0 % 100)"), Label("i", String($0)), Label("job", "bench")]) }
    let steps = Int(7_200 / interval)
    for k in 0..<steps {
        let app = head.appender()
        for i in 0..<100_000 { refs[i] = try app.append(ref: refs[i], labels: labels[i], timestamp: Int64(k) * interval * 1000, value: Double(k * i % 977)) }
        try app.commit()
    }
    let dir = scratch + "/compact"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // Let freed memory settle, then reset the peak (VmHWM) to the current RSS.
    let rssBefore = status("VmRSS")
    try "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let hwmReset = status("VmHWM")
    let c0 = cpuNow(), w0 = wallNow()
    let meta = try HeadCompaction.persist(head: head, minTime: 0, maxTime: 2 * 3_600_000, into: dir)!
    let cpu = cpuNow() - c0, wall = wallNow() - w0
    let hwm = status("VmHWM"), rssAfter = status("VmRSS")
    print("head compaction 100k series x 2h at \(interval)s: \(meta.stats.numSamples) samples, \(meta.stats.numChunks) chunks")
    print("  CPU \(ms(cpu)), wall \(ms(wall))")
    print("  RSS before \(rssBefore / 1024) MiB (VmHWM after reset \(hwmReset / 1024) MiB), VmHWM during \(hwm / 1024) MiB -> extra peak \((hwm - rssBefore) / 1024) MiB; RSS after \(rssAfter / 1024) MiB")
case "open":
    // 20 blocks x 100k series (3 labels, 4 samples each), then open them all.
    let dir = scratch + "/open"
    for b in 0..<20 {
        var input: [(labels: Labels, chunks: [BlockChunk])] = []
        input.reserveCapacity(100_000)
        let t0 = Int64(b) * 7_200_000
        for i in 0..<100_000 {
            let ls = Labels(sorted: [Label("__name__", "m\(i % 100)"), Label("i", String(i)), Label("job", "bench")])
            input.append((ls, BlockChunk.xorChunks(timestamps: (0..<4).map { t0 + Int64($0) * 60_000 }, values: [1, 2, 3, 4])))
        }
        _ = try BlockWriter.write(parentDirectory: dir, minTime: t0, maxTime: t0 + 7_200_000, series: input)
    }
    for round in 0..<3 {
        let c0 = cpuNow(), w0 = wallNow()
        let store = try BlockStore(directory: dir, readOnly: true)
        let cpu = cpuNow() - c0, wall = wallNow() - w0
        print("open round \(round): \(store.blocks.count) blocks, \(store.blocks.reduce(0) { $0 + $1.meta.stats.numSeries }) series-blocks: CPU \(ms(cpu)), wall \(ms(wall)), RSS \(status("VmRSS") / 1024) MiB")
    }
case "decode":
    // 1,000 series x 24 h at 15 s, counters and gauges with jitter (the TSDBBenchmarks generator).
    var state: UInt64 = 1000
    func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
    let n = 24 * 60 * 4
    var input: [(labels: Labels, chunks: [BlockChunk])] = []
    var ts = [Int64](repeating: 0, count: n), vs = [Double](repeating: 0, count: n)
    for s in 0..<1000 {
        let counter = s % 3 != 0
        var v = Double(next() % 1000)
        for k in 0..<n {
            ts[k] = Int64(k) * 15_000 + Int64(next() % 3)
            if counter { v += Double(next() % 20) } else { v = Double(Int(next() % 1000)) / 10 }
            vs[k] = v
        }
        let ls = Labels(sorted: [Label("__name__", counter ? "node_requests_total" : "node_load"), Label("instance", "host-\(s / 20)"), Label("job", "node"), Label("shard", String(s % 20))])
        input.append((ls, BlockChunk.xorChunks(timestamps: ts, values: vs)))
    }
    let dir = scratch + "/day"
    let meta = try BlockWriter.write(parentDirectory: dir, minTime: 0, maxTime: Int64(n) * 15_000 + 1, series: input)
    let block = try Block(directory: dir + "/" + meta.ulid.string)
    let q = BlockQuerier(block: block, minTime: .min, maxTime: .max)
    var buf = SampleBuffer()
    buf.reserveCapacity(6000)
    var total = 0
    let t = measure(20) {
        total = 0
        for s in try! q.selectSeries(matchers: []) { buf.removeAll(); try! s.samples(minTime: .min, maxTime: .max, into: &buf); total += buf.count }
    }
    print("decode 1000 series x 24h: \(total) samples, CPU \(ms(t.cpu)) -> \(String(format: "%.1f", Double(total) / t.cpu / 1e6))M samples/s per core (CPU); wall \(ms(t.wall)) -> \(String(format: "%.1f", Double(total) / t.wall / 1e6))M/s")
default:
    print("modes: postings head compact open decode")
}
