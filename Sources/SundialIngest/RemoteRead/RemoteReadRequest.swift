public import SundialCore
import SundialEncoding

/// A decoded remote-read `ReadRequest` (`prompb/remote.proto`; reference-brief §2.3):
/// `ReadRequest { repeated Query queries = 1; repeated ResponseType accepted_response_types = 2; }`.
public struct RemoteReadRequest: Sendable, Equatable {
    /// `ReadRequest.ResponseType`.
    public enum ResponseType: Int, Sendable, Hashable, CustomStringConvertible {
        /// One snappy-compressed `ReadResponse` with raw samples.
        case samples = 0
        /// A stream of framed `ChunkedReadResponse` messages carrying XOR chunks.
        case streamedXORChunks = 1

        public var description: String {
            switch self {
            case .samples: "SAMPLES"
            case .streamedXORChunks: "STREAMED_XOR_CHUNKS"
            }
        }
    }

    /// `Query { int64 start_timestamp_ms = 1; int64 end_timestamp_ms = 2; repeated LabelMatcher matchers = 3; ReadHints hints = 4; }`.
    /// The time range `[startMs, endMs]` is closed, in ms.
    public struct Query: Sendable, Equatable {
        /// Start of the range, ms, inclusive.
        public var startMs: Timestamp
        /// End of the range, ms, inclusive.
        public var endMs: Timestamp
        /// Series selector (all must match).
        public var matchers: [LabelMatcher]
        /// `ReadHints` mapped to Core's hints (nil when the query carries none).
        public var hints: SelectHints?
        public init(startMs: Timestamp, endMs: Timestamp, matchers: [LabelMatcher], hints: SelectHints? = nil) {
            self.startMs = startMs
            self.endMs = endMs
            self.matchers = matchers
            self.hints = hints
        }
    }

    /// The queries, answered in order (`query_index` / result position).
    public var queries: [Query]
    /// Response types the client accepts, in its order of preference (raw enum numbers kept
    /// so unknown future types can be reported).
    public var acceptedResponseTypes: [Int]

    public init(queries: [Query], acceptedResponseTypes: [Int] = []) {
        self.queries = queries
        self.acceptedResponseTypes = acceptedResponseTypes
    }

    /// The response type to use, as Prometheus negotiates it (`storage/remote/read_handler.go`):
    /// none listed means ``ResponseType/samples``; otherwise the first listed type this server
    /// supports.
    /// - Throws: ``IngestError/Kind/invalidRequest`` when none of the listed types is supported.
    public func negotiatedResponseType() throws(IngestError) -> ResponseType {
        if acceptedResponseTypes.isEmpty { return .samples }
        for t in acceptedResponseTypes {
            if let r = ResponseType(rawValue: t) { return r }
        }
        throw IngestError(
            .invalidRequest,
            "server does not support any of the requested response types: \(acceptedResponseTypes); supported: [SAMPLES STREAMED_XOR_CHUNKS]")
    }

    // MARK: - Decoding

    /// Decodes a snappy-compressed `ReadRequest` body.
    /// - Parameter maxDecodedBytes: limit on the decompressed size (checked before allocating).
    /// - Throws: ``IngestError``: bad snappy or protobuf, a matcher with an unknown type or an
    ///   invalid regular expression (``IngestError/Kind/invalidRequest``), a body over the limit.
    public static func decode(_ compressed: [UInt8], maxDecodedBytes: Int = 32 << 20) throws(IngestError) -> RemoteReadRequest {
        let outcome: Result<[UInt8], DecodeError> = compressed.withUnsafeBytes { raw in
            guard let n = Snappy.uncompressedLength(raw) else {
                return .failure(DecodeError(.invalid, offset: 0, "snappy: corrupt input (bad length header)"))
            }
            // No snappy element expands more than 64 bytes out of 3 (a 2-byte-offset copy), so a
            // header claiming more than ~21.4× the input is corrupt: refuse it before allocating.
            guard n <= raw.count * 22 + 64 else {
                return .failure(DecodeError(.invalid, offset: 0, "snappy: header claims \(n) decoded bytes from \(raw.count) bytes of input"))
            }
            guard n <= maxDecodedBytes else {
                return .failure(DecodeError(.overflow, offset: 0, "decoded body of \(n) bytes exceeds the limit of \(maxDecodedBytes) bytes"))
            }
            var out: [UInt8] = []
            do throws(DecodeError) {
                try Snappy.decompress(raw, into: &out, maxLength: maxDecodedBytes)
                return .success(out)
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let body): return try decode(uncompressed: body)
        case .failure(let e):
            if e.kind == .overflow { throw IngestError(.tooLarge, e.detail) }
            throw IngestError(.badCompression, e.detail.isEmpty ? e.kind.rawValue : e.detail, cause: e)
        }
    }

    /// Decodes an uncompressed `ReadRequest`.
    public static func decode(uncompressed body: [UInt8]) throws(IngestError) -> RemoteReadRequest {
        var queries: [Query] = []
        var types: [Int] = []
        var r = ProtoReader(body)
        while true {
            var queryRange: Range<Int>? = nil
            do throws(DecodeError) {
                guard let tag = try r.readTag() else { break }
                switch tag.field {
                case 1:
                    try r.expect(tag, .lengthDelimited, "ReadRequest.queries")
                    queryRange = try r.readLengthDelimited()
                case 2:
                    if tag.wireType == .lengthDelimited {
                        try r.forEachPackedVarint(try r.readLengthDelimited()) { types.append(Int(truncatingIfNeeded: $0)) }
                    } else {
                        try r.expect(tag, .varint, "ReadRequest.accepted_response_types")
                        types.append(Int(truncatingIfNeeded: try r.readVarint()))
                    }
                default:
                    try r.skip(tag.wireType)
                }
            } catch {
                throw IngestError.malformed(error, in: "ReadRequest")
            }
            if let range = queryRange {
                queries.append(try decodeQuery(ProtoReader(body, range: range), index: queries.count))
            }
        }
        return RemoteReadRequest(queries: queries, acceptedResponseTypes: types)
    }

    static func decodeQuery(_ reader: ProtoReader, index: Int) throws(IngestError) -> Query {
        var r = reader
        var start: Int64 = 0, end: Int64 = 0
        var matcherSpecs: [(Int, String, String, Int)] = []
        var hints: SelectHints? = nil
        do throws(DecodeError) {
            while let tag = try r.readTag() {
                switch tag.field {
                case 1:
                    try r.expect(tag, .varint, "Query.start_timestamp_ms")
                    start = Int64(bitPattern: try r.readVarint())
                case 2:
                    try r.expect(tag, .varint, "Query.end_timestamp_ms")
                    end = Int64(bitPattern: try r.readVarint())
                case 3:
                    try r.expect(tag, .lengthDelimited, "Query.matchers")
                    let mr = try r.readLengthDelimited()
                    matcherSpecs.append(try decodeMatcher(r.subReader(mr)))
                case 4:
                    try r.expect(tag, .lengthDelimited, "Query.hints")
                    hints = try decodeHints(r.subReader(try r.readLengthDelimited()))
                default:
                    try r.skip(tag.wireType)
                }
            }
        } catch {
            throw IngestError.malformed(error, in: "Query", seriesIndex: index)
        }
        var matchers: [LabelMatcher] = []
        for (type, name, value, offset) in matcherSpecs {
            let mt: MatchType
            switch type {
            case 0: mt = .equal
            case 1: mt = .notEqual
            case 2: mt = .regexMatch
            case 3: mt = .regexNoMatch
            default:
                throw IngestError(.invalidRequest, "unknown label matcher type \(type) for label \(GoQuote.quote(name))",
                                  offset: offset, seriesIndex: index)
            }
            do {
                matchers.append(try LabelMatcher(mt, name, value))
            } catch {
                throw IngestError(.invalidRequest, error.description, offset: offset, seriesIndex: index)
            }
        }
        return Query(startMs: start, endMs: end, matchers: matchers, hints: hints)
    }

    /// `LabelMatcher { Type type = 1; string name = 2; string value = 3; }`, Type EQ 0, NEQ 1, RE 2, NRE 3.
    static func decodeMatcher(_ reader: ProtoReader) throws(DecodeError) -> (Int, String, String, Int) {
        var r = reader
        let offset = r.position
        var type = 0
        var name = "", value = ""
        while let tag = try r.readTag() {
            switch tag.field {
            case 1:
                try r.expect(tag, .varint, "LabelMatcher.type")
                type = Int(truncatingIfNeeded: try r.readVarint())
            case 2, 3:
                try r.expect(tag, .lengthDelimited, "LabelMatcher string")
                let sr = try r.readLengthDelimited()
                guard let s = r.string(sr) else { throw DecodeError(.invalid, offset: sr.lowerBound, "invalid UTF-8 in LabelMatcher") }
                if tag.field == 2 { name = s } else { value = s }
            default:
                try r.skip(tag.wireType)
            }
        }
        return (type, name, value, offset)
    }

    /// `ReadHints { int64 step_ms = 1; string func = 2; int64 start_ms = 3; int64 end_ms = 4;
    /// repeated string grouping = 5; bool by = 6; int64 range_ms = 7; }`
    static func decodeHints(_ reader: ProtoReader) throws(DecodeError) -> SelectHints {
        var r = reader
        var h = SelectHints(start: 0, end: 0)
        while let tag = try r.readTag() {
            switch tag.field {
            case 1, 3, 4, 6, 7:
                try r.expect(tag, .varint, "ReadHints integer")
                let v = Int64(bitPattern: try r.readVarint())
                switch tag.field {
                case 1: h.step = v
                case 3: h.start = v
                case 4: h.end = v
                case 6: h.by = v != 0
                default: h.range = v
                }
            case 2, 5:
                try r.expect(tag, .lengthDelimited, "ReadHints string")
                let sr = try r.readLengthDelimited()
                guard let s = r.string(sr) else { throw DecodeError(.invalid, offset: sr.lowerBound, "invalid UTF-8 in ReadHints") }
                if tag.field == 2 { h.function = s.isEmpty ? nil : s } else { h.grouping.append(s) }
            default:
                try r.skip(tag.wireType)
            }
        }
        return h
    }

    // MARK: - Encoding (clients and tests)

    /// The uncompressed protobuf `ReadRequest`.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        for q in queries {
            let t = out.beginProtoLengthDelimited(1)
            out.appendProtoInt64IfNonZero(1, q.startMs)
            out.appendProtoInt64IfNonZero(2, q.endMs)
            for m in q.matchers {
                let mt = out.beginProtoLengthDelimited(3)
                let type: UInt64 = switch m.type {
                case .equal: 0
                case .notEqual: 1
                case .regexMatch: 2
                case .regexNoMatch: 3
                }
                if type != 0 { out.appendProtoVarint(1, type) }
                out.appendProtoString(2, m.name)
                out.appendProtoString(3, m.value)
                out.endProtoLengthDelimited(mt)
            }
            if let h = q.hints {
                let ht = out.beginProtoLengthDelimited(4)
                out.appendProtoInt64IfNonZero(1, h.step)
                if let f = h.function { out.appendProtoString(2, f) }
                out.appendProtoInt64IfNonZero(3, h.start)
                out.appendProtoInt64IfNonZero(4, h.end)
                for g in h.grouping { out.appendProtoString(5, g) }
                if h.by { out.appendProtoVarint(6, 1) }
                out.appendProtoInt64IfNonZero(7, h.range)
                out.endProtoLengthDelimited(ht)
            }
            out.endProtoLengthDelimited(t)
        }
        if !acceptedResponseTypes.isEmpty {
            let t = out.beginProtoLengthDelimited(2)
            for a in acceptedResponseTypes { out.appendUVarint(UInt64(bitPattern: Int64(a))) }
            out.endProtoLengthDelimited(t)
        }
        return out
    }

    /// The snappy-compressed body a client posts.
    public func compressed() -> [UInt8] { Snappy.compress(encoded()) }
}
