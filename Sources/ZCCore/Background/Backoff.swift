/// Waits between attempts that keep failing: `initial` after the first failure, doubling after each
/// further one, never more than `limit`.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var limit: Duration

    public init(initial: Duration, limit: Duration) {
        self.initial = initial
        self.limit = limit
    }

    /// The wait after failed attempt number `attempt` (1-based): `initial` doubled `attempt - 1` times,
    /// at most `limit`.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var delay = max(.zero, initial)
        for _ in 1..<max(1, attempt) {
            if delay >= limit { break }
            delay *= 2
        }
        return min(delay, limit)
    }
}
