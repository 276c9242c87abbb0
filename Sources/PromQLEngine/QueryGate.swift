import Synchronization

/// A FIFO counting semaphore limiting concurrent queries (Prometheus `--query.max-concurrency`).
/// Thread-safe; waiting is cancellable (a cancelled waiter leaves the queue and throws).
final class QueryGate: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    /// A gate letting `limit` holders in at once (`limit >= 1`).
    init(limit: Int) { state = Mutex(State(available: limit)) }

    /// Slots free now (for tests and metrics).
    var available: Int { state.withLock { $0.available } }

    /// Waits for a slot. Throws `CancellationError` when the task is cancelled while waiting.
    func acquire() async throws {
        let id: UInt64? = state.withLock { s in
            if s.available > 0 {
                s.available -= 1
                return nil
            }
            s.nextID += 1
            return s.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                // Checking cancellation under the lock closes the race with `onCancel`: the flag is
                // set before the handler runs, so either we see it here, or the handler (which takes
                // the same lock) finds the waiter we append.
                let resumeNow: Bool? = state.withLock { s in
                    if s.available > 0 {
                        s.available -= 1
                        return true
                    }
                    if Task.isCancelled { return nil }
                    s.waiters.append((id, c))
                    return false
                }
                switch resumeNow {
                case true?: c.resume()
                case nil: c.resume(throwing: CancellationError())
                case false?: break
                }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = state.withLock { s in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Returns a slot, handing it to the oldest waiter if any.
    func release() {
        let c: CheckedContinuation<Void, any Error>? = state.withLock { s in
            if s.waiters.isEmpty {
                s.available += 1
                return nil
            }
            return s.waiters.removeFirst().continuation
        }
        c?.resume()
    }
}
