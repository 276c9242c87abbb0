import Foundation
import SundialTestSupport

/// A `sundial serve` and a Prometheus 2.42 remote-write receiver (`--web.enable-remote-write-receiver`),
/// both on free 127.0.0.1 ports with their data under `dir`, for tests that send both the same
/// requests and compare the answers. Prometheus's scrape config is empty; its log is
/// `dir/prometheus.log`. Call ``stop()`` (e.g. in a `defer`) to end both.
struct ReceiverPair {
    let sundial: ServerProcess
    let prometheus: Process
    let sundialPort: Int
    let promPort: Int

    /// Starts both and waits until each answers `/-/ready`.
    /// - Parameters:
    ///   - sundialArgs: extra `sundial serve` flags (after `--data-dir` and `--listen`).
    ///   - prometheusArgs: extra Prometheus flags (e.g. `--enable-feature=…`).
    init(dir: TemporaryDirectory, sundialArgs: [String] = [], prometheusArgs: [String] = []) throws {
        sundialPort = try ServerProcess.freePort()
        promPort = try ServerProcess.freePort()
        sundial = try ServerProcess.start(["serve", "--data-dir", dir.appending("sundial"),
                                           "--listen", "127.0.0.1:\(sundialPort)"] + sundialArgs, port: sundialPort)
        do {
            try "global:\n  scrape_interval: 1h\n".write(toFile: dir.appending("prometheus.yml"), atomically: true, encoding: .utf8)
            prometheus = try ScrapeTests.spawn(ScrapeTools.prometheus, [
                "--config.file=\(dir.appending("prometheus.yml"))", "--storage.tsdb.path=\(dir.appending("prom"))",
                "--web.listen-address=127.0.0.1:\(promPort)", "--web.enable-remote-write-receiver",
            ] + prometheusArgs, log: dir.appending("prometheus.log"))
        } catch {
            sundial.terminate()
            throw error
        }
        do {
            try ScrapeTests.waitReady(promPort, "/-/ready")
        } catch {
            stop()
            throw error
        }
    }

    /// Ends both processes (Sundial with SIGTERM, waiting for a clean exit; a no-op if a test
    /// already terminated it).
    func stop() {
        sundial.terminate()
        ScrapeTests.stop(prometheus)
    }
}
