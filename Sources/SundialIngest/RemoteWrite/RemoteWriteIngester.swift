#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
public import SundialCore
import SundialEncoding

/// The remote-write receiver: decodes a request body (1.0 or 2.0), validates series, appends
/// samples and metadata to storage in one appender, and reports what was written and refused.
///
/// Semantics (remote-write 1.0/2.0 specs; Prometheus `storage/remote/write_handler.go`):
/// - A malformed body (bad snappy, bad protobuf, broken 2.0 symbol references) throws
///   ``IngestError`` and writes nothing.
/// - A series with invalid labels, and samples refused by storage (out of order, duplicate, out of
///   bounds) or too far in the future (more than ``RemoteWriteOptions/maxFutureMs`` ahead of the
///   injected clock) are counted in ``RemoteWriteResult``; everything else of the request is still
///   written (a partial write: HTTP answers 400 with ``RemoteWriteResult/errorMessage``).
/// - Exemplars go to ``Appender/appendExemplar(ref:labels:exemplar:)`` after the series' samples
///   (`RemoteWriteIngester+Exemplars.swift`); refused ones are counted, never fail the request. Native histograms (integer and float, custom
///   buckets included) are validated and go to ``Appender/appendHistogram(ref:labels:timestamp:histogram:floatHistogram:)``;
///   an invalid one is refused alone (``RejectionReason/invalidHistogram``), see
///   `RemoteWriteIngester+Histograms.swift`.
/// - 1.0 `metadata` and 2.0 per-series metadata go to ``Appender/appendMetadata(_:)`` (2.0
///   metadata once per metric family and decoder while unchanged).
/// - 2.0 `start_timestamp` / `created_timestamp` are decoded and ignored (Prometheus ingests them
///   only behind a feature flag, as synthetic zero samples).
/// - A storage commit failure throws ``IngestError/Kind/storage`` (retryable).
/// - ``RemoteWriteOptions/limits`` (``IngestLimits``): shape limits refuse a series like invalid
///   labels (own reasons); new series over the series limits are refused while active series keep
///   writing; a request over the rate limit is refused whole (``RemoteWriteResult/isRateLimited``).
///
/// Thread-safe: any number of concurrent ``write(_:version:)`` calls; each takes a pooled decoder
/// (reused buffers, so steady state allocates nothing per sample or per known series).
public final class RemoteWriteIngester: Sendable {
    let storage: any Appendable
    /// The receiver's options.
    public let options: RemoteWriteOptions
    let now: @Sendable () -> Timestamp
    let cache: SeriesCache
    let pool = Mutex<[DecoderBox]>([])
    /// Active-series tracking, when a series limit is set.
    let limiter: SeriesLimiter?
    /// The ingestion rate limit, when set.
    let bucket: TokenBucket?
    /// Requests left for which series-cache hits get their labels handed out (> 0 after a request
    /// whose by-ref appends storage all refused: storage without
    /// ``Appender/append(ref:timestamp:value:)``, where each refusal would cost a cache lock to
    /// fetch the labels). Counts down, so by-ref appends are tried again now and then.
    let labelsForHits = Atomic<Int>(0)
    /// Requests ``labelsForHits`` covers once set.
    static let labelsForHitsRequests = 1024

    /// - Parameters:
    ///   - storage: where samples go.
    ///   - options: limits and policies.
    ///   - now: the receiver's clock in ms since the epoch (injected so tests control "the future"
    ///     and series idleness).
    ///   - monotonicNanos: the rate limiter's monotonic clock in ns (injected so tests step it).
    public init(storage: any Appendable, options: RemoteWriteOptions = RemoteWriteOptions(),
                now: @escaping @Sendable () -> Timestamp = RemoteWriteIngester.systemNow,
                monotonicNanos: @escaping @Sendable () -> Int64 = RemoteWriteIngester.monotonicNow)
    {
        self.storage = storage
        self.options = options
        self.now = now
        cache = SeriesCache(options: options)
        let l = options.limits
        limiter = l.limitsSeries ? SeriesLimiter(limits: l) : nil
        bucket = l.limitsRate ? TokenBucket(rate: l.ingestionRate, burst: l.effectiveBurst, clock: monotonicNanos) : nil
    }

    /// Monotonic time in ns (`CLOCK_MONOTONIC`).
    public static let monotonicNow: @Sendable () -> Int64 = {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Series counted as active by the series limits (0 when no series limit is set).
    public var activeSeriesCount: Int { limiter?.activeSeries ?? 0 }

    /// Wall-clock time in ms since the epoch (`CLOCK_REALTIME`).
    public static let systemNow: @Sendable () -> Timestamp = {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Negotiates the version from the headers (``RemoteWriteVersion/negotiate(contentType:contentEncoding:)``)
    /// and writes `body`.
    public func write(_ body: [UInt8], contentType: String?, contentEncoding: String?) throws(IngestError) -> RemoteWriteResult {
        let version = try RemoteWriteVersion.negotiate(contentType: contentType, contentEncoding: contentEncoding)
        return try write(body, version: version)
    }

    /// Decodes the snappy-compressed `body` as `version` and writes it.
    /// - Returns: counts and refusals; check ``RemoteWriteResult/isSuccess``.
    /// - Throws: ``IngestError`` for a malformed body (nothing written) or a storage failure.
    public func write(_ body: [UInt8], version: RemoteWriteVersion) throws(IngestError) -> RemoteWriteResult {
        let box = takeDecoder()
        defer { returnDecoder(box) }
        let d = box.decoder
        try d.decode(body, version: version)
        return try append(d, version: version)
    }

    /// ``write(_:version:)`` awaiting the storage commit's durability as a suspension
    /// (``Appender/commitAsync()``) instead of a blocked thread: decoding, validation and appending
    /// run synchronously on the calling task, then it suspends until the group fsync covers the
    /// batch. The request path of `sundial serve` uses this, so no thread parks per request.
    public func writeAsync(_ body: [UInt8], version: RemoteWriteVersion) async throws(IngestError) -> RemoteWriteResult {
        let box = takeDecoder()
        defer { returnDecoder(box) }
        let d = box.decoder
        try d.decode(body, version: version)
        var staged = stage(d, version: version)
        guard let app = staged.appender else { return staged.result }
        do {
            try await app.commitAsync()
        } catch {
            d.resolution = staged.resolution
            throw IngestError(.storage, "commit failed: \(error)")
        }
        return finish(&staged, d)
    }

    /// Writes an already decompressed body (tests and benchmarks of the write path without snappy).
    public func write(uncompressed body: [UInt8], version: RemoteWriteVersion) throws(IngestError) -> RemoteWriteResult {
        let box = takeDecoder()
        defer { returnDecoder(box) }
        let d = box.decoder
        try d.decode(uncompressed: body, version: version)
        return try append(d, version: version)
    }

    /// Series currently remembered by the series cache.
    public var cachedSeriesCount: Int { cache.count }

    // MARK: - Appending

    func append(_ d: RemoteWriteDecoder, version: RemoteWriteVersion) throws(IngestError) -> RemoteWriteResult {
        var staged = stage(d, version: version)
        guard let app = staged.appender else { return staged.result }
        do {
            try app.commit()
        } catch {
            d.resolution = staged.resolution
            throw IngestError(.storage, "commit failed: \(error)")
        }
        return finish(&staged, d)
    }

    /// A request appended to an uncommitted appender: what ``stage(_:version:)`` hands to the commit.
    struct StagedWrite {
        var result: RemoteWriteResult
        /// nil when nothing is to be committed (the request was refused by the rate limit).
        var appender: (any Appender)?
        /// The decoder's resolution, moved out while in use (``finish(_:_:)`` moves it back).
        var resolution: Resolution
        var generation: UInt64 = 0
        var refsChanged = false
    }

    /// Resolves, validates and appends every sample and metadata of the decoded request to a new
    /// appender, without committing.
    func stage(_ d: RemoteWriteDecoder, version: RemoteWriteVersion) -> StagedWrite {
        var result = RemoteWriteResult(version: version)
        let view = d.view
        let req = view.request
        result.seriesReceived = req.series.count
        var res = Resolution()
        swap(&res, &d.resolution)
        if let bucket, !admitRate(bucket, req, &result) {
            swap(&res, &d.resolution)
            return StagedWrite(result: result, appender: nil, resolution: Resolution())
        }
        let handOut = labelsForHits.load(ordering: .relaxed) > 0
        if handOut { labelsForHits.subtract(1, ordering: .relaxed) }
        let generation = cache.resolve(view, into: &res, handOutLabels: handOut)
        let nowMs = now()
        if let limiter { limiter.admit(&res, nowMs: nowMs) }
        let maxT = nowMs &+ options.maxFutureMs
        let maxExamples = options.maxExamples
        let app = storage.appender()
        var written = 0
        var refsChanged = false
        var byRefTried = 0, byRefRefused = 0

        for i in 0..<req.series.count {
            let s = req.series[i]
            // nil with a cache slot and no rejection (the series limits refuse cached series
            // too): resolved by the series cache to a ref, labels not handed out.
            var labels = res.labels[i]
            if labels == nil && (res.slots[i] < 0 || (!res.rejections.isEmpty && res.rejections[i] != nil)) {
                result.exemplarsDropped += Int(s.exemplarCount)
                let rejection = res.rejections[i]
                result.reject(rejection?.reason ?? .invalidLabels, count: Int(s.sampleCount + s.histogramCount),
                              example: rejection?.message ?? "series \(i): invalid labels", maxExamples: maxExamples)
                continue
            }
            var ref = res.refs[i]
            let start = Int(s.sampleStart), end = start + Int(s.sampleCount)
            for k in start..<end {
                let t = req.timestamps[k]
                if t > maxT {
                    let l = labels ?? cachedLabels(i, res, generation, view)
                    labels = l
                    result.reject(.tooFarInFuture, example: "\(RejectionReason.tooFarInFuture.rawValue) for series \(l) at timestamp \(t) (limit \(maxT))",
                                  maxExamples: maxExamples)
                    continue
                }
                do {
                    var byRef: SeriesRef? = nil
                    if labels == nil {
                        byRefTried &+= 1
                        byRef = try app.append(ref: ref, timestamp: t, value: req.values[k])
                        if byRef == nil { byRefRefused &+= 1 }
                    }
                    if let byRef {
                        ref = byRef
                    } else {
                        // Storage does not know the ref (or no ref yet): by labels.
                        let l = labels ?? cachedLabels(i, res, generation, view)
                        labels = l
                        ref = try app.append(ref: ref, labels: l, timestamp: t, value: req.values[k])
                    }
                    written += 1
                } catch {
                    result.reject(RejectionReason(error.reason), example: error.description, maxExamples: maxExamples)
                }
            }
            if s.histogramCount > 0 {
                let l = labels ?? cachedLabels(i, res, generation, view)
                labels = l
                ref = appendHistograms(s, of: req, labels: l, ref: ref, app: app, maxT: maxT,
                                       maxExamples: maxExamples, result: &result)
            }
            if s.exemplarCount > 0 {
                let l = labels ?? cachedLabels(i, res, generation, view)
                labels = l
                appendExemplars(s, of: d, labels: l, ref: ref, app: app, result: &result)
            }
            if ref != res.refs[i] {
                res.refs[i] = ref
                refsChanged = true
            }
            if s.metadata.present, let family = (labels ?? cachedLabels(i, res, generation, view)).metricName {
                let m = MetricMetadata(
                    metricFamily: family, type: d.metricType(s.metadata.type),
                    help: d.symbolString(s.metadata.helpRef), unit: d.symbolString(s.metadata.unitRef))
                if d.lastMetadata[family] != m {
                    if d.lastMetadata.count > 100_000 { d.lastMetadata.removeAll() }
                    d.lastMetadata[family] = m
                    app.appendMetadata(m)
                    result.metadataWritten += 1
                }
            }
        }
        if byRefTried >= 8 && byRefRefused == byRefTried {
            labelsForHits.store(Self.labelsForHitsRequests, ordering: .relaxed)
        }
        for m in req.metadata {
            app.appendMetadata(m)
            result.metadataWritten += 1
        }
        result.samplesWritten = written
        return StagedWrite(result: result, appender: app, resolution: res, generation: generation, refsChanged: refsChanged)
    }

    /// The labels of series `i`, which the series cache resolved without handing them out: from the
    /// cache, or (when it was cleared since) validated again from the request's bytes, which gave
    /// exactly these labels when they were cached. Rare: storage forgot the ref, or a sample is
    /// refused and its message names the series.
    func cachedLabels(_ i: Int, _ res: Resolution, _ generation: UInt64, _ view: RemoteWriteParser) -> Labels {
        if let l = cache.labels(slot: Int(res.slots[i]), generation: generation) { return l }
        var interner = ByteStringInterner()
        switch view.buildLabels(series: i, interner: &interner, options: options) {
        case .success(let l): return l
        case .failure: return Labels()  // unreachable: the same bytes validated before
        }
    }

    /// After a successful commit: stores the refs storage returned and gives the decoder its
    /// resolution back. Returns the request's result.
    func finish(_ staged: inout StagedWrite, _ d: RemoteWriteDecoder) -> RemoteWriteResult {
        // In steady state storage returns the refs the cache gave: nothing to write back.
        if staged.refsChanged { cache.storeRefs(staged.resolution, generation: staged.generation) }
        // Release the request's label sets now, while their storage is still in the CPU cache
        // (left for the next request on this decoder, the releases would miss: ~2 % of the server's CPU).
        staged.resolution.labels.removeAll(keepingCapacity: true)
        swap(&staged.resolution, &d.resolution)
        staged.appender = nil
        return staged.result
    }

    /// Takes the request's samples (floats and histograms) from the token bucket; when refused,
    /// records the refusal in `result` and returns false (nothing of the request is written).
    func admitRate(_ bucket: TokenBucket, _ req: DecodedRequest, _ result: inout RemoteWriteResult) -> Bool {
        var n = req.timestamps.count
        for s in req.series { n += Int(s.histogramCount) }
        guard n > 0 else { return true }
        switch bucket.take(n) {
        case .granted:
            return true
        case .denied(let retry):
            let limits = options.limits
            let message: String
            if let retry {
                message = "ingestion rate limit of \(limits.ingestionRate) samples/s with burst \(limits.effectiveBurst) (limits.ingestion_rate, limits.ingestion_burst) exceeded: request of \(n) samples refused; retry after \(retry)s"
            } else {
                message = "request of \(n) samples is larger than the ingestion burst of \(limits.effectiveBurst) samples (limits.ingestion_burst); send smaller requests"
            }
            result.retryAfterSeconds = retry ?? 0
            result.reject(.rateLimited, count: n, example: message, maxExamples: Swift.max(1, options.maxExamples))
            return false
        }
    }

    // MARK: - Decoder pool

    func takeDecoder() -> DecoderBox {
        if let box = pool.withLock({ $0.popLast() }) { return box }
        return DecoderBox(RemoteWriteDecoder(maxDecodedBytes: options.maxDecodedBytes))
    }

    func returnDecoder(_ box: DecoderBox) {
        // Don't keep a huge body's buffers around forever: drop decoders that grew past 4× the
        // typical request, keep up to 16 pooled.
        if box.decoder.body.capacity > 16 << 20 { return }
        pool.withLock { p in
            if p.count < 16 { p.append(box) }
        }
    }
}

/// Moves a decoder between threads through the pool. The pool hands each decoder to one request
/// at a time, so the decoder itself is never shared.
final class DecoderBox: @unchecked Sendable {
    let decoder: RemoteWriteDecoder
    init(_ decoder: RemoteWriteDecoder) { self.decoder = decoder }
}

extension RemoteWriteDecoder {
    /// The 2.0 symbol `ref` as a String ("" when invalid UTF-8 or out of range; refs were
    /// range-checked while decoding).
    func symbolString(_ ref: UInt32) -> String {
        guard Int(ref) < request.symbols.count else { return "" }
        return string(request.symbols[Int(ref)]) ?? ""
    }
}
