import Benchmark
import Foundation
import SundialCore
import SundialWAL

// WAL benchmarks (issue 2 targets: WAL bytes/sample no more than Prometheus's ~9.6 with snappy on the
// anchor data; replay ≥ 10M samples/s). The workload mimics the anchor remote-write load: 10k series
// (node_exporter-like counters and gauges, classic histogram buckets), 120 samples each at a 15 s
// interval, committed as Prometheus's remote-write receiver commits them: one batch per 500-sample
// request, with the series records of series first seen in that request. Values are random walks, so
// snappy sees realistic float bits.

struct Workload {
    var series: [RefSeries] = []
    /// Batches: (new series in this batch, samples).
    var batches: [(newSeries: Range<Int>, samples: [RefSample])] = []
    var sampleCount = 0

    init(seriesCount: Int = 10_000, samplesPerSeries: Int = 120, batchSize: Int = 500) {
        var state: UInt64 = 42
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var values = [Double](repeating: 0, count: seriesCount)
        for i in 0..<seriesCount {
            let instance = "host-\(i / 200):9100"
            let kind = i % 10
            var labels: [String: String] = ["instance": instance, "job": kind < 6 ? "node" : "app"]
            switch kind {
            case 0, 1, 2:
                labels["__name__"] = "node_cpu_seconds_total"
                labels["cpu"] = String(i % 16)
                labels["mode"] = ["idle", "user", "system", "iowait"][i % 4]
            case 3, 4, 5:
                labels["__name__"] = "node_memory_bytes"
                labels["kind"] = "k\(i % 37)"
                values[i] = Double(next() % 1_000_000_000)
            default:
                labels["__name__"] = "http_request_duration_seconds_bucket"
                labels["le"] = ["0.005", "0.01", "0.05", "0.1", "0.5", "1", "5", "+Inf"][i % 8]
                labels["handler"] = "/api/v\(i % 5)"
            }
            series.append(RefSeries(ref: SeriesRef(UInt64(i + 1)), labels: Labels(labels)))
        }
        let t0: Int64 = 1_795_000_000_000
        var seen = 0
        for step in 0..<samplesPerSeries {
            var start = 0
            while start < seriesCount {
                let end = min(start + batchSize, seriesCount)
                var samples: [RefSample] = []
                samples.reserveCapacity(end - start)
                for i in start..<end {
                    switch i % 10 {
                    case 0, 1, 2: values[i] += Double(next() % 1500) / 100  // counter, centiseconds
                    case 3, 4, 5: values[i] = max(0, values[i] + Double(Int64(next() % 2_000_001) - 1_000_000))  // gauge
                    default: values[i] += Double(next() % 20)  // cumulative bucket count
                    }
                    let jitter = Int64(next() % 20)
                    samples.append(RefSample(ref: SeriesRef(UInt64(i + 1)), t: t0 + Int64(step) * 15_000 + jitter, v: values[i]))
                }
                let newRange = step == 0 ? start..<end : seen..<seen
                if step == 0 { seen = end }
                batches.append((newRange, samples))
                sampleCount += samples.count
                start = end
            }
        }
    }

    /// Appends every batch to a fresh WAL in `dir` and closes it. Returns the bytes on disk.
    func write(to dir: String, options: WALOptions) throws -> Int {
        let wal = try WAL.open(directory: dir, options: options)
        var seriesBuf: [UInt8] = [], samplesBuf: [UInt8] = []
        for b in batches {
            samplesBuf.removeAll(keepingCapacity: true)
            RecordEncoder.encodeSamples(b.samples, into: &samplesBuf)
            if b.newSeries.isEmpty {
                try wal.append(samplesBuf)
            } else {
                seriesBuf.removeAll(keepingCapacity: true)
                RecordEncoder.encodeSeries(series[b.newSeries], into: &seriesBuf)
                try wal.append([seriesBuf, samplesBuf])
            }
        }
        try wal.close()
        return try FileManager.default.contentsOfDirectory(atPath: dir).reduce(0) {
            $0 + ((try FileManager.default.attributesOfItem(atPath: dir + "/" + $1)[.size] as? Int) ?? 0)
        }
    }
}

func tempDir(_ name: String) -> String {
    let p = NSTemporaryDirectory() + "sundial-walbench-\(name)-\(UInt64.random(in: 0...UInt64.max))"
    try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 20,
        thresholds: [.wallClock: .init(relative: [.p90: 35.0])]
    )
    let workload = Workload()

    // Bytes per sample, with each compression (custom metric: milli-bytes per sample).
    for (name, compression) in [("snappy", WALCompression.snappy), ("none", .none), ("zstd", .zstd)] {
        Benchmark(
            "WAL write 1.2M samples (10k series, 500-sample batches, \(name), sync never)",
            configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .custom("wal_millibytes_per_sample"), .custom("samples_per_second")])
        ) { benchmark in
            for _ in benchmark.scaledIterations {
                let dir = tempDir("write")
                defer { try? FileManager.default.removeItem(atPath: dir) }
                benchmark.startMeasurement()
                let start = ContinuousClock.now
                let bytes = try workload.write(to: dir, options: WALOptions(compression: compression, syncMode: .never))
                let elapsed = ContinuousClock.now - start
                benchmark.stopMeasurement()
                benchmark.measurement(.custom("wal_millibytes_per_sample"), bytes * 1000 / workload.sampleCount)
                let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                benchmark.measurement(.custom("samples_per_second"), Int(Double(workload.sampleCount) / secs))
            }
        }
    }

    // Replay: read + CRC + snappy-decode + decode samples records.
    Benchmark(
        "WAL replay 1.2M samples (snappy, typed decode)",
        configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal, .custom("samples_per_second")])
    ) { benchmark in
        // Written here (not at registration) so that only the process running this benchmark pays
        // for it, and removed afterwards.
        let replayDir = tempDir("replay")
        defer { try? FileManager.default.removeItem(atPath: replayDir) }
        _ = try workload.write(to: replayDir, options: WALOptions(compression: .snappy, syncMode: .never))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            var n = 0
            let start = ContinuousClock.now
            try replay(directory: replayDir) { rec in
                if case .samples(let s) = rec { n += s.count }
            }
            let elapsed = ContinuousClock.now - start
            precondition(n == workload.sampleCount)
            let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(.custom("samples_per_second"), Int(Double(n) / secs))
        }
    }

    // Group commit: 8 concurrent committers, each appending 500-sample batches and waiting for
    // durability (sync always). Reports commits per fsync.
    Benchmark(
        "WAL group commit 8 committers x 150 batches of 500 samples (sync always)",
        configuration: .init(metrics: [.wallClock, .custom("commits_per_fsync"), .custom("samples_per_second")], maxIterations: 5)
    ) { benchmark in
        for _ in benchmark.scaledIterations {
            let dir = tempDir("gc")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let wal = try WAL.open(directory: dir, options: WALOptions(syncMode: .always))
            let batches = Array(workload.batches.prefix(1200))
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<8 {
                    group.addTask {
                        var buf: [UInt8] = []
                        for k in stride(from: c, to: batches.count, by: 8) {
                            buf.removeAll(keepingCapacity: true)
                            RecordEncoder.encodeSamples(batches[k].samples, into: &buf)
                            let p = try wal.append(buf)
                            try await wal.waitDurable(p)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = ContinuousClock.now - start
            let fsyncs = max(1, wal.fsyncCount)
            try wal.close()
            let secs = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(.custom("commits_per_fsync"), batches.count / fsyncs)
            benchmark.measurement(.custom("samples_per_second"), Int(Double(batches.count * 500) / secs))
        }
    }
}
