#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OS thread of its own (pthread), for blocking work such as the WAL's fsync loop that must
/// not occupy a thread of Swift's cooperative pool.
///
/// Thread safety: ``join()`` may be called once, from any thread other than the started one.
public final class DedicatedThread: Sendable {
    /// The thread's name, for messages (Glibc's module map does not expose `pthread_setname_np`).
    public let name: String
    private let thread: pthread_t

    private final class Box {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a thread running `body`.
    /// - Throws: ``FileIOError`` if the thread cannot be created.
    public init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Box(name: name, body: body))
        var tid = pthread_t()
        let r = pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body()
            return nil
        }, box.toOpaque())
        guard r == 0 else {
            box.release()
            throw FileIOError(operation: "pthread_create", path: name, errno: r)
        }
        self.name = name
        self.thread = tid
    }

    /// Waits for the thread to finish.
    public func join() {
        pthread_join(thread, nil)
    }
}
