import Dispatch
import SundialFileIO
import Synchronization

/// Group commit (STYLE.md "Concurrency"): committers register the sequence they need durable and
/// wake the fsync thread; the thread snapshots the highest appended sequence, fdatasyncs outside
/// every lock, publishes the new durable sequence and resumes every waiter it covers. Whoever
/// arrives during an fsync is covered by the next one, so N concurrent committers cost about two
/// fsyncs, not N.
extension WAL {
    /// Registers `resume` to run once `sequence` is durable (or the WAL fails).
    func register(_ sequence: UInt64, force: Bool, _ resume: @escaping @Sendable (Result<Void, WALError>) -> Void) {
        var completesGathering = false
        let immediate: Result<Void, WALError>? = syncState.withLock { s in
            if durableSequence.load(ordering: .acquiring) >= sequence { return .success(()) }
            if let f = s.failure { return .failure(f) }
            if s.stopping && !force { return .failure(WALError(.closed, directory: directory, "WAL closed")) }
            s.waiters.append((sequence, resume))
            s.requested = max(s.requested, sequence)
            if s.gatherTarget > 0 && s.waiters.count >= s.gatherTarget {
                s.gatherTarget = 0
                completesGathering = true
            }
            return nil
        }
        if let immediate {
            resume(immediate)
        } else if completesGathering {
            gathered.signal()
        } else {
            wakeup.signal()
        }
    }

    /// Blocks the calling thread until `sequence` is durable.
    func blockUntilDurable(_ sequence: UInt64, force: Bool) throws {
        if durableSequence.load(ordering: .acquiring) >= sequence { return }
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, WALError>?>(nil)
        register(sequence, force: force) { r in
            outcome.withLock { $0 = r }
            done.signal()
        }
        done.wait()
        if case .failure(let e) = outcome.withLock({ $0 }) { throw e }
    }

    /// The fsync thread's loop.
    func syncLoop() {
        while true {
            if case .interval(let ms) = options.syncMode {
                _ = wakeup.wait(timeout: .now() + .milliseconds(ms))
            } else {
                wakeup.wait()
            }
            let stopping = syncState.withLock { $0.stopping }
            if stopping { return }  // close() does the final flush and fsync itself
            syncRound()
        }
    }

    /// One fsync round: finished segments are fsynced and closed, the active one fdatasynced.
    private func syncRound() {
        if case .always = options.syncMode { gatherCommitters() }
        let snapshot = writerState.withLock { s -> (UInt64, [DiskFile], DiskFile?)? in
            guard s.failure == nil, !s.closed, let w = s.writer else { return nil }
            return (s.sequence, w.takeFinished(), w.file)
        }
        guard let (target, finished, active) = snapshot else { return }
        let alreadyDurable = durableSequence.load(ordering: .acquiring)
        guard target > alreadyDurable || !finished.isEmpty else { return }
        do {
            for f in finished {
                try f.dataSync()
                try f.close()
            }
            if target > alreadyDurable, let active { try active.dataSync() }
        } catch {
            let e = WALError(.io, directory: directory, "fsync failed; acknowledged writes may not be durable", cause: error)
            log("\(e); the WAL refuses further appends")
            writerState.withLock { $0.failure = e }
            failWaiters(e)
            return
        }
        fsyncRounds.add(1, ordering: .relaxed)
        durableSequence.store(target, ordering: .releasing)
        resumeWaiters(upTo: target)
    }

    /// The longest the fsync thread waits for committers to come back before syncing: 200 µs, small
    /// next to an fdatasync (milliseconds on the build machines' disks).
    static let gatherWindowMicroseconds = 200

    /// Group-commit batching: the committers resumed by the last round usually append again at once;
    /// starting the fsync on the first arrival would cover one or two of them and make the rest wait a
    /// whole extra fsync. So wait (at most ``gatherWindowMicroseconds``) until as many waiters are
    /// pending as the last round resumed. With a single committer this never waits. The thread sleeps
    /// until the registration that completes the count signals it (no polling), or the window ends.
    private func gatherCommitters() {
        let expected = lastResumed.load(ordering: .relaxed)
        guard expected > 1 else { return }
        let deadline = DispatchTime.now() + .microseconds(Self.gatherWindowMicroseconds)
        let done = syncState.withLock { s -> Bool in
            if s.waiters.count >= expected || s.stopping { return true }
            s.gatherTarget = expected
            return false
        }
        if done { return }
        // The wait ends by the completing registration's signal or by the deadline. On timeout, a
        // registration may still have claimed the gathering (target reset) and be about to signal:
        // consume that signal so the next gathering does not end early.
        if gathered.wait(timeout: deadline) == .timedOut {
            let claimed = syncState.withLock { s -> Bool in
                if s.gatherTarget == 0 { return true }
                s.gatherTarget = 0
                return false
            }
            if claimed { gathered.wait() }
        }
    }

    /// Resumes (successfully) every waiter whose sequence is at most `sequence`.
    func resumeWaiters(upTo sequence: UInt64) {
        let ready = syncState.withLock { s -> [@Sendable (Result<Void, WALError>) -> Void] in
            var ready: [@Sendable (Result<Void, WALError>) -> Void] = []
            s.waiters.removeAll { w in
                if w.sequence <= sequence {
                    ready.append(w.resume)
                    return true
                }
                return false
            }
            return ready
        }
        lastResumed.store(ready.count, ordering: .relaxed)
        for r in ready { r(.success(())) }
    }

    /// Fails every pending waiter and every later registration with `error`.
    func failWaiters(_ error: WALError) {
        let all = syncState.withLock { s -> [@Sendable (Result<Void, WALError>) -> Void] in
            if s.failure == nil { s.failure = error }
            defer { s.waiters.removeAll() }
            return s.waiters.map(\.resume)
        }
        for r in all { r(.failure(error)) }
    }
}
