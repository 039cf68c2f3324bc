import Foundation
import TestSupport
import Testing

/// The web console in a real browser: `Tests/Browser/console_test.py` drives Debian's Chromium with
/// Playwright against a `zcplatform serve` started here (process runtime, login codes mailed to a real
/// SMTP server). Screenshots of every page are kept in `$ZC_TEST_ARTIFACTS/console` (else a directory
/// under /tmp, printed), never in the repository.
@Suite("Web console in Chromium")
struct ConsoleBrowserTests {
    static let chromium = ProcessInfo.processInfo.environment["ZC_TEST_CHROMIUM"] ?? "/usr/bin/chromium"

    /// Whether Chromium and Playwright for Python are here; in CI they must be.
    static func available() async -> Bool {
        let playwright =
            (try? await ChildProcess.output(["/usr/bin/env", "python3", "-c", "import playwright.sync_api"]).status)
            == 0
        let browser = FileManager.default.isExecutableFile(atPath: chromium)
        guard playwright && browser else {
            let missing = [playwright ? nil : "Playwright for Python", browser ? nil : chromium].compactMap { $0 }
            let message =
                "the browser tests need \(missing.joined(separator: " and ")) (apt-get install chromium; "
                + "python3 -m pip install playwright; never `playwright install`)"
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record(Comment(rawValue: message))
            } else {
                print("skipping the console's browser tests: \(message)")
            }
            return false
        }
        return true
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/console_test.py").path
    }

    static var screenshots: String {
        if let artifacts = ProcessInfo.processInfo.environment["ZC_TEST_ARTIFACTS"] { return "\(artifacts)/console" }
        return NSTemporaryDirectory() + "zcplatform-console-screenshots"
    }

    @Test(
        "code login by mail, deploy to running, chart points, live logs, viewer refused, audit filter, fleet sort, no console errors"
    )
    func console() async throws {
        guard await Self.available() else { return }
        try await SMTPTestServer.with(.init(.plain)) { smtp in
            let directory = try TemporaryDirectory("zc-console")
            defer { directory.remove() }
            let cli = CommandRunner(directory: directory.path)
            let environment = [
                // The process runtime stands in for Docker; as root its exec needs saying so.
                "ZCPLATFORM_SERVER_PORT": "0", "ZCPLATFORM_RUNTIME_DRIVER": "process",
                "ZCPLATFORM_RUNTIME_PROCESS_EXEC": "true",
                "ZCPLATFORM_RUNTIME_PORT_RANGE_START": "30300", "ZCPLATFORM_RUNTIME_PORT_RANGE_END": "30349",
                "ZCPLATFORM_NOTIFIERS_MAIL_ENABLED": "true", "ZCPLATFORM_NOTIFIERS_MAIL_HOST": "127.0.0.1",
                "ZCPLATFORM_NOTIFIERS_MAIL_PORT": String(smtp.port), "ZCPLATFORM_NOTIFIERS_MAIL_TLS": "none",
                "ZCPLATFORM_NOTIFIERS_MAIL_FROM": "zcplatform <noreply@example.com>",
                "ZCPLATFORM_COLLECTORS_RESOURCE_INTERVAL_SECONDS": "1",
                "ZCPLATFORM_COLLECTORS_USAGE_INTERVAL_SECONDS": "1",
                "ZCPLATFORM_COLLECTORS_HEALTH_INTERVAL_SECONDS": "1",
                // A tenant deploying an agent whose /health is slow stays `deploying` while every role looks.
                "ZCPLATFORM_RUNTIME_HEALTH_TIMEOUT_SECONDS": "300",
            ]
            let bootstrap = try await cli.run(
                detached: ["bootstrap", "--admin-email", "ops@example.com"], environment: environment)
            #expect(bootstrap.status == 0, "\(bootstrap.stderr)")
            let token = try #require(bootstrap.stdoutLines.last)
            let server = try cli.start(["serve"], environment: environment)
            let port = try #require(try await server.listeningPort(), "\(server.stderrSoFar)")
            let result = try await ChildProcess.output([
                "/usr/bin/env", "python3", Self.script, "--base", "http://127.0.0.1:\(port)", "--token", token,
                "--mailbox", smtp.output, "--shots", Self.screenshots,
            ])
            print(result.stdoutText + "screenshots: \(Self.screenshots)")
            #expect(
                result.status == 0,
                "\(result.stdoutText)\n\(result.stderrText.suffix(6000))\nserver: \(server.stderrSoFar.suffix(20000))")
            server.signal(SIGTERM)
            let finished = await server.finished(timeout: 30)
            #expect(finished.status == 0)
            #expect(!finished.stderr.contains(token), "the token is in no log line")
        }
    }
}
