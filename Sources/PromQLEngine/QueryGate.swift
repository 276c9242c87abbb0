import Synchronization

/// A FIFO counting semaphore limiting concurrent queries (Prometheus `--query.max-concurrency`).
/// Thread-safe; waiting is cancellable.
final class QueryGate: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }
    private let state: Mutex<State>

    init(limit: Int) { state = Mutex(State(available: limit)) }

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
                let resumeNow: Bool = state.withLock { s in
                    if s.available > 0 {
                        s.available -= 1
                        return true
                    }
                    s.waiters.append((id, c))
                    return false
                }
                if resumeNow { c.resume() }
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
