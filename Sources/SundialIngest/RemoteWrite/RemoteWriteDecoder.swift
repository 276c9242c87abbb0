public import SundialCore
public import SundialEncoding

/// Decodes remote-write bodies (snappy block + protobuf, 1.0 and 2.0) into reused columnar
/// buffers, without a per-sample or per-label allocation: labels are byte ranges into the
/// decompressed body, samples go to flat timestamp/value arrays.
///
/// Hand-written from the protobuf encoding spec and the remote-write schemas
/// (`prompb/remote.proto`, `prompb/types.proto`; `io/prometheus/write/v2/types.proto`; summary in
/// reference-brief §2.1–2.2). Unknown fields are skipped, as protobuf requires; wrong wire types,
/// truncation and lengths past the end throw ``IngestError`` with the byte offset and series index.
///
/// Not thread-safe: one request at a time. ``RemoteWriteIngester`` pools decoders; tests and
/// benchmarks may use one directly.
public final class RemoteWriteDecoder {
    /// The decompressed body of the current request.
    var body: [UInt8] = []
    /// Scratch for decompression (swapped with `body`).
    var scratch: [UInt8] = []
    var request = DecodedRequest()
    /// Labels, refs and refusals of the current request's series (reused).
    var resolution = Resolution()
    /// The last 2.0 metadata handed to storage per metric family, so repeated per-series
    /// metadata is forwarded once.
    var lastMetadata: [String: MetricMetadata] = [:]
    /// Scratch for 2.0 `labels_refs` (reused).
    var seriesRangeScratch: [Range<Int>] = []
    /// Scratch for 2.0 `labels_refs` (reused).
    var refScratch: [UInt32] = []
    /// Largest decoded body accepted, bytes.
    let maxDecodedBytes: Int

    /// A decoder accepting decoded bodies up to `maxDecodedBytes` (clamped to 2 GiB − 1, since
    /// byte offsets are kept as 32-bit integers).
    public init(maxDecodedBytes: Int = RemoteWriteOptions().maxDecodedBytes) {
        self.maxDecodedBytes = min(max(0, maxDecodedBytes), Int(Int32.max))
    }

    /// Number of TimeSeries decoded by the last ``decode(_:version:)``.
    public var seriesCount: Int { request.series.count }
    /// Number of float samples decoded by the last ``decode(_:version:)``.
    public var sampleCount: Int { request.timestamps.count }
    /// Number of exemplars decoded by the last ``decode(_:version:)``.
    public var exemplarCount: Int { request.series.reduce(0) { $0 + Int($1.exemplarCount) } }
    /// Number of native histogram samples decoded by the last ``decode(_:version:)``.
    public var histogramCount: Int { request.series.reduce(0) { $0 + Int($1.histogramCount) } }
    /// Size of the last decoded (decompressed) body, bytes.
    public var decodedBytes: Int { body.count }

    /// Decompresses (snappy block format) and decodes `compressed`. The result stays in the
    /// decoder until the next call.
    /// - Throws: ``IngestError``: ``IngestError/Kind/tooLarge`` when the snappy header announces
    ///   more than the limit, ``IngestError/Kind/badCompression``,
    ///   ``IngestError/Kind/malformedMessage`` or ``IngestError/Kind/invalidRequest``.
    public func decode(_ compressed: [UInt8], version: RemoteWriteVersion) throws(IngestError) {
        request.removeAll()
        let limit = maxDecodedBytes
        let outcome: Result<Void, DecodeError> = compressed.withUnsafeBytes { raw in
            guard let n = Snappy.uncompressedLength(raw) else {
                return .failure(DecodeError(.invalid, offset: 0, "snappy: corrupt input (bad length header)"))
            }
            // No snappy element expands more than 64 bytes out of 3 (a 2-byte-offset copy), so a
            // header claiming more than ~21.4× the input is corrupt: refuse it before allocating.
            guard n <= raw.count * 22 + 64 else {
                return .failure(DecodeError(.invalid, offset: 0, "snappy: header claims \(n) decoded bytes from \(raw.count) bytes of input"))
            }
            guard n <= limit else {
                return .failure(DecodeError(.overflow, offset: 0, "decoded body of \(n) bytes exceeds the limit of \(limit) bytes"))
            }
            do throws(DecodeError) {
                try Snappy.decompress(raw, into: &scratch, maxLength: limit)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let e) = outcome {
            body.removeAll(keepingCapacity: true)
            if e.kind == .overflow { throw IngestError(.tooLarge, e.detail) }
            throw IngestError(.badCompression, e.detail.isEmpty ? e.kind.rawValue : e.detail, cause: e)
        }
        swap(&body, &scratch)
        try decodeDecompressed(version: version)
    }

    /// Decodes an already decompressed protobuf body (tests, fuzzing, benchmarks).
    public func decode(uncompressed: [UInt8], version: RemoteWriteVersion) throws(IngestError) {
        request.removeAll()
        guard uncompressed.count <= maxDecodedBytes else {
            throw IngestError(.tooLarge, "decoded body of \(uncompressed.count) bytes exceeds the limit of \(maxDecodedBytes) bytes")
        }
        body = uncompressed
        try decodeDecompressed(version: version)
    }

    func decodeDecompressed(version: RemoteWriteVersion) throws(IngestError) {
        // Move the reused buffers into a value-type parser (no copy), parse, move them back.
        var p = RemoteWriteParser(body: body, request: DecodedRequest(), refScratch: [], seriesRangeScratch: [])
        swap(&p.request, &request)
        swap(&p.refScratch, &refScratch)
        swap(&p.seriesRangeScratch, &seriesRangeScratch)
        defer {
            swap(&p.request, &request)
            swap(&p.refScratch, &refScratch)
            swap(&p.seriesRangeScratch, &seriesRangeScratch)
        }
        switch version {
        case .v1: try p.decodeV1()
        case .v2: try p.decodeV2()
        }
    }

    /// Remote-write `MetricType` number to Core's type.
    func metricType(_ v: UInt64) -> MetricMetadata.MetricType { RemoteWriteParser.metricType(v) }

    /// Bytes of the current body in `range` as a String (nil for invalid UTF-8). Allocates; used
    /// on the slow paths (messages, metadata).
    func string(_ range: Range<Int>) -> String? {
        ProtoReader(body, range: range).string(range)
    }
}

