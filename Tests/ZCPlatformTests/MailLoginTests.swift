import Foundation
import TestSupport
import Testing
import ZCHTTP

/// Login codes reach people, not logs: `zcplatform serve` with `[notifiers.mail]` mails the code over
/// STARTTLS with AUTH to a real SMTP server (aiosmtpd), the code signs in, and neither the code nor the
/// SMTP password appears in anything the platform wrote.
@Suite("Login codes by mail")
struct MailLoginTests {
    static let password = "smtp-Pa55word-7c1e"

    @Test("serve mails a login code over STARTTLS + AUTH; the code signs in and is in no log line")
    func codeByMail() async throws {
        try await SMTPTestServer.with(.init(.starttls, credentials: ("mailer@example.com", Self.password))) { smtp in
            let directory = try TemporaryDirectory("zc-mail-login")
            defer { directory.remove() }
            let cli = CommandRunner(directory: directory.path)
            let environment = [
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DRIVER": "process",
                "ZCPLATFORM_NOTIFIERS_MAIL_ENABLED": "true", "ZCPLATFORM_NOTIFIERS_MAIL_HOST": "localhost",
                "ZCPLATFORM_NOTIFIERS_MAIL_PORT": String(smtp.port), "ZCPLATFORM_NOTIFIERS_MAIL_TLS": "starttls",
                "ZCPLATFORM_NOTIFIERS_MAIL_USERNAME": "mailer@example.com",
                "ZCPLATFORM_NOTIFIERS_MAIL_PASSWORD": Self.password,
                "ZCPLATFORM_NOTIFIERS_MAIL_FROM": "zcplatform <noreply@example.com>",
                "ZCPLATFORM_NOTIFIERS_MAIL_CA_FILE": smtp.certificate,
            ]
            let bootstrap = try await cli.run(
                ["bootstrap", "--admin-email", "ops@example.com"], environment: environment)
            #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
            let check = try await cli.run(["config", "check"], environment: environment)
            #expect(check.status == 0, "\(check.stderr)")
            #expect(!check.stdout.contains(Self.password), "config check redacts the SMTP password")

            let server = try cli.start(["serve"], environment: environment)
            let port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
            let client = try HTTPClient()
            let endpoint = HTTPEndpoint.tcp(host: "127.0.0.1", port: port)
            let requested = try await client.execute(
                .post, endpoint, "/api/auth/otp/request", headers: ["Content-Type": "application/json"],
                body: Array(#"{"email":"ops@example.com"}"#.utf8))
            #expect(requested.status == .accepted)

            var mail: SMTPTestServer.Received?
            for _ in 0..<300 where mail == nil {
                try await Task.sleep(for: .milliseconds(50))
                mail = try smtp.received().first
            }
            let received = try #require(mail, "no mail arrived: \(server.stderrSoFar.suffix(2000))")
            #expect(received.rcptTos == ["ops@example.com"])
            #expect(received.encrypted, "sent after STARTTLS")
            #expect(received.authMechanism != nil, "sent after AUTH")
            #expect(received.headers["subject"] == "Your zcplatform login code")
            let code = try #require(
                received.body.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }.map(String.init),
                "\(received.body)")

            let verified = try await client.execute(
                .post, endpoint, "/api/auth/otp/verify", headers: ["Content-Type": "application/json"],
                body: Array(#"{"email":"ops@example.com","code":"\#(code)"}"#.utf8))
            #expect(verified.status == .ok, "\(String(decoding: verified.body, as: UTF8.self))")
            await client.shutdown()

            server.signal(SIGTERM)
            let result = await server.finished(timeout: 20)
            #expect(result.status == 0)
            #expect(result.stderr.contains("event=mail.delivered"))
            #expect(!result.stderr.contains(code), "the code is in no log line")
            #expect(!result.stderr.contains(Self.password), "nor the SMTP password")
            #expect(!result.stderr.contains("auth.codes_undeliverable"))
        }
    }

    @Test("without mail or the development setting, codes go nowhere and the log says so once, without the code")
    func codesNowhere() async throws {
        let directory = try TemporaryDirectory("zc-mail-login")
        defer { directory.remove() }
        let cli = CommandRunner(directory: directory.path)
        let environment = ["ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DRIVER": "process"]
        #expect(
            try await cli.run(["bootstrap", "--admin-email", "ops@example.com"], environment: environment).status == 0)
        let server = try cli.start(["serve"], environment: environment)
        let port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
        let client = try HTTPClient()
        let requested = try await client.execute(
            .post, .tcp(host: "127.0.0.1", port: port), "/api/auth/otp/request",
            headers: ["Content-Type": "application/json"], body: Array(#"{"email":"ops@example.com"}"#.utf8))
        #expect(requested.status == .accepted)
        await client.shutdown()
        try await Task.sleep(for: .milliseconds(300))
        server.signal(SIGTERM)
        let result = await server.finished(timeout: 20)
        #expect(result.stderr.contains("event=auth.codes_undeliverable"))
        #expect(!result.stderr.contains("login code is"), "no code printed or logged")
        #expect(!result.stderr.contains("development (auth.print_login_codes)"))
    }
}
