import Logging
import SundialCore
import SundialIngest

// `POST /api/v1/read` (Prometheus `storage/remote/read_handler.go`; `docs/querying/remote_read_api.md`)
// and `GET /federate` (`web/federate.go`), both through SundialIngest's codecs.
extension API {
    /// SAMPLES: one snappy-compressed `ReadResponse`; STREAMED_XOR_CHUNKS: CRC-checked frames of
    /// `ChunkedReadResponse` (buffered here, then sent as one body). Bad bodies → 400 text; storage
    /// failures → 500.
    func remoteRead(_ r: APIRequest, _ t: TenantBundle) -> APIResponse {
        do throws(IngestError) {
            let reader = t.reader
            let req = try reader.decode(r.body)
            switch try req.negotiatedResponseType() {
            case .samples:
                let body = try reader.readSamples(req)
                return APIResponse(status: 200, headers: [("Content-Type", RemoteReader.samplesContentType),
                                                          ("Content-Encoding", "snappy")], body: body)
            case .streamedXORChunks:
                var body: [UInt8] = []
                do {
                    try reader.readStreamed(req) { frame in body.append(contentsOf: frame) }
                } catch {
                    throw (error as? IngestError) ?? IngestError(.storage, "\(error)")
                }
                return APIResponse(status: 200, headers: [("Content-Type", RemoteReader.streamedContentType)], body: body)
            }
        } catch {
            if error.kind == .storage {
                logger.error("remote read failed", metadata: ["error": "\(error)"])
                return .text("storage error while reading\n", status: 500)
            }
            return .text(error.description + "\n", status: Self.status(of: error))
        }
    }

    /// The latest sample of each series matching any `match[]`, in the text format 0.0.4.
    func federate(_ r: APIRequest, _ t: TenantBundle) -> APIResponse {
        let p: FormParams
        do { p = try r.formParams() } catch { return .text(error.message + "\n", status: 400) }
        var sets: [[LabelMatcher]] = []
        for s in p.values("match[]") {
            do { sets.append(try evaluator.parseSelector(s)) } catch { return .text(error.message + "\n", status: 400) }
        }
        do {
            let body = try t.federation.render(matcherSets: sets, now: WallClock.nowMs())
            return APIResponse(status: 200, headers: [("Content-Type", TextExposition.contentType)], body: body)
        } catch {
            logger.error("federation failed", metadata: ["error": "\(error)"])
            return .text("storage error while federating\n", status: 500)
        }
    }
}
