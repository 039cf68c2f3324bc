/// Why a notification was not delivered. Its text names the receiver's host, never the URL's path or query
/// (they may hold a token) and never the signing secret.
public struct WebhookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong on the last attempt.
    public enum Failure: Sendable, Hashable, CustomStringConvertible {
        /// The receiver answered with this status.
        case status(Int)
        /// No answer within the timeout.
        case timedOut
        /// No usable connection (refused, unreachable, dropped, host unknown, TLS refused), in words.
        case connection(String)
        /// Nothing was sent: the URL is not `http` or `https`, or the body could not be encoded.
        case invalidRequest(String)

        public var description: String {
            switch self {
            case .status(let code): "HTTP \(code)"
            case .timedOut: "timed out"
            case .connection(let reason): reason
            case .invalidRequest(let reason): reason
            }
        }
    }

    /// The receiver's host, with its port when the URL names one.
    public var host: String
    /// Requests sent (0 when the request was invalid).
    public var attempts: Int
    public var lastFailure: Failure
    /// True when every allowed attempt failed; false when the failure was not worth retrying (a 4xx other
    /// than 429, a refused certificate, an invalid request).
    public var exhausted: Bool

    public init(host: String, attempts: Int, lastFailure: Failure, exhausted: Bool) {
        self.host = host
        self.attempts = attempts
        self.lastFailure = lastFailure
        self.exhausted = exhausted
    }

    public var description: String {
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        if exhausted {
            return "webhook to \(host) failed after \(tries); last failure: \(lastFailure)"
        }
        if attempts == 0 {
            return "webhook to \(host) not sent: \(lastFailure)"
        }
        return "webhook to \(host) failed after \(tries): \(lastFailure), which is not retried"
    }
}
