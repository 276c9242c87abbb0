import SundialEncoding
import SundialIngest

/// libFuzzer target: remote-read `ReadRequest` messages (decompressed). Traps on an error
/// without a message, or an accepted request that does not survive re-encoding unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let r = try RemoteReadRequest.decode(uncompressed: body)
        _ = try? r.negotiatedResponseType()
        let again = try RemoteReadRequest.decode(uncompressed: r.encoded())
        precondition(again == r, "re-encoding changes the request")
    } catch {
        precondition(!error.message.isEmpty, "error without a message: \(error)")
    }
    return 0
}
