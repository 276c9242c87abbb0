import SundialCore
import SundialFileIO
import SundialTestSupport
import Synchronization
import Testing

@testable import SundialWAL

/// Builds a deterministic record of `size` bytes whose content identifies `id` (so any
/// mixed-up, shortened or invented record is detected). Byte 0 is 200 + id % 50: an
/// unsupported type, so typed replay hands it through untouched.
func testRecord(id: Int, size: Int) -> [UInt8] {
    var r = [UInt8](repeating: 0, count: max(size, 9))
    r[0] = UInt8(200 + id % 50)
    for k in 0..<8 { r[1 + k] = UInt8(truncatingIfNeeded: id >> (8 * k)) }
    var x = UInt64(id) &* 0x9E37_79B9_7F4A_7C15 | 1
    for k in 9..<r.count {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
        // Half the bytes compressible, half random, so snappy shrinks records without erasing them.
        r[k] = k % 2 == 0 ? UInt8(truncatingIfNeeded: x) : UInt8(k % 7)
    }
    return r
}

/// All raw records of a WAL directory, in order.
func readAllRecords(_ dir: String, log: (String) -> Void = { _ in }) throws -> (records: [[UInt8]], stats: ReplayStats) {
    var out: [[UInt8]] = []
    let stats = try replayRecords(directory: dir, log: log) { out.append($0) }
    return (out, stats)
}

/// Collects log lines from any thread.
final class LogCollector: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
}
