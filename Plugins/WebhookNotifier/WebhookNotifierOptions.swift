import Foundation
import ZCCore

/// Where and how the webhook notifier delivers (`notifiers.webhook.*` in the configuration).
public struct WebhookNotifierOptions: Sendable {
    /// The shape of the JSON body.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// zcplatform's own flat object, keys in snake_case (`kind`, `severity`, `title`, `body`, `labels`, `at`,
        /// `started_at`).
        case json
        /// The body Prometheus Alertmanager POSTs to its webhook receivers (protocol version 4), one alert per
        /// request, so receivers written for Alertmanager work unchanged.
        case alertmanager
    }

    /// Where to POST: `http` or `https`. Only its host ever appears in errors and logs, since the path or the
    /// query of a webhook URL often holds a token.
    public var url: URL
    /// With a secret, each request is signed (see `WebhookSignature`); nil sends unsigned requests.
    public var secret: String?
    public var format: Format
    /// Attempts per notification, the first included (at least 1).
    public var maxAttempts: Int
    /// The wait after the first failed attempt; it doubles after each further failure.
    public var initialBackoff: Duration
    /// The longest wait between attempts, whether from doubling or from a receiver's `Retry-After`.
    public var maxBackoff: Duration
    /// How long one attempt may take, from connecting to the last byte of the answer (any fraction of a second).
    public var timeout: Duration
    /// The address people reach this platform at: `externalURL` and `generatorURL` in Alertmanager payloads.
    public var externalURL: String?

    public init(
        url: URL, secret: String? = nil, format: Format = .json, maxAttempts: Int = 5,
        initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(60), timeout: Duration = .seconds(10),
        externalURL: String? = nil
    ) {
        self.url = url
        self.secret = secret
        self.format = format
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.timeout = timeout
        self.externalURL = externalURL
    }

    /// The host (and port, when the URL names one) that errors and logs may show.
    var displayHost: String {
        let host = url.host ?? "(no host)"
        return url.port.map { "\(host):\($0)" } ?? host
    }

    /// The wait after failed attempt number `attempt` (1-based): `initialBackoff` doubled `attempt - 1` times,
    /// at most `maxBackoff`.
    func backoff(afterAttempt attempt: Int) -> Duration {
        Backoff(initial: initialBackoff, limit: maxBackoff).delay(afterAttempt: attempt)
    }
}

extension WebhookNotifierOptions: CustomStringConvertible {
    /// The host, format and retry settings; never the secret, nor the URL's path or query.
    public var description: String {
        "webhook to \(displayHost) (\(format.rawValue), \(secret == nil ? "unsigned" : "signed"), "
            + "\(maxAttempts) attempts, timeout \(timeout))"
    }
}
