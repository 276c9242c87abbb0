import Logging
import SundialIngest

// `POST /api/v1/write`: remote write 1.0 and 2.0 (specs `remote_write_spec.md` "Retries &
// Backoff" and `remote_write_spec_2_0.md` "Responses"; Prometheus `storage/remote/write_handler.go`).
extension API {
    /// 2.0 response headers, also sent on errors (a 2xx to a 2.0 request without them reads as 415).
    public static let samplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written"
    /// See ``samplesWrittenHeader``.
    public static let histogramsWrittenHeader = "X-Prometheus-Remote-Write-Histograms-Written"
    /// See ``samplesWrittenHeader``.
    public static let exemplarsWrittenHeader = "X-Prometheus-Remote-Write-Exemplars-Written"

    /// 204 on success; 400 with a text message for malformed bodies and refused samples (the rest
    /// of the batch is written); 429 with `Retry-After` over the ingestion rate limit (nothing
    /// written); 413 over the body limit; 415 for an unknown content type or
    /// encoding; 500 only when storage failed to commit (the sender retries).
    ///
    /// Runs on the calling task: decoding and appending are synchronous, and the commit's wait for
    /// the WAL's group fsync suspends the task (``RemoteWriteIngester/writeAsync(_:version:)``)
    /// rather than parking a thread, so concurrent requests share fsyncs without a thread each.
    func remoteWrite(_ r: APIRequest, _ t: TenantBundle) async -> APIResponse {
        let version: RemoteWriteVersion
        do {
            version = try RemoteWriteVersion.negotiate(contentType: r.header("content-type"),
                                                       contentEncoding: r.header("content-encoding"))
        } catch {
            return .text(error.description + "\n", status: Self.status(of: error))
        }
        let result: RemoteWriteResult
        do {
            result = try await t.ingester.writeAsync(r.body, version: version)
        } catch {
            var resp = APIResponse.text(error.description + "\n", status: Self.status(of: error))
            if error.kind == .storage {
                logger.error("remote write commit failed", metadata: ["error": "\(error)"])
                resp = .text("storage error: the write was not committed; retry\n", status: 500)
            }
            if version == .v2 { Self.addV2Headers(&resp, samples: 0, histograms: 0, exemplars: 0) }
            return resp
        }
        var byReason: [String: Int] = [:]
        for (k, v) in result.rejected { byReason[Self.reasonLabel(k), default: 0] += v }
        metrics.observeWrite(protocolVersion: version == .v2 ? "2.0" : "1.0", samples: result.samplesWritten,
                             rejectedByReason: byReason, exemplarsDropped: result.exemplarsDropped,
                             histograms: result.histogramsWritten,
                             histogramsRejected: result.rejected[.invalidHistogram] ?? 0,
                             metadata: result.metadataWritten)
        if let tenant = t.tenant {
            tenantMetrics.observeWrite(tenant: tenant, samples: result.samplesWritten, rejectedByReason: byReason)
        }
        var resp = result.isSuccess ? APIResponse(status: 204) : .text(result.errorMessage + "\n", status: 400)
        if let retry = result.retryAfterSeconds {
            // Ingestion rate limit (IngestLimits): nothing written; 429 is retryable after Retry-After.
            resp = .text(result.errorMessage + "\n", status: 429)
            if retry > 0 { resp.headers.append((name: "Retry-After", value: String(retry))) }
        }
        if version == .v2 {
            Self.addV2Headers(&resp, samples: result.samplesWritten, histograms: result.histogramsWritten,
                              exemplars: result.exemplarsWritten)
        }
        return resp
    }

    static func addV2Headers(_ r: inout APIResponse, samples: Int, histograms: Int, exemplars: Int) {
        r.headers.append((name: samplesWrittenHeader, value: String(samples)))
        r.headers.append((name: histogramsWrittenHeader, value: String(histograms)))
        r.headers.append((name: exemplarsWrittenHeader, value: String(exemplars)))
    }

    /// The HTTP status of an ingest failure.
    static func status(of e: IngestError) -> Int {
        switch e.kind {
        case .unsupportedMediaType: 415
        case .tooLarge: 413
        case .badCompression, .malformedMessage, .invalidRequest: 400
        case .storage: 500
        }
    }

    /// `reason` label values of `sundial_samples_rejected_total`.
    static func reasonLabel(_ r: RejectionReason) -> String {
        switch r {
        case .outOfOrder: "out_of_order"
        case .duplicateTimestamp: "duplicate_timestamp"
        case .outOfBounds: "out_of_bounds"
        case .tooFarInFuture: "too_far_in_future"
        case .invalidLabels: "invalid_labels"
        case .invalidHistogram: "invalid_histogram"
        case .labelNamesPerSeriesLimit: "max_label_names_per_series"
        case .labelNameLengthLimit: "label_name_too_long"
        case .labelValueLengthLimit: "label_value_too_long"
        case .seriesLimit: "per_instance_series_limit"
        case .perMetricSeriesLimit: "per_metric_series_limit"
        case .rateLimited: "rate_limited"
        }
    }
}
