import Benchmark
import SundialCore
import SundialEncoding
import SundialIngest

// Micro-benchmarks of the remote-write hot path: snappy + protobuf decoding of a 500-sample
// request (the queue manager's default batch) into the decoder's reused buffers.

/// 500 one-sample series with node_exporter-like labels, encoded as a remote-write 1.0 body.
func remoteWriteBody(version: RemoteWriteVersion) -> [UInt8] {
    var series: [RemoteWriteRequest.Series] = []
    let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    for i in 0..<500 {
        let labels = [
            Label("__name__", "node_cpu_seconds_total"), Label("cpu", String(i % 4)),
            Label("instance", "host-\(i / 32):9100"), Label("job", "node"), Label("mode", modes[i % 8]),
        ]
        series.append(.init(labels: labels, samples: [.init(value: Double(i) * 1.25, timestamp: 1_795_000_000_000 + Int64(i))]))
    }
    return Snappy.compress(RemoteWriteRequest(series: series).encoded(version))
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        thresholds: [
            .wallClock: .init(relative: [.p90: 100.0]),
            .throughput: .init(relative: [.p90: 50.0]),
            .mallocCountTotal: .init(absolute: [.p90: 0]),
        ]
    )

    for version in [RemoteWriteVersion.v1, .v2] {
        let body = remoteWriteBody(version: version)
        let name = version == .v1 ? "1.0" : "2.0"
        Benchmark("RemoteWriteDecoder.decode \(name) 500 samples (snappy + protobuf)") { benchmark in
            let decoder = RemoteWriteDecoder()
            try decoder.decode(body, version: version)  // warm the reused buffers
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try decoder.decode(body, version: version)
                blackHole(decoder.sampleCount)
            }
        }
    }
}
