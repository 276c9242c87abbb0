#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic time in seconds.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Splits `http://host:port/path` into its parts (plain HTTP on an IPv4 literal or `localhost` only:
/// the harness talks to servers it started on 127.0.0.1).
func parseURL(_ url: String) throws -> (host: String, port: UInt16, path: String) {
    guard url.hasPrefix("http://") else { throw LoadgenError("only http:// URLs are supported: \(url)") }
    let rest = url.dropFirst(7)
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let hostPort = rest[..<slash]
    let path = slash == rest.endIndex ? "/" : String(rest[slash...])
    guard let colon = hostPort.lastIndex(of: ":"), let port = UInt16(hostPort[hostPort.index(after: colon)...]) else {
        throw LoadgenError("URL needs an explicit port: \(url)")
    }
    var host = String(hostPort[..<colon])
    if host == "localhost" { host = "127.0.0.1" }
    return (host, port, path)
}

/// A response: status code and body (de-chunked).
struct HTTPResponse {
    var status: Int
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection (POSIX sockets, TCP_NODELAY).
/// Understands `Content-Length`, `Transfer-Encoding: chunked` and close-delimited bodies. Not thread-safe:
/// one connection per thread, as Prometheus's queue manager uses one request at a time per shard.
final class HTTPConnection {
    let host: String
    let port: UInt16
    private var fd: Int32 = -1
    private var buf = [UInt8](repeating: 0, count: 1 << 16)
    private var lo = 0
    private var hi = 0

    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    deinit { close() }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
        lo = 0
        hi = 0
    }

    private func connect() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw LoadgenError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            _ = Glibc.close(s)
            throw LoadgenError("bad IPv4 address \(host)")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            _ = Glibc.close(s)
            throw LoadgenError("connect \(host):\(port): errno \(e)")
        }
        fd = s
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = send(fd, bytes.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw LoadgenError("send: errno \(errno)")
            }
            off += n
        }
    }

    /// Reads more bytes into the buffer; returns false at EOF.
    private func fill() throws -> Bool {
        if lo > 0 && lo == hi {
            lo = 0
            hi = 0
        }
        if hi == buf.count {
            if lo > 0 {
                buf.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + lo, hi - lo) }
                hi -= lo
                lo = 0
            } else {
                buf += [UInt8](repeating: 0, count: buf.count)
            }
        }
        while true {
            let n = buf.withUnsafeMutableBytes { b in recv(fd, b.baseAddress! + hi, b.count - hi, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LoadgenError("recv: errno \(errno)")
            }
            hi += n
            return n > 0
        }
    }

    private func readLine() throws -> String {
        while true {
            if hi - lo >= 2 {
                for i in lo..<(hi - 1) where buf[i] == 13 && buf[i + 1] == 10 {
                    let line = String(decoding: buf[lo..<i], as: UTF8.self)
                    lo = i + 2
                    return line
                }
            }
            guard try fill() else { throw LoadgenError("connection closed mid-header") }
        }
    }

    private func readExactly(_ n: Int, into out: inout [UInt8]) throws {
        var need = n
        while need > 0 {
            if hi == lo { guard try fill() else { throw LoadgenError("connection closed mid-body") } }
            let take = min(need, hi - lo)
            out += buf[lo..<lo + take]
            lo += take
            need -= take
        }
    }

    /// Sends one request and reads the whole response. Reconnects once if a kept-alive connection was
    /// closed by the server before the request.
    func request(method: String, path: String, headers: [(String, String)], body: ArraySlice<UInt8>?)
        throws -> HTTPResponse
    {
        do {
            return try attempt(method: method, path: path, headers: headers, body: body)
        } catch {
            close()
            return try attempt(method: method, path: path, headers: headers, body: body)
        }
    }

    private func attempt(method: String, path: String, headers: [(String, String)], body: ArraySlice<UInt8>?)
        throws -> HTTPResponse
    {
        if fd < 0 { try connect() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        var h = Array(head.utf8)
        if let body, body.count <= 16384 {
            h += body
            try h.withUnsafeBytes { (b: UnsafeRawBufferPointer) in try writeAll(b) }
        } else {
            try h.withUnsafeBytes { (b: UnsafeRawBufferPointer) in try writeAll(b) }
            if let body {
                try body.withUnsafeBytes { (b: UnsafeRawBufferPointer) in try writeAll(b) }
            }
        }
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw LoadgenError("bad status line: \(statusLine)")
        }
        var contentLength = -1
        var chunked = false
        var closeAfter = parts[0] == "HTTP/1.0"
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces().lowercased()
            if name == "content-length" { contentLength = Int(value) ?? -1 }
            if name == "transfer-encoding" && value.contains("chunked") { chunked = true }
            if name == "connection" && value == "close" { closeAfter = true }
            if name == "connection" && value == "keep-alive" { closeAfter = false }
        }
        var out: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            // No body.
        } else if chunked {
            while true {
                let sizeLine = try readLine()
                let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(hex.trimmingSpaces(), radix: 16) else {
                    throw LoadgenError("bad chunk size: \(sizeLine)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                try readExactly(size, into: &out)
                _ = try readLine()
            }
        } else if contentLength >= 0 {
            out.reserveCapacity(contentLength)
            try readExactly(contentLength, into: &out)
        } else {
            out += buf[lo..<hi]
            lo = hi
            while try fill() {
                out += buf[lo..<hi]
                lo = hi
            }
            closeAfter = true
        }
        if closeAfter { close() }
        return HTTPResponse(status: status, body: out)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters pass through).
func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(b))
        default:
            let hex = Array("0123456789ABCDEF".utf8)
            out += "%"
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
            out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 15)]))
        }
    }
    return out
}
