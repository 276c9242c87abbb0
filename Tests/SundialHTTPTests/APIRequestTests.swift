import Testing
@testable import SundialHTTP

/// Header lookup on a collected request.
@Suite struct APIRequestTests {
    @Test func headerNamesCompareIgnoringASCIICase() {
        let r = APIRequest(method: "POST", path: "/api/v1/write", headers: [
            ("Content-Type", "application/x-protobuf"), ("X-Prometheus-Remote-Write-Version", "0.1.0"), ("a@", "1"),
        ])
        #expect(r.header("content-type") == "application/x-protobuf")
        #expect(r.header("CONTENT-TYPE") == "application/x-protobuf")
        #expect(r.header("x-prometheus-remote-write-version") == "0.1.0")
        #expect(r.header("content-typ") == nil)
        #expect(r.header("content-typee") == nil)
        #expect(r.header("content_type") == nil)
        // Only letters fold: '@' (0x40) is not '`' (0x60).
        #expect(r.header("a`") == nil)
        #expect(r.header("A@") == "1")
        #expect(APIRequest.asciiCaseInsensitiveEqual("", ""))
        #expect(!APIRequest.asciiCaseInsensitiveEqual("a", ""))
    }
}
