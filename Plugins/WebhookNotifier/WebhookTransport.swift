import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One notifier's URLSession: ephemeral (no cookies, no cache, no stored credentials), redirects refused.
/// It is invalidated when the last notifier that holds it goes.
final class WebhookTransport: Sendable {
    /// What one attempt came to, as far as retrying cares.
    enum Outcome: Sendable, Equatable {
        case delivered(status: Int)
        /// `retryAfter` is the receiver's numeric `Retry-After`, when it sent one.
        case failed(WebhookError.Failure, retryable: Bool, retryAfter: Duration?)
    }

    let session: URLSession
    let timeout: Duration

    init(timeout: Duration) {
        self.timeout = timeout
        let configuration = URLSessionConfiguration.ephemeral
        // FoundationNetworking on Linux ignores `URLRequest.timeoutInterval` and truncates the session's to whole
        // seconds (0.4 s becomes an immediate time-out), so the session gets the timeout rounded up, at least
        // 1 s, as a backstop; `send` enforces the exact one.
        let wholeSeconds = max(1, timeout.timeInterval.rounded(.up))
        configuration.timeoutIntervalForRequest = wholeSeconds
        configuration.timeoutIntervalForResource = wholeSeconds
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: RedirectRefuser(), delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends `request` and classifies the answer: 2xx is delivered; 429 and 5xx are retried, and so are
    /// time-outs and connection failures; any other status, and a refused certificate, are not. The whole
    /// answer must arrive within `timeout` of the start, or the request is cancelled and has timed out.
    func send(_ request: URLRequest) async throws(CancellationError) -> Outcome {
        let timeout = self.timeout
        do {
            return try await withThrowingTaskGroup(of: Outcome?.self) { group in
                group.addTask { try await self.exchange(request) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next().flatMap { $0 } ?? .failed(.timedOut, retryable: true, retryAfter: nil)
            }
        } catch {
            throw CancellationError()
        }
    }

    /// One request and response through the session, without a deadline of its own.
    private func exchange(_ request: URLRequest) async throws(CancellationError) -> Outcome {
        let response: URLResponse
        do {
            (_, response) = try await session.data(for: request)
        } catch let error as URLError {
            if error.code == .cancelled || Task.isCancelled { throw CancellationError() }
            return Self.classify(error)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            // Only the type is shown: an error's text may quote the URL.
            return .failed(.connection("transport error \(type(of: error))"), retryable: true, retryAfter: nil)
        }
        guard let http = response as? HTTPURLResponse else {
            return .failed(.connection("not an HTTP response"), retryable: true, retryAfter: nil)
        }
        let status = http.statusCode
        if (200..<300).contains(status) { return .delivered(status: status) }
        let retryable = status == 429 || (500..<600).contains(status)
        let retryAfter = http.value(forHTTPHeaderField: "Retry-After").flatMap(Self.retryAfter)
        return .failed(.status(status), retryable: retryable, retryAfter: retryable ? retryAfter : nil)
    }

    /// A `Retry-After` of delay-seconds; the HTTP-date form is ignored (the backoff applies instead).
    static func retryAfter(_ value: String) -> Duration? {
        guard let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    /// Words for a URLError: its own text quotes the full URL, query included, so it is never used.
    static func classify(_ error: URLError) -> Outcome {
        func connection(_ reason: String, retryable: Bool = true) -> Outcome {
            .failed(.connection(reason), retryable: retryable, retryAfter: nil)
        }
        switch error.code {
        case .timedOut: return .failed(.timedOut, retryable: true, retryAfter: nil)
        case .cannotConnectToHost: return connection("connection refused")
        case .cannotFindHost, .dnsLookupFailed: return connection("host name not resolved")
        case .networkConnectionLost: return connection("connection lost")
        case .notConnectedToInternet: return connection("network unreachable")
        case .badServerResponse: return connection("malformed response")
        case .secureConnectionFailed: return connection("TLS handshake failed")
        case .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired:
            return connection("TLS certificate refused", retryable: false)
        case .badURL, .unsupportedURL: return connection("unsupported URL", retryable: false)
        default: return connection("network error \(error.code.rawValue)")
        }
    }
}

/// Refuses every redirect: following one would turn the POST into a GET that drops the body (and would
/// send the signed request somewhere not configured). The 3xx is returned as the answer instead.
private final class RedirectRefuser: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

extension Duration {
    /// In seconds, as Foundation's time intervals count.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
