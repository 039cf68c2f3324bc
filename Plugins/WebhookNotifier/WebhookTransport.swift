import Foundation
import Synchronization
import ZCCore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A notifier's URLSession: ephemeral (no cookies, no cache, no stored credentials), redirects refused.
///
/// Sessions are shared per timeout and live as long as the process: on Linux, tearing a URLSession down
/// races the DispatchSources FoundationNetworking keeps on libcurl's sockets (swift-corelibs-foundation
/// #4791 and its follow-ups), a crash this project's CI met in `_dispatch_event_loop_drain` while tests
/// made and dropped many notifiers. A long-lived session is never torn down.
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
        let wholeSeconds = Int(max(1, timeout.timeInterval.rounded(.up)))
        session = Self.sessions.withLock { sessions in
            if let session = sessions[wholeSeconds] { return session }
            let session = Self.makeSession(timeoutSeconds: wholeSeconds)
            sessions[wholeSeconds] = session
            return session
        }
    }

    private static let sessions = Mutex<[Int: URLSession]>([:])

    private static func makeSession(timeoutSeconds: Int) -> URLSession {
        // OpenSSL under libcurl writes to sockets without MSG_NOSIGNAL, and FoundationNetworking sets
        // CURLOPT_NOSIGNAL, so libcurl does not guard its writes either: a receiver that closes a TLS
        // connection at the wrong moment would end the whole process with SIGPIPE. (The CLI ignores it too.)
        signal(SIGPIPE, SIG_IGN)
        let configuration = URLSessionConfiguration.ephemeral
        // FoundationNetworking on Linux ignores `URLRequest.timeoutInterval` and truncates the session's to whole
        // seconds (0.4 s becomes an immediate time-out), so the session gets the timeout rounded up, at least
        // 1 s, as a backstop; `send` enforces the exact one.
        configuration.timeoutIntervalForRequest = TimeInterval(timeoutSeconds)
        configuration.timeoutIntervalForResource = TimeInterval(timeoutSeconds)
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration, delegate: RedirectRefuser(), delegateQueue: nil)
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
            response = try await perform(request)
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

    /// The request through a data task. Not `URLSession.data(for:)`: on Linux its cancellation deadlocks
    /// (the cancel handler runs holding the awaiting task's status lock and waits on the session's queue,
    /// where the completion waits for that lock to resume the task; a CI run hung there). Here a cancel
    /// is handed to a thread of its own, so the handler returns at once and the completion can resume.
    private func perform(_ request: URLRequest) async throws -> URLResponse {
        let pending = PendingTask()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let task = session.dataTask(with: request) { _, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else if let response {
                        continuation.resume(returning: response)
                    } else {
                        continuation.resume(throwing: URLError(.badServerResponse))
                    }
                }
                let cancelled = pending.start(task)
                task.resume()
                if cancelled { DedicatedThread.start("zcplatform-webhook-cancel") { pending.cancelTask() } }
            }
        } onCancel: {
            if pending.cancel() {
                DedicatedThread.start("zcplatform-webhook-cancel") { pending.cancelTask() }
            }
        }
    }

    /// A `Retry-After` of delay-seconds; the HTTP-date form is ignored (the backoff applies instead).
    static func retryAfter(_ value: String) -> Duration? {
        guard let seconds = Int64(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }

    /// Words for a URLError: its own text quotes the full URL, query included, so it is never used.
    /// curl's reason after its prefix, cut short, with anything that looks like a URL dropped.
    static func curlReason(_ text: String) -> String {
        let reason = text.split(separator: ":", maxSplits: 1).last.map(String.init) ?? text
        let words = reason.split(separator: " ").filter { !$0.contains("://") && !$0.contains("?") }
        return String(words.joined(separator: " ").prefix(120))
    }

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
        case .unknown:
            // FoundationNetworking on Linux reports libcurl's TLS failures as -1, with curl's own message
            // ("SSL certificate problem: self-signed certificate"), which names no URL.
            let text = error.userInfo[NSLocalizedDescriptionKey] as? String ?? ""
            if text.hasPrefix("SSL certificate problem") || text.contains("certificate verify")
                || text.contains("SSL: no alternative certificate subject name")
            {
                return connection("TLS certificate refused (\(Self.curlReason(text)))", retryable: false)
            }
            if text.hasPrefix("SSL") || text.contains("TLS") { return connection("TLS handshake failed") }
            return connection("network error \(error.code.rawValue)")
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

/// The data task of one exchange, and whether its awaiting task was cancelled before it started.
private final class PendingTask: @unchecked Sendable {
    // URLSessionDataTask is not Sendable; it is only handed to `cancel()`, which is thread-safe.
    private let state = Mutex<(task: URLSessionDataTask?, cancelled: Bool)>((nil, false))

    /// Records the started task; true when a cancel came first (the caller cancels it).
    func start(_ task: URLSessionDataTask) -> Bool {
        state.withLock { state in
            state.task = task
            return state.cancelled
        }
    }

    /// Records the cancel; true when the task has started (the caller then has it cancelled).
    func cancel() -> Bool {
        state.withLock { state in
            state.cancelled = true
            return state.task != nil
        }
    }

    /// Cancels the started task; waits on the session's queue, so never call it from a cancel handler.
    func cancelTask() {
        state.withLock { $0.task }?.cancel()
    }
}
