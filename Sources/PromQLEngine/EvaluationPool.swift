import Foundation
import Synchronization

/// A query's cancellation mark, set from the waiting task's cancellation handler and polled by the
/// evaluator on its pool thread (where `Task.isCancelled` cannot see the task). Thread-safe.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Marks the query cancelled.
    func cancel() { flag.store(true, ordering: .relaxed) }

    /// True once ``cancel()`` ran.
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// Dedicated threads that evaluate queries, so a long query never occupies a thread of Swift's
/// cooperative pool (one per core: two on the build machines), where it would starve every other
/// request of the process. Jobs run in FIFO order on the first free thread.
///
/// Thread-safe. The process-wide ``shared`` pool lives as long as the process; its threads are
/// started on first use. The engine's concurrency gate (``EngineOptions/maxConcurrentQueries``)
/// bounds how many queries are submitted at once; beyond the thread count jobs wait in the queue.
public final class EvaluationPool: @unchecked Sendable {
    /// The pool the engine runs queries on: 16 threads (Prometheus's default concurrency is 20,
    /// and a query is CPU-bound: more threads than that only add contention).
    public static let shared = EvaluationPool(threads: 16, name: "sundial-promql")

    /// Number of threads.
    public let threadCount: Int
    private let name: String
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var head = 0
    private var started = false

    /// A pool of `threads` threads (at least 1) named `name-N`, started on the first submitted job.
    public init(threads: Int, name: String) {
        threadCount = max(1, threads)
        self.name = name
    }

    static let poolKey = "sundial.EvaluationPool"

    /// The name (`name-N`) of the pool thread running the caller, nil outside every pool.
    static var currentThreadName: String? { Thread.current.threadDictionary[poolKey] as? String }

    /// Queues `job` to run on one of the pool's threads.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        if !started {
            started = true
            for i in 0..<threadCount {
                let threadName = "\(name)-\(i)"
                let t = Thread { [unowned self] in
                    // Named from inside: corelibs Foundation applies a name set before start() late or not at all.
                    Thread.current.name = threadName
                    Thread.current.threadDictionary[EvaluationPool.poolKey] = threadName
                    self.work()
                }
                // Evaluation recurses over the expression tree: give it more than the 512 KiB default.
                t.stackSize = 8 << 20
                t.start()
            }
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == queue.count { condition.wait() }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the pool and returns its result; while the calling task waits, its
    /// cancellation sets the flag `body` receives (the evaluator polls it).
    func run<T: Sendable>(_ body: @escaping @Sendable (CancellationFlag) -> Result<T, EvaluationError>)
        async throws(EvaluationError) -> T
    {
        let flag = CancellationFlag()
        let result: Result<T, EvaluationError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<T, EvaluationError>, Never>) in
                submit { c.resume(returning: body(flag)) }
            }
        } onCancel: {
            flag.cancel()
        }
        return try result.get()
    }
}
