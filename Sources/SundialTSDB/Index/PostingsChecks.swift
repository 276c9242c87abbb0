import SundialEncoding
import Synchronization

/// Remembers which postings lists of one index have had their CRC32C verified, so a list is
/// checksummed on first use only and later queries search it in place without another full pass
/// over its bytes (a long list such as `code="200"` would otherwise cost a checksum pass per query
/// even when only a handful of its entries are read). Prometheus does not checksum postings on
/// read at all; this keeps the check while paying it once per list and process.
///
/// Thread-safe (one short lock per lookup); shared by every copy of an ``IndexReader``.
final class PostingsChecks: Sendable {
    private let verified = Mutex(Set<Int>())

    /// Locates the postings list at `offset` (section start), verifying its checksum the first time.
    func locate(_ raw: UnsafeRawBufferPointer, at offset: Int) throws(DecodeError) -> PostingsSpan {
        if verified.withLock({ $0.contains(offset) }) {
            return try PostingsFormat.locatePostings(raw, at: offset, verifyChecksum: false)
        }
        let span = try PostingsFormat.locatePostings(raw, at: offset, verifyChecksum: true)
        verified.withLock { _ = $0.insert(offset) }
        return span
    }
}
