public import SundialCore
import SundialEncoding

/// Options of the remote-read endpoint (Prometheus flags `storage.remote.read-sample-limit`,
/// `storage.remote.read-max-bytes-in-frame`, and the global `external_labels`).
public struct RemoteReadOptions: Sendable, Hashable {
    /// Most samples one SAMPLES response may carry (Prometheus default 5e7); 0 = unlimited.
    public var sampleLimit: Int = 50_000_000
    /// Target size of one STREAMED_XOR_CHUNKS frame's message, bytes (Prometheus default 1 MiB).
    /// A frame may exceed it by up to one chunk, as in Prometheus.
    public var maxBytesInFrame: Int = 1 << 20
    /// Labels added to every returned series that lacks them (Prometheus `external_labels`).
    public var externalLabels: Labels = Labels()
    /// Largest decompressed request body, bytes.
    public var maxDecodedBytes: Int = 32 << 20
    /// Samples per re-encoded XOR chunk in streamed responses (Prometheus cuts at 120).
    public var samplesPerChunk: Int = 120

    public init() {}
}

/// Answers remote-read requests from a ``Queryable`` (Prometheus `storage/remote/read_handler.go`;
/// reference-brief §2.3): SAMPLES as one snappy-compressed `ReadResponse`, STREAMED_XOR_CHUNKS as
/// CRC-checked frames of `ChunkedReadResponse` carrying XOR chunks re-encoded byte-compatibly with
/// Prometheus (``XORChunkAppender``).
///
/// Thread-safe (`Sendable`, no mutable state); each call uses its own buffers.
public struct RemoteReader: Sendable {
    /// Content-Type of a SAMPLES response (with `Content-Encoding: snappy`).
    public static let samplesContentType = "application/x-protobuf"
    /// Content-Type of a STREAMED_XOR_CHUNKS response (no content encoding).
    public static let streamedContentType = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse"

    let storage: any Queryable
    /// Limits and external labels.
    public let options: RemoteReadOptions

    public init(storage: any Queryable, options: RemoteReadOptions = RemoteReadOptions()) {
        self.storage = storage
        self.options = options
    }

    /// Decodes a snappy-compressed `ReadRequest` with this reader's size limit.
    public func decode(_ compressed: [UInt8]) throws(IngestError) -> RemoteReadRequest {
        try RemoteReadRequest.decode(compressed, maxDecodedBytes: options.maxDecodedBytes)
    }

    /// The matchers of `query` with Prometheus's external-label rule
    /// (`filterExtLabelsFromMatchers`): an equality matcher naming an external label with that
    /// label's value becomes `name=""`, since stored series don't carry external labels.
    func effectiveMatchers(_ query: RemoteReadRequest.Query) -> [LabelMatcher] {
        guard !options.externalLabels.isEmpty else { return query.matchers }
        return query.matchers.map { m in
            if m.type == .equal, let v = options.externalLabels.get(m.name), v == m.value { return .equal(m.name, "") }
            return m
        }
    }

    /// Series labels with the external labels added where the series lacks them (Prometheus
    /// `MergeLabels`: the series' own labels win).
    func withExternalLabels(_ labels: Labels) -> Labels {
        let ext = options.externalLabels
        guard !ext.isEmpty else { return labels }
        var out: [Label] = []
        out.reserveCapacity(labels.count + ext.count)
        var i = 0, j = 0
        while i < labels.count || j < ext.count {
            if j == ext.count || (i < labels.count && byteOrderLess(labels[i].name, ext[j].name)) {
                out.append(labels[i]); i += 1
            } else if i == labels.count || byteOrderLess(ext[j].name, labels[i].name) {
                out.append(ext[j]); j += 1
            } else {
                out.append(labels[i]); i += 1; j += 1
            }
        }
        return Labels(sorted: out)
    }

    func select(_ query: RemoteReadRequest.Query, index: Int, sorted: Bool) throws(IngestError) -> ([any StorageSeries], any Querier) {
        do {
            let q = try storage.querier(minTime: query.startMs, maxTime: query.endMs)
            var hints = query.hints ?? SelectHints(start: query.startMs, end: query.endMs)
            if query.hints == nil || (hints.start == 0 && hints.end == 0) {
                hints.start = query.startMs
                hints.end = query.endMs
            }
            do {
                return (try q.select(sorted: sorted, hints: hints, matchers: effectiveMatchers(query)), q)
            } catch {
                q.close()
                throw error
            }
        } catch {
            throw IngestError(.storage, "query \(index) failed: \(error)", seriesIndex: index)
        }
    }

    // MARK: - SAMPLES

    /// Runs every query and returns the snappy-compressed `ReadResponse`
    /// (`ReadResponse { repeated QueryResult results = 1; }`,
    /// `QueryResult { repeated TimeSeries timeseries = 1; }`); native histograms go to
    /// `TimeSeries.histograms` (see `RemoteReader+Histograms.swift`) and count toward the limit.
    /// - Throws: ``IngestError/Kind/invalidRequest`` when the response would exceed
    ///   ``RemoteReadOptions/sampleLimit`` (HTTP 400, as Prometheus), ``IngestError/Kind/storage``
    ///   when storage fails.
    public func readSamples(_ request: RemoteReadRequest) throws(IngestError) -> [UInt8] {
        var out: [UInt8] = []
        var buffer = SampleBuffer()
        var histograms = HistogramSampleBuffer()
        var total = 0
        for (qi, query) in request.queries.enumerated() {
            let (series, querier) = try select(query, index: qi, sorted: false)
            defer { querier.close() }
            let result = out.beginProtoLengthDelimited(1)
            for s in series {
                buffer.removeAll()
                do {
                    try s.samples(minTime: query.startMs, maxTime: query.endMs, into: &buffer)
                } catch {
                    throw IngestError(.storage, "reading series \(s.labels) failed: \(error)", seriesIndex: qi)
                }
                total += buffer.count
                if options.sampleLimit > 0 && total > options.sampleLimit {
                    throw IngestError(.invalidRequest, "exceeded sample limit (\(options.sampleLimit))", seriesIndex: qi)
                }
                let ts = out.beginProtoLengthDelimited(1)
                for l in withExternalLabels(s.labels) {
                    let lt = out.beginProtoLengthDelimited(1)
                    out.appendProtoString(1, l.name)
                    out.appendProtoString(2, l.value)
                    out.endProtoLengthDelimited(lt)
                }
                for k in 0..<buffer.count {
                    let st = out.beginProtoLengthDelimited(2)
                    out.appendProtoDoubleIfNonZero(1, buffer.values[k])
                    out.appendProtoInt64IfNonZero(2, buffer.timestamps[k])
                    out.endProtoLengthDelimited(st)
                }
                if s.mayContainHistograms {
                    histograms.removeAll()
                    do {
                        try s.histogramSamples(minTime: query.startMs, maxTime: query.endMs, into: &histograms)
                    } catch {
                        throw IngestError(.storage, "reading series \(s.labels) failed: \(error)", seriesIndex: qi)
                    }
                    total += histograms.count
                    if options.sampleLimit > 0 && total > options.sampleLimit {
                        throw IngestError(.invalidRequest, "exceeded sample limit (\(options.sampleLimit))", seriesIndex: qi)
                    }
                    Self.appendHistograms(histograms, to: &out)
                }
                out.endProtoLengthDelimited(ts)
            }
            out.endProtoLengthDelimited(result)
        }
        return Snappy.compress(out)
    }

    // MARK: - STREAMED_XOR_CHUNKS

    /// The response frames of `request`, produced one at a time as they are pulled
    /// (``StreamedReadCursor``, which documents the frame format): what an HTTP handler streams.
    public func streamedCursor(_ request: RemoteReadRequest) -> StreamedReadCursor {
        StreamedReadCursor(reader: self, request: request)
    }

    /// Runs every query and emits the response frames in order (``StreamedReadCursor``).
    /// - Parameter emit: receives each complete frame.
    /// - Throws: ``IngestError`` from storage, or whatever `emit` throws (e.g. a closed connection).
    public func readStreamed(_ request: RemoteReadRequest, emit: ([UInt8]) throws -> Void) throws {
        let cursor = streamedCursor(request)
        while let frame = try cursor.next() { try emit(frame) }
    }
}
