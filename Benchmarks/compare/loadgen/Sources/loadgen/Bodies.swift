#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pre-encoded request bodies of one shard (one connection), in send order, stored back to back.
struct ShardBodies {
    var data: [UInt8] = []
    var offsets: [Int] = []
    var lengths: [Int] = []
    var samples: [Int] = []

    var count: Int { offsets.count }

    mutating func append(_ body: [UInt8], samples n: Int) {
        offsets.append(data.count)
        lengths.append(body.count)
        samples.append(n)
        data += body
    }

    func body(_ i: Int) -> ArraySlice<UInt8> { data[offsets[i]..<offsets[i] + lengths[i]] }
}

/// Facts about a generated load, written beside the bodies as JSON for run.sh and report.py.
struct LoadMeta {
    var seed: UInt64
    var series: Int
    var samplesPerSeries: Int
    var samples: Int
    var intervalMs: Int64
    var startMs: Int64
    var endMs: Int64
    var shards: Int
    var maxSamplesPerSend: Int
    var requests: Int
    var compressedBytes: Int
    var rawBytes: Int
    var nodeTargets: Int
    var appTargets: Int

    var json: String {
        """
        {"seed": \(seed), "series": \(series), "samples_per_series": \(samplesPerSeries), "samples": \(samples), \
        "interval_ms": \(intervalMs), "start_ms": \(startMs), "end_ms": \(endMs), "shards": \(shards), \
        "max_samples_per_send": \(maxSamplesPerSend), "requests": \(requests), "compressed_bytes": \(compressedBytes), \
        "raw_bytes": \(rawBytes), "node_targets": \(nodeTargets), "app_targets": \(appTargets)}

        """
    }
}

/// Generates the load: for each scrape interval, every target in phase order, every series of the
/// target routed to shard `seriesIndex % shards` (Prometheus 2.42's queue manager shards by series ref
/// modulo the shard count, and series refs are handed out in order), each shard cutting a request every
/// `maxSamplesPerSend` samples (the 2.42 default is 500), one sample per TimeSeries.
/// - Parameter endMs: the newest scrape time; the data covers `samplesPerSeries` intervals before it.
/// - Parameter visit: called for every sample in generation order (the self-test's oracle).
func generate(catalog: Catalog, samplesPerSeries: Int, intervalMs: Int64, endMs: Int64, shards: Int,
              maxSamplesPerSend: Int, seed: UInt64,
              visit: ((Int, Int64, Double) -> Void)? = nil) -> ([ShardBodies], LoadMeta) {
    var rng = SplitMix64(seed: seed ^ 0x5EED_5EED)
    var values = catalog.initial
    let labelBytes = catalog.labels.map(encodeLabels)
    var out = [ShardBodies](repeating: ShardBodies(), count: shards)
    var pending = [[UInt8]](repeating: [], count: shards)
    var pendingN = [Int](repeating: 0, count: shards)
    for s in 0..<shards { pending[s].reserveCapacity(maxSamplesPerSend * 256) }
    var compressed: [UInt8] = []
    var rawBytes = 0
    // The first scrape interval starts so that the last scrape (phase < interval) is at most endMs.
    let base = endMs - Int64(samplesPerSeries) * intervalMs
    var minTs = Int64.max
    var maxTs = Int64.min

    func flush(_ s: Int) {
        guard pendingN[s] > 0 else { return }
        rawBytes += pending[s].count
        SnappyBlock.compress(pending[s], into: &compressed)
        out[s].append(compressed, samples: pendingN[s])
        pending[s].removeAll(keepingCapacity: true)
        pendingN[s] = 0
    }

    for step in 0..<samplesPerSeries {
        for t in catalog.targets {
            // Scrape time: the target's phase plus a few ms of timer jitter, as real scrapes have.
            let ts = base + Int64(step) * intervalMs + t.offsetMs + Int64(rng.below(4))
            minTs = min(minTs, ts)
            maxTs = max(maxTs, ts)
            if step > 0 {
                for g in t.generators { g.advance(&values, timestampMs: ts, rng: &rng) }
            } else {
                for g in t.generators {
                    if case .clock = g { g.advance(&values, timestampMs: ts, rng: &rng) }
                }
            }
            for series in t.firstSeries..<t.firstSeries + t.seriesCount {
                let s = series % shards
                appendTimeSeries(&pending[s], labels: labelBytes[series], value: values[series], timestampMs: ts)
                visit?(series, ts, values[series])
                pendingN[s] += 1
                if pendingN[s] == maxSamplesPerSend { flush(s) }
            }
        }
    }
    for s in 0..<shards { flush(s) }
    let meta = LoadMeta(
        seed: seed, series: catalog.seriesCount, samplesPerSeries: samplesPerSeries,
        samples: catalog.seriesCount * samplesPerSeries, intervalMs: intervalMs,
        startMs: minTs == .max ? base : minTs, endMs: maxTs == .min ? base : maxTs, shards: shards,
        maxSamplesPerSend: maxSamplesPerSend, requests: out.reduce(0) { $0 + $1.count },
        compressedBytes: out.reduce(0) { $0 + $1.data.count }, rawBytes: rawBytes,
        nodeTargets: catalog.targets.filter { $0.job == "node" }.count,
        appTargets: catalog.targets.filter { $0.job == "app" }.count)
    return (out, meta)
}

// File layout of a body set (all integers little-endian):
//   "SDLGBODY" u32 version=1 u32 shards
//   per shard: u64 bodies, then per body: u32 length, u32 samples, bytes

private let magic = Array("SDLGBODY".utf8)

private func appendLE(_ out: inout [UInt8], _ v: UInt64, bytes n: Int) {
    for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
}

func writeBodies(_ shards: [ShardBodies], to path: String) throws {
    guard let f = fopen(path, "wb") else { throw LoadgenError("cannot create \(path): errno \(errno)") }
    defer { fclose(f) }
    var header = magic
    appendLE(&header, 1, bytes: 4)
    appendLE(&header, UInt64(shards.count), bytes: 4)
    try write(f, header, path)
    for s in shards {
        var h: [UInt8] = []
        appendLE(&h, UInt64(s.count), bytes: 8)
        try write(f, h, path)
        for i in 0..<s.count {
            var bh: [UInt8] = []
            appendLE(&bh, UInt64(s.lengths[i]), bytes: 4)
            appendLE(&bh, UInt64(s.samples[i]), bytes: 4)
            try write(f, bh, path)
            try write(f, Array(s.body(i)), path)
        }
    }
}

private func write(_ f: UnsafeMutablePointer<FILE>, _ bytes: [UInt8], _ path: String) throws {
    let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    guard n == bytes.count else { throw LoadgenError("short write to \(path)") }
}

func readFile(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else { throw LoadgenError("cannot open \(path): errno \(errno)") }
    defer { fclose(f) }
    fseek(f, 0, SEEK_END)
    let size = ftell(f)
    fseek(f, 0, SEEK_SET)
    guard size >= 0 else { throw LoadgenError("cannot size \(path)") }
    var data = [UInt8](repeating: 0, count: size)
    let n = data.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, f) }
    guard n == size else { throw LoadgenError("short read of \(path)") }
    return data
}

func readBodies(_ path: String) throws -> [ShardBodies] {
    let d = try readFile(path)
    var i = 0
    func le(_ n: Int) throws -> Int {
        guard d.count - i >= n else { throw LoadgenError("\(path): truncated at offset \(i)") }
        var v: UInt64 = 0
        for j in 0..<n { v |= UInt64(d[i + j]) << (8 * UInt64(j)) }
        i += n
        return Int(v)
    }
    guard d.count >= 16, Array(d[0..<8]) == magic else { throw LoadgenError("\(path): not a body file") }
    i = 8
    guard try le(4) == 1 else { throw LoadgenError("\(path): unknown version") }
    let n = try le(4)
    var shards: [ShardBodies] = []
    for _ in 0..<n {
        var s = ShardBodies()
        let count = try le(8)
        for _ in 0..<count {
            let len = try le(4)
            let samples = try le(4)
            guard d.count - i >= len else { throw LoadgenError("\(path): body past end at offset \(i)") }
            s.append(Array(d[i..<i + len]), samples: samples)
            i += len
        }
        shards.append(s)
    }
    return shards
}
