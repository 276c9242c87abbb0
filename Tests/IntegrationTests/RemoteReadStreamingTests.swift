import Dispatch
import Foundation
import Logging
import PromQLEngine
import SundialCore
import SundialEncoding
import SundialHTTP
import SundialIngest
import SundialTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// STREAMED_XOR_CHUNKS remote read over a real loopback HTTP connection: frames reach the client
/// while the server is still reading later series (bounded memory), and the whole stream decodes.
@Suite struct RemoteReadStreamingTests {
    /// Series served by ``GatedStorage``; reading series `gateAt` blocks until the client has
    /// received its first frame (or `timeout`), so a server that built the whole response before
    /// sending would make the client wait out the timeout.
    final class Probe: Sendable {
        let gate = DispatchSemaphore(value: 0)
        let seriesRead = Atomic<Int>(0)
        let gateTimedOut = Atomic<Bool>(false)
        let gateAt: Int
        init(gateAt: Int) { self.gateAt = gateAt }
    }

    struct GatedSeries: StorageSeries {
        let labels: Labels
        let index: Int
        let probe: Probe
        static let samplesPerSeries = 200

        func samples(minTime: Timestamp, maxTime: Timestamp, into buffer: inout SampleBuffer) throws {
            probe.seriesRead.wrappingAdd(1, ordering: .relaxed)
            if index == probe.gateAt, probe.gate.wait(timeout: .now() + 10) == .timedOut {
                probe.gateTimedOut.store(true, ordering: .relaxed)
            }
            for k in 0..<Self.samplesPerSeries {
                let t = Timestamp(k) * 15_000
                if t >= minTime && t <= maxTime { buffer.append(t, Double(index * 1000 + k)) }
            }
        }
    }

    struct GatedStorage: Queryable, Appendable {
        let count: Int
        let probe: Probe
        func appender() -> any Appender { MemoryStorage().appender() }
        func querier(minTime: Timestamp, maxTime: Timestamp) throws -> any Querier { GatedQuerier(storage: self) }
    }

    struct GatedQuerier: Querier {
        let storage: GatedStorage
        func select(sorted: Bool, hints: SelectHints?, matchers: [LabelMatcher]) throws -> [any StorageSeries] {
            // Names sort in index order (zero-padded), as a sorted select must return them.
            (0..<storage.count).map { i in
                let name = String(repeating: "0", count: 6 - String(i).count) + String(i)
                return GatedSeries(labels: Labels(["__name__": "big", "i": name]), index: i, probe: storage.probe)
            }
        }
        func labelValues(name: String, matchers: [LabelMatcher]) throws -> [String] { [] }
        func labelNames(matchers: [LabelMatcher]) throws -> [String] { [] }
        func close() {}
    }

    @Test func framesArriveBeforeTheWholeResultIsBuilt() async throws {
        let seriesCount = 3000
        let probe = Probe(gateAt: 20)
        let storage = GatedStorage(count: seriesCount, probe: probe)
        var logger = Logger(label: "sundial-rr-stream-test")
        logger.logLevel = .error
        let engine = Engine()
        let api = API(storage: storage, evaluator: EngineEvaluator(engine: engine, storage: storage), options: APIOptions(),
                      metrics: ServerMetrics(startTimeSeconds: 0), logger: logger)
        api.setReady(true)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = Task {
            try await HTTPServer.run(api: api, host: "127.0.0.1", port: 0, logger: logger) { port in
                continuation.yield(port)
                continuation.finish()
            }
        }
        defer { server.cancel() }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())

        let request = RemoteReadRequest(
            queries: [.init(startMs: 0, endMs: 10_000_000, matchers: [.equal("__name__", "big")])], acceptedResponseTypes: [1])
        let body = request.compressed()
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<StreamResult, any Error>) in
            Thread {
                do { c.resume(returning: try Self.streamingRead(port: port, body: body, probe: probe)) } catch { c.resume(throwing: error) }
            }.start()
        }

        #expect(result.status == 200)
        let gateTimedOut = probe.gateTimedOut.load(ordering: .relaxed)
        #expect(!gateTimedOut, "the first frame did not arrive before the server read series \(probe.gateAt)")
        // When the first frame arrived, the server had read at most the series up to the gate.
        #expect(result.seriesReadAtFirstFrame <= probe.gateAt + 1)
        // The whole stream: one frame per series, in order, each CRC-checked, every sample there.
        let frames = try Self.decodeFrames(result.body)
        #expect(frames.count == seriesCount)
        #expect(frames.allSatisfy { $0.queryIndex == 0 })
        #expect(frames.reduce(0) { $0 + $1.chunkCount } == seriesCount * 2)  // 200 samples → chunks of 120 + 80
        let seriesRead = probe.seriesRead.load(ordering: .relaxed)
        #expect(seriesRead == seriesCount)
    }

    struct StreamResult {
        var status: Int
        var seriesReadAtFirstFrame: Int
        var body: [UInt8]
    }

    /// Sends the read, reads until the first complete frame is in, notes how many series the
    /// server had read, opens the gate, then reads the rest to EOF (blocking socket, own thread).
    static func streamingRead(port: Int, body: [UInt8], probe: Probe) throws -> StreamResult {
        let fd = try ServerTestClient.connect(port: port)
        defer { close(fd) }
        var head = "POST /api/v1/read HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        head += "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\n"
        head += "X-Prometheus-Remote-Read-Version: 0.1.0\r\nContent-Length: \(body.count)\r\n\r\n"
        try ServerTestClient.sendAll(fd, Array(head.utf8) + body)
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        var seriesAtFirst = -1
        var gateOpened = false
        defer { if !gateOpened { probe.gate.signal() } }
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            raw.append(contentsOf: buf[0..<n])
            if !gateOpened, let partial = try? ServerTestClient.parse(raw), (try? decodeFrames(partial.body, allowPartial: true))?.isEmpty == false {
                seriesAtFirst = probe.seriesRead.load(ordering: .relaxed)
                probe.gate.signal()
                gateOpened = true
            }
        }
        let response = try ServerTestClient.parse(raw)
        return StreamResult(status: response.status, seriesReadAtFirstFrame: seriesAtFirst, body: response.body)
    }

    struct Frame {
        var queryIndex: Int64
        var chunkCount: Int
    }

    struct FrameError: Error {}

    /// Splits `bytes` into frames (uvarint length, big-endian CRC32C, message), checking each CRC,
    /// and reads each message's query index and chunk count. With `allowPartial`, a trailing
    /// incomplete frame is ignored.
    static func decodeFrames(_ bytes: [UInt8], allowPartial: Bool = false) throws -> [Frame] {
        var frames: [Frame] = []
        var i = 0
        while i < bytes.count {
            var len = 0, shift = 0, k = i
            while true {
                guard k < bytes.count else { if allowPartial { return frames }; throw FrameError() }
                let b = bytes[k]
                k += 1
                len |= Int(b & 0x7f) << shift
                if b < 0x80 { break }
                shift += 7
            }
            guard k + 4 + len <= bytes.count else { if allowPartial { return frames }; throw FrameError() }
            let crc = UInt32(bytes[k]) << 24 | UInt32(bytes[k + 1]) << 16 | UInt32(bytes[k + 2]) << 8 | UInt32(bytes[k + 3])
            let msg = Array(bytes[(k + 4)..<(k + 4 + len)])
            guard CRC32C.checksum(msg) == crc else { throw FrameError() }
            frames.append(try parseMessage(msg))
            i = k + 4 + len
        }
        return frames
    }

    /// `ChunkedReadResponse`: field 1 ChunkedSeries (length-delimited; its field 2 = Chunk), field 2 query_index.
    static func parseMessage(_ m: [UInt8]) throws -> Frame {
        var frame = Frame(queryIndex: 0, chunkCount: 0)
        var p = 0
        func varint(_ p: inout Int, _ end: Int) throws -> UInt64 {
            var v: UInt64 = 0, s: UInt64 = 0
            while p < end {
                let b = m[p]
                p += 1
                v |= UInt64(b & 0x7f) << s
                if b < 0x80 { return v }
                s += 7
            }
            throw FrameError()
        }
        while p < m.count {
            let key = try varint(&p, m.count)
            switch (key >> 3, key & 7) {
            case (1, 2):
                let n = Int(try varint(&p, m.count))
                var q = p
                let end = p + n
                while q < end {
                    let k2 = try varint(&q, end)
                    guard k2 & 7 == 2 else { throw FrameError() }
                    let n2 = Int(try varint(&q, end))
                    if k2 >> 3 == 2 { frame.chunkCount += 1 }
                    q += n2
                }
                p = end
            case (2, 0):
                frame.queryIndex = Int64(bitPattern: try varint(&p, m.count))
            default:
                throw FrameError()
            }
        }
        return frame
    }
}
