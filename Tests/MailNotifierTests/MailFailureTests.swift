import Foundation
import TestSupport
import Testing
import ZCCore

@testable import MailNotifier

/// Failures that need no SMTP server: a server that never answers, nothing listening, cancellation, and
/// everything refused before a connection is made.
@Suite("Mail failures")
struct MailFailureTests {
    @Test("a server that accepts and never answers times out, and the attempt is retried")
    func silentServerTimesOut() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let subject = try NotifierUnderTest(
            Fixtures.options(port: listener.port, credentials: false, maxAttempts: 2, timeout: .milliseconds(500)))
        let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
        #expect(error == .timedOut(server: "localhost:\(listener.port)", after: .milliseconds(500)))
        #expect(error?.description == "localhost:\(listener.port): no answer within 500 ms")
        #expect(subject.sleeps.recorded == [.seconds(1)])
        #expect(subject.attempts("mail.failed") == "2")
    }

    @Test("nothing listening is transient: every attempt is made, the wait doubling")
    func connectionRefusedIsRetried() async throws {
        let port = FreePort.next()
        let subject = try NotifierUnderTest(Fixtures.options(port: port, host: "127.0.0.1", credentials: false))
        let error = await #expect(throws: MailError.self) { try await subject.notifier.send(Fixtures.loginCode) }
        guard case .unreachable(let server, let reason) = error else {
            Issue.record("expected unreachable, got \(error?.description ?? "no error")")
            return
        }
        #expect(server == "127.0.0.1:\(port)")
        #expect(reason.lowercased().contains("refused"), "\(reason)")
        #expect(subject.sleeps.recorded == [.seconds(1), .seconds(2)])
        #expect(subject.events == ["mail.retry", "mail.retry", "mail.failed"])
        #expect(subject.attempts("mail.failed") == "3")
    }

    @Test("cancelling the task ends an attempt that is waiting for the server")
    func cancellation() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let subject = try NotifierUnderTest(
            Fixtures.options(port: listener.port, credentials: false, timeout: .seconds(60)))
        let notifier = subject.notifier
        let task = Task { try await notifier.send(Fixtures.loginCode) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test("a login code without a recipient is refused")
    func loginCodeWithoutRecipient() async throws {
        let subject = try NotifierUnderTest(Fixtures.options(port: FreePort.next(), credentials: false))
        let error = await #expect(throws: MailError.self) {
            try await subject.notifier.send(Fixtures.loginCode(to: nil))
        }
        #expect(error == .invalidMessage("a login code without a recipient"))
    }

    @Test("alerts without alert recipients are not mailed, and no connection is attempted")
    func alertsWithoutRecipients() async throws {
        let subject = try NotifierUnderTest(Fixtures.options(port: FreePort.next(), credentials: false))
        try await subject.notifier.send(Fixtures.firing)
        try await subject.notifier.send(Fixtures.resolved)
        #expect(subject.log.records.isEmpty)
    }

    @Test(
        "a recipient or subject carrying a line break is refused before connecting",
        arguments: [
            Fixtures.loginCode(to: "ada@example.com\r\nBcc: eve@example.com"),
            Fixtures.loginCode(to: "ada@example.com>\r\nRCPT TO:<eve@example.com"),
            Fixtures.loginCode(to: "ada@example.com\nDATA"),
            Fixtures.loginCode(to: "ada@exa mple.com"),
            Fixtures.loginCode(to: "<ada@example.com> eve@example.com"),
        ])
    func recipientInjection(_ notification: ZCCore.Notification) async throws {
        // Nothing listens on the port: a connection attempt would fail as unreachable instead.
        let subject = try NotifierUnderTest(Fixtures.options(port: FreePort.next(), credentials: false))
        let error = await #expect(throws: MailError.self) { try await subject.notifier.send(notification) }
        guard case .invalidMessage(let reason) = error else {
            Issue.record("expected an invalid message, got \(error?.description ?? "no error")")
            return
        }
        #expect(!reason.contains("\r") && !reason.contains("\n"), "the error text stays on one line: \(reason)")
    }

    @Test("a subject carrying a line break is refused before connecting")
    func subjectInjection() async throws {
        let subject = try NotifierUnderTest(
            Fixtures.options(port: FreePort.next(), credentials: false, alertRecipients: ["ops@example.com"]))
        var alert = Fixtures.firing
        alert.title = "Disk full\r\nBcc: eve@example.com"
        let error = await #expect(throws: MailError.self) { try await subject.notifier.send(alert) }
        #expect(error == .invalidMessage("the subject holds a line break or a NUL"))
    }
}

/// A TCP socket on 127.0.0.1 that accepts connections (the kernel completes them) and never says a word.
final class SilentListener: Sendable {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            _ = Glibc.close(fd)
            throw TestServerError("cannot listen on 127.0.0.1")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() {
        _ = Glibc.close(fd)
    }
}
