import Benchmark
import Foundation
import SundialCore
import SundialEncoding
import SundialTSDB

// Block benchmarks (issue 3 targets): postings for a 3-matcher selector over a 1M-series index vs a
// linear scan of every series; decoding 1,000 series × 24 h from a block; head compaction of a
// 100k-series 2 h head; bytes per sample of a 10k-series × 90 min block. Data are synthetic and
// deterministic; fixtures are built once, outside the measured loops.

struct Rng {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let scratch = NSTemporaryDirectory() + "sundial-tsdb-bench-\(getpid())"

/// 1M series: 100 jobs ("x" is one), 20 handlers (10 under /api/), 5 codes, 1,000 instances.
let millionSeriesIndex: IndexReader = {
    let handlers = (0..<10).map { "/api/v1/endpoint\($0)" } + (0..<10).map { "/static/page\($0)" }
    let codes = ["200", "201", "404", "500", "503"]
    var series: [Labels] = []
    series.reserveCapacity(1_000_000)
    for i in 0..<1_000_000 {
        let job = i % 100 == 0 ? "x" : "job\(i % 100)"
        series.append(Labels(sorted: [
            Label("__name__", "http_requests_total"), Label("code", codes[(i / 100) % 5]),
            Label("handler", handlers[(i / 500) % 20]), Label("instance", "host-\(i / 1000)"), Label("job", job),
        ]))
    }
    series.sort()
    try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    let path = scratch + "/million-index"
    let w = IndexWriter(path: path)
    var symbols = Set<String>()
    for s in series { for l in s { symbols.insert(l.name); symbols.insert(l.value) } }
    try! w.addSymbols(symbols)
    for s in series { try! w.addSeries(s, chunks: [IndexChunkMeta(minTime: 0, maxTime: 1, ref: 8)]) }
    try! w.close()
    return try! IndexReader(path: path)
}()

let selector: [LabelMatcher] = [.equal("job", "x"), try! LabelMatcher(.regexMatch, "handler", "/api/.*"), try! LabelMatcher(.notEqual, "code", "200")]

/// A block of `series` series over `hours` at 15 s: counters with jittered increments and gauges.
func realisticBlock(series: Int, minutes: Int64, name: String) -> Block {
    let dir = scratch + "/" + name
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var rng = Rng(state: UInt64(series))
    var input: [(labels: Labels, chunks: [BlockChunk])] = []
    let n = Int(minutes * 4)
    var ts = [Int64](repeating: 0, count: n), vs = [Double](repeating: 0, count: n)
    for s in 0..<series {
        let counter = s % 3 != 0
        var v = Double(rng.next() % 1000)
        for k in 0..<n {
            ts[k] = Int64(k) * 15_000 + Int64(rng.next() % 3)  // scrape jitter of a few ms
            if counter { v += Double(rng.next() % 20) } else { v = Double(Int(rng.next() % 1000)) / 10 }
            vs[k] = v
        }
        let ls = Labels(sorted: [Label("__name__", counter ? "node_requests_total" : "node_load"), Label("instance", "host-\(s / 20)"),
                                 Label("job", "node"), Label("shard", String(s % 20))])
        input.append((ls, BlockChunk.xorChunks(timestamps: ts, values: vs)))
    }
    let meta = try! BlockWriter.write(parentDirectory: dir, minTime: 0, maxTime: minutes * 60_000 + 1, series: input)
    return try! Block(directory: dir + "/" + meta.ulid.string)
}

let dayBlock: Block = realisticBlock(series: 1000, minutes: 24 * 60, name: "day")

/// A head of 100k series × 2 h at 60 s (12M samples).
let bigHead: Head = {
    let head = Head()
    var refs = [SeriesRef](repeating: .none, count: 100_000)
    let labels = (0..<100_000).map { Labels(sorted: [Label("__name__", "m\($0 % 100)"), Label("i", String($0)), Label("job", "bench")]) }
    for k in 0..<120 {
        let app = head.appender()
        for i in 0..<100_000 { refs[i] = try! app.append(ref: refs[i], labels: labels[i], timestamp: Int64(k) * 60_000, value: Double(k * i % 977)) }
        try! app.commit()
    }
    return head
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 1000
    )

    Benchmark("Postings 1M series job=x,handler=~/api/.*,code!=200") { benchmark in
        let idx = millionSeriesIndex
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try idx.postings(for: selector)) }
    }

    Benchmark("Linear scan 1M series job=x,handler=~/api/.*,code!=200", configuration: .init(maxIterations: 3)) { benchmark in
        let idx = millionSeriesIndex
        let all = try idx.allPostings()
        var chunks: [IndexChunkMeta] = []
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var hits = 0
            for r in all {
                let ls = try idx.series(UInt64(r), chunks: &chunks)
                if selector.allSatisfy({ $0.matches(ls.get($0.name) ?? "") }) { hits += 1 }
            }
            blackHole(hits)
        }
    }

    // One iteration decodes all 5,760,000 samples; samples/s = 5.76M / wall clock.
    Benchmark("Decode 1000 series x 24h from a block (5.76M samples)", configuration: .init(maxIterations: 20)) { benchmark in
        let q = BlockQuerier(block: dayBlock, minTime: .min, maxTime: .max)
        let series = try q.selectSeries(matchers: [])
        var buf = SampleBuffer()
        buf.reserveCapacity(6000)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var total = 0
            for s in series {
                buf.removeAll()
                try s.samples(minTime: .min, maxTime: .max, into: &buf)
                total += buf.count
            }
            blackHole(total)
        }
    }

    Benchmark("Head compaction 100k series x 2h", configuration: .init(maxIterations: 3)) { benchmark in
        let head = bigHead
        let dir = scratch + "/headcompaction"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        benchmark.startMeasurement()
        let meta = try HeadCompaction.persist(head: head, minTime: 0, maxTime: 2 * 3_600_000, into: dir)
        benchmark.stopMeasurement()
        blackHole(meta)
        try? FileManager.default.removeItem(atPath: dir)
    }

    Benchmark("Block bytes per sample 10k series x 90 min (write)", configuration: .init(maxIterations: 1)) { benchmark in
        let b = realisticBlock(series: 10_000, minutes: 90, name: "bps")
        let chunkBytes = b.chunks.size
        let perSample = Double(b.size) / Double(b.meta.stats.numSamples)
        let chunksPerSample = Double(chunkBytes) / Double(b.meta.stats.numSamples)
        FileHandle.standardError.write(Data("bytes/sample total \(perSample), chunks \(chunksPerSample), samples \(b.meta.stats.numSamples)\n".utf8))
    }
}
