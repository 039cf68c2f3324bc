import Foundation
import ZCCore
import ZCCrypto

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Delivers alerts by POSTing JSON to a URL (`http` or `https`), retrying with exponential backoff.
///
/// Each notification is one `POST` with `Content-Type: application/json` and
/// `User-Agent: zcplatform-webhook/1`; the body is shaped by `WebhookNotifierOptions.Format`. With a
/// secret, the request is signed as `WebhookSignature` describes.
///
/// A 2xx answer is success. Time-outs, connection failures, 5xx and 429 are retried, up to `maxAttempts`
/// in all: the wait starts at `initialBackoff` and doubles, capped at `maxBackoff`; a numeric `Retry-After`
/// on the answer replaces it (capped likewise). Any other status (4xx, or a 3xx: redirects are not
/// followed) fails at once. Failures throw `WebhookError`, whose text names only the host.
///
/// Login codes are never sent: see `send(_:)`.
public struct WebhookNotifier: Notifier {
    public let name = "webhook"
    /// Kept internal: it holds the secret, and the URL may hold a token.
    let options: WebhookNotifierOptions
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    let transport: WebhookTransport

    static let userAgent = "zcplatform-webhook/1"

    /// - Parameter sleep: waits between attempts; tests pass one that records and returns at once.
    public init(
        options: WebhookNotifierOptions, logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.options = options
        self.logger = logger.with("host", options.displayHost)
        self.sleep = sleep
        self.transport = WebhookTransport(timeout: options.timeout)
    }

    /// POSTs `notification`, retrying as the type describes; throws `WebhookError` when it was not
    /// delivered, and `CancellationError` when the task is cancelled.
    ///
    /// A `.loginCode` notification returns at once, unsent: it carries a one-time code that signs its
    /// recipient in, meant for that person alone, while a webhook goes to a shared channel or a third-party
    /// service whose readers (and logs) are not the recipient. Login codes go through a personal channel
    /// (mail; the log notifier in development) only.
    public func send(_ notification: ZCCore.Notification) async throws {
        guard notification.kind != .loginCode else { return }
        let host = options.displayHost
        guard let scheme = options.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw WebhookError(
                host: host, attempts: 0, lastFailure: .invalidRequest("the URL is not http or https"), exhausted: false)
        }
        let body: [UInt8]
        do {
            body = try Self.body(for: notification, options: options)
        } catch {
            throw WebhookError(
                host: host, attempts: 0, lastFailure: .invalidRequest("unencodable body"), exhausted: false)
        }
        let attempts = max(1, options.maxAttempts)
        for attempt in 1...attempts {
            try Task.checkCancellation()
            let request = try request(body: body, timestamp: Timestamp.now().seconds)
            switch try await transport.send(request) {
            case .delivered(let status):
                logger.debug("webhook.delivered", ["status": status, "attempt": attempt])
                return
            case .failed(let failure, let retryable, let retryAfter):
                guard retryable, attempt < attempts else {
                    let error = WebhookError(
                        host: host, attempts: attempt, lastFailure: failure, exhausted: retryable)
                    logger.error("webhook.failed", ["kind": notification.kind.rawValue, "error": error])
                    throw error
                }
                let delay = retryAfter.map { min($0, options.maxBackoff) } ?? options.backoff(afterAttempt: attempt)
                logger.warning(
                    "webhook.retry", ["attempt": attempt, "of": attempts, "failure": failure, "retry_in": delay])
                try await sleep(delay)
            }
        }
    }

    /// The POST of `body`, signed at `timestamp` when there is a secret.
    func request(body: [UInt8], timestamp: Int64) throws -> URLRequest {
        var request = URLRequest(
            url: options.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: options.timeout.timeInterval)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(Self.userAgent, forHTTPHeaderField: "User-Agent")
        if let secret = options.secret {
            request.setValue(String(timestamp), forHTTPHeaderField: WebhookSignature.timestampHeader)
            request.setValue(
                try WebhookSignature.signature(body: body, timestamp: timestamp, secret: secret),
                forHTTPHeaderField: WebhookSignature.signatureHeader)
        }
        request.httpBody = Data(body)
        return request
    }

    /// The body for `notification` in the configured format: compact JSON, keys sorted, `/` not escaped.
    static func body(for notification: ZCCore.Notification, options: WebhookNotifierOptions) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch options.format {
        case .json:
            return Array(try encoder.encode(JSONPayload(notification)))
        case .alertmanager:
            return Array(try encoder.encode(AlertmanagerPayload(notification, externalURL: options.externalURL)))
        }
    }
}
