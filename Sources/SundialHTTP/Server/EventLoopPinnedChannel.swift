public import Hummingbird
public import HummingbirdCore
public import Logging
public import NIOCore

/// Hummingbird's HTTP/1.1 child channel whose per-connection handling task prefers the
/// connection's own event loop as its executor (``EventLoopTaskExecutor``).
///
/// Why: a remote-write request otherwise crosses threads about four times (event loop → the
/// connection's task on the cooperative pool → suspended for the WAL's group fsync → resumed on the
/// pool → response handed back to the event loop), each a futex wake and a context switch. On the
/// loop's own thread only the fsync thread's resume remains a cross-thread wake. The pipeline,
/// HTTP parsing, body limits, idle timeout, pipelining and graceful shutdown are Hummingbird's,
/// unchanged (``setup(channel:logger:)`` and the handling loop are the wrapped channel's).
///
/// Work that may take long runs elsewhere: ``APIResponder`` moves every route but remote write
/// (and remote writes with bodies over ``APIResponder/eventLoopBodyLimit``) to the global
/// concurrent executor, so a slow query never stalls the other connections of its loop.
///
/// Thread-safe value type.
public struct EventLoopPinnedChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// The value Hummingbird's server hands to ``handle(value:logger:)``.
    public typealias Value = Base.Value
    /// The wrapped child channel (``HTTP1Channel``).
    public let base: Base

    /// - Parameter base: the child channel to run on its connections' event loops.
    public init(_ base: Base) { self.base = base }

    /// The wrapped channel's pipeline set-up, unchanged.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    /// The wrapped channel's handling loop, run with the connection's event loop as the task
    /// executor preference.
    public func handle(value: Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor(value.channel.eventLoop)
        await withTaskExecutorPreference(executor) {
            await base.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// ``HTTPServerBuilder/http1(configuration:)`` with each connection handled on its own event
    /// loop (``EventLoopPinnedChannel``).
    public static func eventLoopPinnedHTTP1(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        .init { responder in
            EventLoopPinnedChannel(HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}
