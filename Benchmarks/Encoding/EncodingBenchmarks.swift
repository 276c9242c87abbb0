import Benchmark
import SundialEncoding

// Micro-benchmarks of SundialEncoding's primitives: the checksum of every TSDB file and WAL fragment,
// the snappy block codec of remote write/read bodies and WAL records, varint/big-endian appenders and
// the bounds-checked reader. One iteration processes the fixture once; throughput is per iteration.

/// A deterministic remote-write-like body: 500 one-sample TimeSeries with realistic label sets, the
/// shape Prometheus's queue manager sends (what snappy sees on the ingest path).
func remoteWriteLikeBody() -> [UInt8] {
    var out: [UInt8] = []
    var state: UInt64 = 42
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    let names = ["node_cpu_seconds_total", "http_requests_total", "http_request_duration_seconds_bucket",
                 "node_memory_MemFree_bytes", "go_goroutines"]
    for i in 0..<500 {
        var labels: [UInt8] = []
        for (k, v) in [("__name__", names[i % names.count]), ("instance", "host-\(i / 70):9100"), ("job", "node"),
                       ("mode", ["idle", "user", "system"][i % 3]), ("cpu", String(i % 4))] {
            var l: [UInt8] = [0x0A]
            l.appendUVarint(UInt64(k.utf8.count))
            l += Array(k.utf8)
            l.append(0x12)
            l.appendUVarint(UInt64(v.utf8.count))
            l += Array(v.utf8)
            labels.append(0x0A)
            labels.appendUVarint(UInt64(l.count))
            labels += l
        }
        var sample: [UInt8] = [0x09]
        let bits = Double(next() % 100_000).bitPattern
        for j in 0..<8 { sample.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(j)))) }
        sample.append(0x10)
        sample.appendUVarint(1_795_000_000_000 + UInt64(i))
        var ts = labels
        ts.append(0x12)
        ts.appendUVarint(UInt64(sample.count))
        ts += sample
        out.append(0x0A)
        out.appendUVarint(UInt64(ts.count))
        out += ts
    }
    return out
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            // Wall clock on the shared 2-core machines is noisy (no hardware instruction counters in
            // these VMs): flag only a doubling of p90; allocation counts are the precise guard.
            .wallClock: .init(relative: [.p90: 100.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            // Allocation counts are exact: any new allocation on these paths is a regression.
            .mallocCountTotal: .init(absolute: [.p90: 0]),
        ]
    )

    xorBenchmarks()

    let block64k: [UInt8] = (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
    Benchmark("CRC32C.checksum 64 KiB", configuration: .init(units: [.throughput: .kilo])) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(block64k.withUnsafeBytes { CRC32C.checksum($0) })
        }
    }

    let body = remoteWriteLikeBody()
    let compressed = Snappy.compress(body)
    Benchmark("Snappy.compress remote-write body (500 samples)") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            body.withUnsafeBytes { Snappy.compress($0, into: &out) }
            blackHole(out.count)
        }
    }
    Benchmark("Snappy.decompress remote-write body (500 samples)") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try compressed.withUnsafeBytes { try Snappy.decompress($0, into: &out) }
            blackHole(out.count)
        }
    }

    Benchmark("Zstd.compress 64 KiB level 1") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(body.withUnsafeBytes { Zstd.compress($0, level: 1) })
        }
    }

    Benchmark("appendUVarint x 10k into a reused buffer") { benchmark in
        var out: [UInt8] = []
        out.reserveCapacity(10_000 * 10)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            out.removeAll(keepingCapacity: true)
            var v: UInt64 = 1
            for _ in 0..<10_000 {
                out.appendUVarint(v)
                v = v &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 >> 20
            }
            blackHole(out.count)
        }
    }

    var varints: [UInt8] = []
    var v: UInt64 = 1
    for _ in 0..<10_000 {
        varints.appendUVarint(v >> (v % 50))
        v = v &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    }
    Benchmark("UnsafeByteReader.readUVarint x 10k") { benchmark in
        for _ in benchmark.scaledIterations {
            varints.withUnsafeBytes { b in
                var r = UnsafeByteReader(b)
                var sum: UInt64 = 0
                while !r.isAtEnd { sum &+= (try? r.readUVarint()) ?? 0 }
                blackHole(sum)
            }
        }
    }
}

/// 1,000 series × 120 samples at a 15 s interval with a few ms of jitter: counters with integer steps,
/// gauges with random walks (the shapes `Benchmarks/compare/loadgen` sends).
let xorSeries: [[(Int64, Double)]] = {
    var state: UInt64 = 7
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    return (0..<1_000).map { s in
        var t: Int64 = 1_795_000_000_000 + Int64(next() % 15_000)
        var v = Double(next() % 100_000)
        return (0..<120).map { _ in
            t += 15_000 + Int64(next() % 4) - 1
            if s % 2 == 0 { v += Double(next() % 50) } else { v = (v + Double(Int64(next() % 200) - 100) * 0.25) }
            return (t, v)
        }
    }
}()

let xorChunks: [[UInt8]] = xorSeries.map { samples in
    var a = XORChunkAppender()
    for (t, v) in samples { a.append(timestamp: t, value: v) }
    return a.finish()
}

let xorBenchmarks: @Sendable () -> Void = {
    Benchmark("XORChunk encode 1k series x 120 samples") { benchmark in
        var a = XORChunkAppender(reservingCapacity: 512)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var bytes = 0
            for samples in xorSeries {
                a.reset()
                for (t, v) in samples { a.append(timestamp: t, value: v) }
                bytes += a.byteCount
            }
            blackHole(bytes)
        }
    }
    Benchmark("XORChunk decode 1k chunks x 120 samples") { benchmark in
        var it = XORChunkIterator(xorChunks[0])
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var sum = 0.0
            for c in xorChunks {
                it.reset(c)
                while it.next() { sum += it.value }
            }
            blackHole(sum)
        }
    }
}
