import SundialCore
import SundialEncoding
import SundialTSDB

/// libFuzzer target: a block `index` file (in memory). Opens it and walks everything it exposes:
/// all postings, every series with its chunk metas, every label's values and postings. Traps if
/// a failure is anything but a ``BlockError``, or if an accepted index yields unsorted postings or
/// unsorted/duplicate label names.
func check(_ error: any Error) {
    precondition(error is BlockError, "threw \(type(of: error)): \(error)")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let r: IndexReader
    do { r = try IndexReader(bytes: bytes, path: "fuzz/index") } catch { check(error); return 0 }
    do {
        let all = try r.allPostings()
        precondition(zip(all, all.dropFirst()).allSatisfy { $0 < $1 }, "all postings not strictly increasing")
        var chunks: [IndexChunkMeta] = []
        for ref in all.prefix(10_000) {
            do {
                let labels = try r.series(UInt64(ref), chunks: &chunks)
                let names = labels.map(\.name)
                precondition(zip(names, names.dropFirst()).allSatisfy { $0 < $1 }, "labels not sorted: \(labels)")
            } catch { check(error) }
        }
        for name in r.labelNames.prefix(1000) {
            for value in r.labelValues(name).prefix(1000) {
                do {
                    let p = try r.postings(name, value)
                    precondition(zip(p, p.dropFirst()).allSatisfy { $0 < $1 }, "postings \(name)=\(value) not increasing")
                } catch { check(error) }
            }
        }
        if let m = try? LabelMatcher(.regexMatch, "__name__", ".+") { _ = try r.postings(for: [m]) }
    } catch { check(error) }
    return 0
}
