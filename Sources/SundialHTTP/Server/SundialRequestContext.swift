public import Hummingbird
public import NIOCore

/// Hummingbird's per-request context plus the client's address (for the audit log lines of
/// refused requests, see `API.refuse`). Value type; one per request.
public struct SundialRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection, when the channel knows it.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// `ip:port` of ``remoteAddress`` (or its path for a Unix socket), nil when unknown.
    var remoteAddressText: String? {
        guard let a = remoteAddress else { return nil }
        if let ip = a.ipAddress { return a.port.map { "\(ip):\($0)" } ?? ip }
        return a.pathname
    }
}
