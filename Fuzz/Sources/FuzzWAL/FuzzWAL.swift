import Glibc
import SundialEncoding
import SundialWAL

/// libFuzzer target: the WAL. First byte odd: the rest is one record for `RecordDecoder`
/// (series, samples, tombstones, exemplars, metadata). Even: the rest is segment `00000000` of a
/// WAL directory (under /dev/shm), replayed read-only, then with repair, then again: traps if a
/// read-only replay changes the file, if the repaired log still reports damage or yields other
/// records, or if replay throws anything but a ``WALError``.
let dir: String = {
    let d = "/dev/shm/sundial-fuzz-wal-\(getpid())"
    mkdir(d, 0o755)
    return d
}()
let segment = dir + "/00000000"
nonisolated(unsafe) var buffers = RecordDecoder.DecodeBuffers()

func writeFile(_ path: String, _ bytes: [UInt8]) {
    guard let f = fopen(path, "wb") else { preconditionFailure("cannot write \(path)") }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
}

func readFile(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { return [] }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n <= 0 { break }
        out += buf[0..<n]
    }
    return out
}

func replayCount(repair: Bool) throws -> (records: Int, damaged: Bool) {
    var n = 0
    let stats = try replay(directory: dir, repair: repair) { _ in n += 1 }
    return (n, stats.damage != nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if data[0] & 1 == 1 {
        _ = try? RecordDecoder.decode(rest, buffers: &buffers)
        return 0
    }
    writeFile(segment, rest)
    do {
        let readOnly = try replayCount(repair: false)
        precondition(readFile(segment) == rest, "read-only replay changed the segment")
        let first = try replayCount(repair: true)
        precondition(first.records == readOnly.records, "repairing replay read \(first.records), read-only \(readOnly.records)")
        let second = try replayCount(repair: true)
        precondition(!second.damaged && second.records == first.records, "repair incomplete")
    } catch is WALError {
    } catch {
        preconditionFailure("replay threw \(type(of: error)): \(error)")
    }
    return 0
}
