import Glibc

/// Nanoseconds on CLOCK_MONOTONIC: deadlines that ignore wall-clock changes.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    public static func deadline(after duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return now() + UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
