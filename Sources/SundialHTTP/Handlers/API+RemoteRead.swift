import Logging
import SundialCore
import SundialIngest
import Synchronization

// `POST /api/v1/read` (Prometheus `storage/remote/read_handler.go`; `docs/querying/remote_read_api.md`)
// and `GET /federate` (`web/federate.go`), both through SundialIngest's codecs.
extension API {
    /// SAMPLES: one snappy-compressed `ReadResponse`; STREAMED_XOR_CHUNKS: CRC-checked frames of
    /// `ChunkedReadResponse`, streamed frame by frame (``streamedRead(_:)``). Bad bodies → 400 text;
    /// storage failures → 500 (before the first frame; later the connection is aborted).
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
                return try streamedRead(reader.streamedCursor(req))
            }
        } catch {
            if error.kind == .storage {
                logger.error("remote read failed", metadata: ["error": "\(error)"])
                return .text("storage error while reading\n", status: 500)
            }
            return .text(error.description + "\n", status: Self.status(of: error))
        }
    }

    /// A STREAMED_XOR_CHUNKS response sent as it is built: the first frame is produced here, so a
    /// failing first query still gets its status; the rest are pulled by the server one at a time
    /// as the connection takes them (bounded memory for any result size). A storage failure after
    /// the first frame aborts the connection (as Prometheus's handler, which has sent 200 by then).
    func streamedRead(_ cursor: StreamedReadCursor) throws(IngestError) -> APIResponse {
        let first = Mutex<[UInt8]?>(try cursor.next() ?? [])
        var resp = APIResponse(status: 200, headers: [("Content-Type", RemoteReader.streamedContentType)])
        let logger = self.logger
        resp.stream = ResponseStream {
            if let f = first.withLock({ f in
                let v = f
                f = nil
                return v
            }) { return f }
            do {
                return try cursor.next()
            } catch {
                logger.error("remote read failed while streaming", metadata: ["error": "\(error)"])
                throw error
            }
        }
        return resp
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
