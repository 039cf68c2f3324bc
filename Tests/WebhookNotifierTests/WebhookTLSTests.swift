import Foundation
import TestSupport
import Testing
import WebhookNotifier
import ZCCore

/// HTTPS through FoundationNetworking against a real TLS server (`openssl s_server` with a certificate
/// made for the test): the handshake happens, and a certificate the system does not trust is refused at
/// once, never retried, and never answered with the body.
@Suite("Webhook over HTTPS")
struct WebhookTLSTests {
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        try ChildProcess.run([openssl ?? "/usr/bin/openssl"] + arguments).status
    }

    static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("a receiver whose certificate is not trusted is refused after one attempt, the cause named")
    func untrustedCertificate() async throws {
        guard Self.openssl != nil else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("the openssl command is needed in CI for the HTTPS test")
            } else {
                print("skipping the HTTPS webhook test: no openssl command")
            }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zc-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem").path
        let made = try await Blocking.run {
            try Self.run([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        }
        #expect(made == 0)
        let port = try Self.freePort()
        let server = try ChildProcess(
            [
                Self.openssl ?? "/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate,
                "-key", key, "-www",
            ], environment: ProcessInfo.processInfo.environment, stdin: true,
            stderrFile: "/dev/null")
        defer {
            // openssl s_server does not always end on SIGTERM; a killed process is reaped at once.
            server.kill()
        }
        // Wait until it listens.
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let probe = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(probe)
            if connected { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let sleeps = SleepRecorder()
        let url = try #require(URL(string: "https://127.0.0.1:\(port)/hook"))
        let error = await #expect(throws: WebhookError.self) {
            try await Fixtures.notifier(url, secret: "s3cret-value", maxAttempts: 4, sleeps: sleeps).send(
                Fixtures.firing)
        }
        #expect(error?.attempts == 1, "a refused certificate is not retried: \(String(describing: error))")
        #expect(error?.exhausted == false)
        #expect(error?.description.contains("TLS certificate refused") == true, "\(String(describing: error))")
        #expect(error?.description.contains("self-signed") == true, "curl's reason: \(String(describing: error))")
        #expect(error?.description.contains("s3cret-value") == false)
        #expect(sleeps.recorded.isEmpty)
    }
}
