import Testing
import SundialIngest

@Suite struct RemoteWriteVersionTests {
    @Test(arguments: [
        (nil, RemoteWriteVersion.v1),
        ("", .v1),
        ("application/x-protobuf", .v1),
        ("  application/x-protobuf ", .v1),
        ("Application/X-Protobuf", .v1),
        ("application/x-protobuf;proto=prometheus.WriteRequest", .v1),
        ("application/x-protobuf; proto=prometheus.WriteRequest", .v1),
        ("application/x-protobuf;proto=io.prometheus.write.v2.Request", .v2),
        ("application/x-protobuf; charset=utf-8; proto=io.prometheus.write.v2.Request", .v2),
        ("application/x-protobuf;proto=\"io.prometheus.write.v2.Request\"", .v2),
    ] as [(String?, RemoteWriteVersion)])
    func accepted(contentType: String?, expected: RemoteWriteVersion) throws {
        #expect(try RemoteWriteVersion.negotiate(contentType: contentType, contentEncoding: "snappy") == expected)
        #expect(try RemoteWriteVersion.negotiate(contentType: contentType, contentEncoding: nil) == expected)
    }

    @Test(arguments: [
        "application/json",
        "text/plain",
        "application/x-protobuf;proto=io.prometheus.write.v3.Request",
        "application/x-protobuf;proto",
        "application/x-protobuf;a=b=c",
        "application/x-protobufx",
    ])
    func refusedContentTypes(contentType: String) {
        #expect {
            _ = try RemoteWriteVersion.negotiate(contentType: contentType, contentEncoding: "snappy")
        } throws: { ($0 as? IngestError)?.kind == .unsupportedMediaType }
    }

    @Test(arguments: ["gzip", "zstd", "snappy-framed", "identity"])
    func refusedEncodings(encoding: String) {
        #expect {
            _ = try RemoteWriteVersion.negotiate(contentType: "application/x-protobuf", contentEncoding: encoding)
        } throws: { e in
            guard let e = e as? IngestError else { return false }
            return e.kind == .unsupportedMediaType && e.message.contains(encoding)
        }
    }

    @Test func snappyIsCaseInsensitive() throws {
        #expect(try RemoteWriteVersion.negotiate(contentType: "application/x-protobuf", contentEncoding: "Snappy") == .v1)
    }
}
