import Foundation
import Testing
import WebhookNotifier
import ZCCore
import ZCCrypto

/// Signing, retrying and giving up, against a real receiver.
@Suite("Webhook delivery")
struct WebhookDeliveryTests {
    @Test("with a secret: the signature is HMAC-SHA256 of \"<timestamp>.<body>\" and verifies independently")
    func signed() async throws {
        let receiver = RecordingReceiver()
        let secret = "whsec-7f3a9c"
        let before = Timestamp.now().seconds
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url, secret: secret).send(Fixtures.firing)
        }
        let after = Timestamp.now().seconds
        let request = try #require(receiver.requests.first)
        let timestampText = try #require(request.headers["X-ZCPlatform-Timestamp"])
        let timestamp = try #require(Int64(timestampText))
        #expect(timestamp >= before && timestamp <= after)
        let header = try #require(request.headers["X-ZCPlatform-Signature"])
        #expect(header.hasPrefix("sha256="))
        let hex = String(header.dropFirst("sha256=".count))
        #expect(hex.count == 64 && hex == hex.lowercased())

        let expected = try HMACSHA256.authenticationCode(
            for: Array("\(timestampText).".utf8) + request.body, key: Array(secret.utf8))
        #expect(hex == expected.hexString)
        let otherKey = try HMACSHA256.authenticationCode(
            for: Array("\(timestampText).".utf8) + request.body, key: Array("whsec-other".utf8))
        #expect(hex != otherKey.hexString)
        let bodyAlone = try HMACSHA256.authenticationCode(for: request.body, key: Array(secret.utf8))
        #expect(hex != bodyAlone.hexString, "the timestamp is part of what is signed")
    }

    @Test("without a secret: no signature and no timestamp")
    func unsigned() async throws {
        let receiver = RecordingReceiver()
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url).send(Fixtures.firing)
        }
        let request = try #require(receiver.requests.first)
        #expect(!request.headers.contains("X-ZCPlatform-Signature"))
        #expect(!request.headers.contains("X-ZCPlatform-Timestamp"))
    }

    @Test("500 then 503 then 200: three attempts, the same body each time, waits of 1 s then 2 s")
    func retriesServerErrors() async throws {
        let receiver = RecordingReceiver([.status(500), .status(503), .status(200)])
        let sleeps = SleepRecorder()
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url, secret: "s", sleeps: sleeps).send(Fixtures.firing)
        }
        #expect(receiver.requests.count == 3)
        #expect(Set(receiver.requests.map(\.body)).count == 1)
        #expect(sleeps.recorded == [.seconds(1), .seconds(2)])
    }

    @Test("429 with Retry-After: the receiver's wait is honoured, capped at 60 s; without one, the backoff")
    func retryAfter() async throws {
        let receiver = RecordingReceiver([
            .status(429, ["Retry-After": "7"]), .status(429, ["Retry-After": "3600"]), .status(503), .status(204),
        ])
        let sleeps = SleepRecorder()
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url, sleeps: sleeps).send(Fixtures.firing)
        }
        #expect(receiver.requests.count == 4)
        #expect(sleeps.recorded == [.seconds(7), .seconds(60), .seconds(4)])
    }

    @Test("a 4xx other than 429 is not retried: one attempt, an error naming the status", arguments: [400, 404, 401])
    func noRetryOnClientErrors(_ status: Int) async throws {
        let receiver = RecordingReceiver([.status(status), .status(200)])
        let sleeps = SleepRecorder()
        try await withReceiver(receiver) { url in
            let error = await #expect(throws: WebhookError.self) {
                try await Fixtures.notifier(url, sleeps: sleeps).send(Fixtures.firing)
            }
            #expect(error?.lastFailure == .status(status))
            #expect(error?.attempts == 1)
            #expect(error?.exhausted == false)
            #expect(error?.description.contains("HTTP \(status)") == true)
        }
        #expect(receiver.requests.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("a redirect is not followed: the 3xx is the answer, not retried")
    func noRedirects() async throws {
        let receiver = RecordingReceiver([.status(302, ["Location": "/elsewhere"]), .status(200)])
        try await withReceiver(receiver) { url in
            let error = await #expect(throws: WebhookError.self) {
                try await Fixtures.notifier(url).send(Fixtures.firing)
            }
            #expect(error?.lastFailure == .status(302))
        }
        #expect(receiver.requests.map(\.target) == ["/"])
    }

    @Test("always 503: gives up after maxAttempts, waits doubling to the 60 s cap; the error shows the host only")
    func givesUp() async throws {
        let receiver = RecordingReceiver([.status(503)])
        let sleeps = SleepRecorder()
        let secret = "whsec-do-not-print"
        var host = ""
        try await withReceiver(receiver) { base in
            host = "127.0.0.1:\(base.port ?? 0)"
            let url = try #require(URL(string: "/hooks/T0KEN-PATH?token=q-s3cr3t", relativeTo: base)?.absoluteURL)
            let error = await #expect(throws: WebhookError.self) {
                try await Fixtures.notifier(url, secret: secret, maxAttempts: 8, sleeps: sleeps).send(Fixtures.firing)
            }
            let unwrapped = try #require(error)
            #expect(unwrapped == WebhookError(host: host, attempts: 8, lastFailure: .status(503), exhausted: true))
            let text = unwrapped.description
            #expect(text.contains(host))
            #expect(text.contains("8 attempts"))
            #expect(text.contains("HTTP 503"))
            #expect(!text.contains(secret))
            #expect(!text.contains("s3cr3t") && !text.contains("T0KEN") && !text.contains("token"))
            #expect(!"\(unwrapped)".contains(secret))
        }
        #expect(receiver.requests.count == 8)
        #expect(
            sleeps.recorded == [
                .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60),
            ])
    }

    @Test("connection refused: retried, then fails naming the host and the refusal")
    func connectionRefused() async throws {
        let port = try await closedPort()
        let sleeps = SleepRecorder()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/hook?key=abc"))
        let error = await #expect(throws: WebhookError.self) {
            try await Fixtures.notifier(url, maxAttempts: 3, sleeps: sleeps).send(Fixtures.firing)
        }
        #expect(error?.lastFailure == .connection("connection refused"))
        #expect(error?.attempts == 3)
        #expect(error?.exhausted == true)
        #expect(error?.description.contains("127.0.0.1:\(port)") == true)
        #expect(error?.description.contains("key=abc") == false)
        #expect(sleeps.recorded == [.seconds(1), .seconds(2)])
    }

    @Test("a receiver that never answers: each attempt times out, then the notifier gives up")
    func timeout() async throws {
        let receiver = RecordingReceiver([.hang])
        let sleeps = SleepRecorder()
        let clock = ContinuousClock()
        let started = clock.now
        try await withReceiver(receiver) { url in
            let error = await #expect(throws: WebhookError.self) {
                try await Fixtures.notifier(url, maxAttempts: 2, timeout: .milliseconds(400), sleeps: sleeps)
                    .send(Fixtures.firing)
            }
            #expect(error?.lastFailure == .timedOut)
            #expect(error?.attempts == 2)
            #expect(error?.description.contains("timed out") == true)
            let elapsed = clock.now - started
            #expect(elapsed >= .milliseconds(800), "each attempt waited its 400 ms")
        }
        #expect(receiver.requests.count == 2)
        #expect(sleeps.recorded == [.seconds(1)])
    }

    @Test("cancelling the sending task stops a request in flight with CancellationError, not a WebhookError")
    func cancellation() async throws {
        let receiver = RecordingReceiver([.hang])
        let sleeps = SleepRecorder()
        let clock = ContinuousClock()
        try await withReceiver(receiver) { url in
            // Only cancellation can end the attempt before its 10 s timeout; the bound below leaves room for
            // a loaded machine (FoundationNetworking cancels on its own threads).
            let notifier = Fixtures.notifier(url, sleeps: sleeps)
            let sending = Task { try await notifier.send(Fixtures.firing) }
            while receiver.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            let cancelled = clock.now
            sending.cancel()
            await #expect(throws: CancellationError.self) { try await sending.value }
            #expect(clock.now - cancelled < .seconds(7), "well before the 10 s timeout")
        }
        #expect(receiver.requests.count == 1)
        #expect(sleeps.recorded.isEmpty)
    }

    @Test("the options' description shows neither the secret nor the URL's path and query")
    func optionsDescription() throws {
        let url = try #require(URL(string: "https://hooks.example.com/services/T0KEN?sig=abc"))
        let options = WebhookNotifierOptions(url: url, secret: "whsec-hidden", format: .alertmanager)
        let text = "\(options)"
        #expect(text.contains("hooks.example.com"))
        #expect(!text.contains("whsec-hidden") && !text.contains("T0KEN") && !text.contains("sig=abc"))
    }

    @Test("login codes are never sent, with or without a secret")
    func loginCodesStayHome() async throws {
        let receiver = RecordingReceiver()
        try await withReceiver(receiver) { url in
            try await Fixtures.notifier(url).send(Fixtures.loginCode)
            try await Fixtures.notifier(url, secret: "s", format: .alertmanager).send(Fixtures.loginCode)
            try await Fixtures.notifier(url).send(Fixtures.firing)
        }
        #expect(receiver.requests.count == 1, "only the alert")
        #expect(receiver.requests.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains("493817") })
    }

    @Test("a URL that is not http or https is refused without sending")
    func unsupportedScheme() async throws {
        let url = try #require(URL(string: "ftp://files.example.com/hook"))
        let error = await #expect(throws: WebhookError.self) {
            try await Fixtures.notifier(url).send(Fixtures.firing)
        }
        #expect(error?.attempts == 0)
        #expect(error?.description.contains("files.example.com") == true)
    }
}
