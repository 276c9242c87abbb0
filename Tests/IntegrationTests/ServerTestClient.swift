import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over a loopback TCP socket, run on its own thread so tests never
/// block Swift's cooperative pool (the server's handlers run there). One request per connection
/// (`Connection: close`); understands `Content-Length`, chunked bodies and read-to-EOF.
struct ServerTestClient: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    /// Seconds a read may wait for the server (SO_RCVTIMEO).
    var receiveTimeout = 10

    func get(_ pathAndQuery: String, headers: [(String, String)] = []) async throws -> Response {
        try await request("GET", pathAndQuery, headers: headers, body: [])
    }

    func postForm(_ path: String, _ form: String) async throws -> Response {
        try await request("POST", path, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8))
    }

    func request(_ method: String, _ pathAndQuery: String, headers: [(String, String)] = [], body: [UInt8] = []) async throws -> Response {
        let port = self.port, timeout = receiveTimeout
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<Response, any Error>) in
            let t = Thread {
                do {
                    c.resume(returning: try Self.blockingRequest(port: port, method: method, target: pathAndQuery, headers: headers,
                                                                 body: body, receiveTimeout: timeout))
                } catch {
                    c.resume(throwing: error)
                }
            }
            t.start()
        }
    }

    /// Sends raw bytes and returns whatever the server answers (for malformed-request tests).
    func raw(_ bytes: [UInt8]) async throws -> [UInt8] {
        let port = self.port
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<[UInt8], any Error>) in
            let t = Thread {
                do {
                    let fd = try Self.connect(port: port)
                    defer { close(fd) }
                    try Self.sendAll(fd, bytes)
                    shutdown(fd, Int32(SHUT_WR))
                    c.resume(returning: try Self.readAll(fd))
                } catch {
                    c.resume(throwing: error)
                }
            }
            t.start()
        }
    }

    static func connect(port: Int, receiveTimeout: Int = 10) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        var tv = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            close(fd)
            throw ClientError(description: "connect to 127.0.0.1:\(port) failed (errno \(errno))")
        }
        return fd
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw ClientError(description: "send failed (errno \(errno))") }
            off += n
        }
    }

    static func readAll(_ fd: Int32) throws -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                // A reset after the server answered (it closed first) still leaves a full answer.
                if errno == ECONNRESET, !out.isEmpty { break }
                throw ClientError(description: "recv failed (errno \(errno))")
            }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }

    static func blockingRequest(port: Int, method: String, target: String, headers: [(String, String)], body: [UInt8],
                                receiveTimeout: Int = 10) throws -> Response {
        let fd = try connect(port: port, receiveTimeout: receiveTimeout)
        defer { close(fd) }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nUser-Agent: sundial-test\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try sendAll(fd, Array(head.utf8) + body)
        return try parse(try readAll(fd))
    }

    static func parse(_ data: [UInt8]) throws -> Response {
        let sep: [UInt8] = [13, 10, 13, 10]
        guard let idx = (0..<Swift.max(0, data.count - 3)).first(where: { Array(data[$0..<$0 + 4]) == sep }) else {
            throw ClientError(description: "no HTTP header in \(data.count) bytes")
        }
        let headText = String(decoding: data[0..<idx], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw ClientError(description: "bad status line") }
        var headers: [(String, String)] = []
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            headers.append((String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(data[(idx + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            var out: [UInt8] = []
            var i = 0
            while i < body.count {
                guard let lineEnd = (i..<body.count - 1).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) else { break }
                let sizeText = String(decoding: body[i..<lineEnd], as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText, radix: 16) else { break }
                if size == 0 { break }
                let start = lineEnd + 2
                out.append(contentsOf: body[start..<Swift.min(body.count, start + size)])
                i = start + size + 2
            }
            body = out
        } else if let cl = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }), cl <= body.count {
            body = Array(body[0..<cl])
        }
        return Response(status: status, headers: headers, body: body)
    }
}
