import SundialEncoding
import SundialTSDB

/// libFuzzer target: the small block files and chunk data. First byte selects:
/// 0 XOR chunk data (iterator and bulk decoder must agree and stay within the header's count),
/// 1 a chunk segment (every chunk record from the header on, CRC checked), 2 `tombstones`
/// (accepted ones re-encode to the same set), 3 `meta.json` (accepted ones round-trip).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 4 {
    case 0:
        var it = XORChunkIterator(rest)
        var k = 0
        while it.next() { k += 1; precondition(k <= it.sampleCount, "iterator past the header's sample count") }
        var ts: [Int64] = [], vs: [Double] = []
        do {
            try XORChunk.decode(rest, minTime: .min, maxTime: .max, timestamps: &ts, values: &vs)
            precondition(ts.count == vs.count && ts.count <= (XORChunk.sampleCount(rest) ?? 0), "decode count")
            precondition(it.error != nil || ts.count == k, "iterator (\(k)) and bulk decoder (\(ts.count)) disagree")
        } catch {}
    case 1:
        guard (try? ChunkSegmentFormat.validateHeader(rest)) != nil else { return 0 }
        var off = ChunkSegmentFormat.headerSize
        while off < rest.count {
            guard let (_, range) = try? ChunkSegmentFormat.decodeChunk(rest, at: off) else { break }
            precondition(range.lowerBound > off && range.upperBound + 4 <= rest.count, "chunk range outside the segment")
            var ts: [Int64] = [], vs: [Double] = []
            try? XORChunk.decode(Array(rest[range]), minTime: .min, maxTime: .max, timestamps: &ts, values: &vs)
            off = range.upperBound + 4
        }
    case 2:
        do {
            let t = try Tombstones.decode(rest, path: "fuzz/tombstones")
            let again = try Tombstones.decode(t.encoded(), path: "re-encoded")
            precondition(again == t, "tombstones round trip")
        } catch {
            precondition(error is BlockError, "threw \(type(of: error))")
        }
    default:
        do {
            let m = try BlockMeta.decode(rest, path: "fuzz/meta.json")
            let again = try BlockMeta.decode(m.encoded(), path: "re-encoded")
            precondition(again == m, "meta.json round trip")
        } catch {
            precondition(error is BlockError, "threw \(type(of: error))")
        }
    }
    return 0
}
