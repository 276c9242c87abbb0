import SundialEncoding
import SundialIngest

/// libFuzzer target: remote-write 1.0/2.0 bodies. The first input byte picks the protobuf
/// version (bit 0) and whether the rest is a snappy block (bit 1) or the decompressed message.
/// Traps (a finding) on: a decoding error without a message or with an offset outside the body,
/// counts larger than the body can hold, or an inspection disagreeing with the counters.
nonisolated(unsafe) let decoder = RemoteWriteDecoder(maxDecodedBytes: 8 << 20)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let mode = data[0]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let version: RemoteWriteVersion = mode & 1 == 0 ? .v1 : .v2
    do {
        if mode & 2 == 0 {
            try decoder.decode(uncompressed: body, version: version)
        } else {
            try decoder.decode(body, version: version)
        }
    } catch {
        precondition(!error.message.isEmpty, "error without a message: \(error)")
        if let o = error.offset, mode & 2 == 0 {
            precondition(o >= 0 && o <= body.count, "offset \(o) outside \(body.count) bytes: \(error)")
        }
        return 0
    }
    let n = decoder.decodedBytes
    precondition(decoder.seriesCount * 2 <= n + 2 && decoder.sampleCount * 2 <= n + 2,
                 "\(decoder.seriesCount) series / \(decoder.sampleCount) samples from \(n) bytes")
    let view = decoder.inspect()
    precondition(view.count == decoder.seriesCount, "inspect() series count")
    precondition(view.reduce(0) { $0 + $1.samples.count } == decoder.sampleCount, "inspect() sample count")
    return 0
}
