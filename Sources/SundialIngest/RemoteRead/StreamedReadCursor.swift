import SundialCore
import SundialEncoding
import Synchronization

/// A STREAMED_XOR_CHUNKS remote-read response produced one frame at a time
/// (``RemoteReader/streamedCursor(_:)``), so a large read is sent as it is built: at any moment
/// it holds one series' samples and one frame, never the whole response.
///
/// Frame format (Prometheus `storage/remote/chunked.go`, `docs/querying/remote_read_api.md`):
/// `uvarint(len(msg))`, `CRC32-Castagnoli(msg)` as 4 big-endian bytes, then `msg`, a
/// `ChunkedReadResponse { repeated ChunkedSeries chunked_series = 1; int64 query_index = 2; }`
/// holding one series (`ChunkedSeries { repeated Label labels = 1; repeated Chunk chunks = 2; }`,
/// `Chunk { int64 min_time_ms = 1; int64 max_time_ms = 2; Encoding type = 3; bytes data = 4; }`,
/// XOR = 1; native histograms as HISTOGRAM = 2 / FLOAT_HISTOGRAM = 3 chunks, see
/// `StreamedReadCursor+Histograms.swift`). A series whose chunks exceed ``RemoteReadOptions/maxBytesInFrame`` is split over
/// several frames, as Prometheus's `StreamChunkedReadResponses` does. Series come sorted, query
/// by query.
///
/// Thread-safe (its state is behind a `Mutex`), though meant for one consumer pulling frames in
/// order. Each query's querier is closed when its series are done, or when the cursor is released.
public final class StreamedReadCursor: Sendable {
    struct State: ~Copyable {
        let queries: [RemoteReadRequest.Query]
        /// The query being read; `queries.count` when done.
        var queryIndex = -1
        var querier: (any Querier)? = nil
        var series: [any StorageSeries] = []
        /// The series being read (its samples in `buffer` from `sampleIndex` on).
        var seriesIndex = 0
        var labels = Labels()
        var buffer = SampleBuffer()
        var sampleIndex = 0
        /// The series' native histograms, sent from `histogramIndex` on (see `+Histograms`).
        var histograms = HistogramSampleBuffer()
        var histogramIndex = 0
        var message: [UInt8] = []
        var chunk = XORChunkAppender(reservingCapacity: 256)
        var failed = false

        init(queries: [RemoteReadRequest.Query]) { self.queries = queries }

        deinit { querier?.close() }
    }

    let reader: RemoteReader
    let state: Mutex<State>

    init(reader: RemoteReader, request: RemoteReadRequest) {
        self.reader = reader
        self.state = Mutex(State(queries: request.queries))
    }

    /// The next complete frame, or nil after the last one.
    /// - Throws: ``IngestError`` (`.storage`) when a query or a series cannot be read; the
    ///   cursor then stays failed (every later call throws the same kind).
    public func next() throws(IngestError) -> [UInt8]? {
        let reader = self.reader
        return try state.withLock { st throws(IngestError) -> [UInt8]? in
            if st.failed { throw IngestError(.storage, "remote read stream already failed") }
            do throws(IngestError) {
                return try Self.step(&st, reader)
            } catch {
                st.failed = true
                st.querier?.close()
                st.querier = nil
                throw error
            }
        }
    }

    /// Advances to the next series with samples (opening queries as needed) and builds a frame.
    static func step(_ st: inout State, _ reader: RemoteReader) throws(IngestError) -> [UInt8]? {
        while st.sampleIndex >= st.buffer.count && st.histogramIndex >= st.histograms.count {
            if st.queryIndex >= 0 && st.seriesIndex + 1 < st.series.count {
                st.seriesIndex += 1
            } else {
                // Next query.
                st.querier?.close()
                st.querier = nil
                st.series = []
                st.queryIndex += 1
                guard st.queryIndex < st.queries.count else {
                    st.queryIndex = st.queries.count
                    return nil
                }
                let (series, querier) = try reader.select(st.queries[st.queryIndex], index: st.queryIndex, sorted: true)
                st.querier = querier
                st.series = series
                st.seriesIndex = 0
                if series.isEmpty {
                    st.buffer.removeAll()
                    st.sampleIndex = 0
                    st.histograms.removeAll()
                    st.histogramIndex = 0
                    continue
                }
            }
            let q = st.queries[st.queryIndex]
            let s = st.series[st.seriesIndex]
            st.buffer.removeAll()
            st.sampleIndex = 0
            st.histograms.removeAll()
            st.histogramIndex = 0
            do {
                try s.samples(minTime: q.startMs, maxTime: q.endMs, into: &st.buffer)
                if s.mayContainHistograms { try s.histogramSamples(minTime: q.startMs, maxTime: q.endMs, into: &st.histograms) }
            } catch {
                throw IngestError(.storage, "reading series \(s.labels) failed: \(error)", seriesIndex: st.queryIndex)
            }
            if !st.buffer.isEmpty || !st.histograms.isEmpty { st.labels = reader.withExternalLabels(s.labels) }
        }
        return frame(&st, reader.options)
    }

    /// One frame of the current series from `sampleIndex`: its labels, then chunks until the
    /// frame budget is spent (a frame may exceed it by one chunk, as in Prometheus).
    static func frame(_ st: inout State, _ options: RemoteReadOptions) -> [UInt8] {
        let perChunk = max(1, min(options.samplesPerChunk, XORChunkAppender.maxSamples))
        st.message.removeAll(keepingCapacity: true)
        let cs = st.message.beginProtoLengthDelimited(1)
        for l in st.labels {
            let lt = st.message.beginProtoLengthDelimited(1)
            st.message.appendProtoString(1, l.name)
            st.message.appendProtoString(2, l.value)
            st.message.endProtoLengthDelimited(lt)
        }
        let budgetEnd = st.message.count + options.maxBytesInFrame
        var k = st.sampleIndex
        let count = st.buffer.count
        repeat {
            // Floats and histograms interleave by time: whichever comes next starts the next chunk.
            let nextH = st.histogramIndex < st.histograms.count ? st.histograms.timestamps[st.histogramIndex] : Int64.max
            if k >= count || nextH < st.buffer.timestamps[k] {
                appendHistogramChunk(&st, perChunk: perChunk, before: k < count ? st.buffer.timestamps[k] : Int64.max)
                continue
            }
            st.chunk.reset()
            let first = k
            let end = min(count, k + perChunk)
            repeat {
                st.chunk.append(timestamp: st.buffer.timestamps[k], value: st.buffer.values[k])
                k += 1
            } while k < end && st.buffer.timestamps[k] < nextH
            let ct = st.message.beginProtoLengthDelimited(2)
            st.message.appendProtoInt64IfNonZero(1, st.buffer.timestamps[first])
            st.message.appendProtoInt64IfNonZero(2, st.buffer.timestamps[k - 1])
            st.message.appendProtoVarint(3, 1)  // Chunk.Encoding XOR
            st.message.appendProtoBytes(4, st.chunk.bytes)
            st.message.endProtoLengthDelimited(ct)
        } while (k < count || st.histogramIndex < st.histograms.count) && st.message.count < budgetEnd
        st.sampleIndex = k
        st.message.endProtoLengthDelimited(cs)
        st.message.appendProtoInt64IfNonZero(2, Int64(st.queryIndex))
        var frame: [UInt8] = []
        frame.reserveCapacity(st.message.count + 14)
        frame.appendUVarint(UInt64(st.message.count))
        frame.appendBE32(CRC32C.checksum(st.message))
        frame.append(contentsOf: st.message)
        return frame
    }
}
