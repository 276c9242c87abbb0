import Synchronization

/// A token bucket for the ingestion rate limit: `rate` tokens per second accrue up to `burst`;
/// a request takes all the tokens it needs or none. Starts full.
///
/// Time comes from an injected monotonic clock in nanoseconds, so tests step it. Thread-safe
/// (one `Mutex`, taken once per request).
final class TokenBucket: Sendable {
    struct State {
        var tokens: Double
        var lastNanos: Int64
    }

    /// Tokens per second (> 0).
    let rate: Double
    /// Bucket capacity in tokens (>= 1).
    let burst: Double
    let clock: @Sendable () -> Int64
    let state: Mutex<State>

    init(rate: Double, burst: Int, clock: @escaping @Sendable () -> Int64) {
        self.rate = rate
        self.burst = Double(burst)
        self.clock = clock
        state = Mutex(State(tokens: Double(burst), lastNanos: clock()))
    }

    /// Takes `n` tokens if available. Otherwise takes nothing and returns the seconds until `n`
    /// tokens will be there (rounded up, at least 1), or nil when `n` exceeds the burst (never).
    /// - Returns: `.granted`, or `.denied(retryAfterSeconds:)`.
    func take(_ n: Int) -> Decision {
        let now = clock()
        let need = Double(n)
        return state.withLock { s in
            let elapsed = now > s.lastNanos ? Double(now - s.lastNanos) / 1e9 : 0
            s.tokens = Swift.min(burst, s.tokens + elapsed * rate)
            s.lastNanos = Swift.max(s.lastNanos, now)
            if need <= s.tokens {
                s.tokens -= need
                return .granted
            }
            if need > burst { return .denied(retryAfterSeconds: nil) }
            let wait = ((need - s.tokens) / rate).rounded(.up)
            return .denied(retryAfterSeconds: Swift.max(1, wait < 1e9 ? Int(wait) : 1_000_000_000))
        }
    }

    enum Decision: Equatable {
        case granted
        /// nil: the request is larger than the burst and can never pass.
        case denied(retryAfterSeconds: Int?)
    }
}
