public import NIOCore

/// A Swift concurrency `TaskExecutor` that runs every job on one NIO event loop (`execute`).
///
/// Used as the task executor preference of a connection's handling task
/// (``EventLoopPinnedChannel``): the task then runs on the thread that reads and writes its
/// socket, so handing a request part from the channel to the task and a response part back is an
/// enqueue on the same thread instead of a wake-up of another thread (a futex and a context
/// switch each on a 2-core machine). A job enqueued from another thread (a continuation resumed by
/// the WAL's fsync thread) wakes the event loop once.
///
/// Thread-safe (`EventLoop.execute` is); one instance per connection.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    /// - Parameter eventLoop: the loop to run jobs on (a channel's `eventLoop`).
    public init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    /// Runs `job` on ``eventLoop`` (in a later iteration when called from the loop itself).
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
