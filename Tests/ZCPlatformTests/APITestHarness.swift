import Foundation
import Synchronization
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// Keeps every notification, so tests can read the login codes the platform sends.
final class CapturingNotifier: Notifier {
    let name = "capture"
    private let sent = Mutex<[ZCCore.Notification]>([])

    func send(_ notification: ZCCore.Notification) async throws {
        sent.withLock { $0.append(notification) }
    }

    var all: [ZCCore.Notification] { sent.withLock { $0 } }

    /// The six digits of the newest code sent to `email`.
    func code(for email: String) -> String? {
        all.last { $0.kind == .loginCode && $0.recipient == email }
            .flatMap { $0.body.split(separator: " ").first { $0.count == 7 && $0.hasSuffix(".") } }
            .map { String($0.dropLast()) }
    }
}

/// An opened platform (not serving) whose API is called through its router, without sockets.
struct APIHarness {
    /// Platforms open at once across the test process (the access matrix opens hundreds).
    static let limiter = AsyncLimiter(capacity: 48)

    let platform: Platform
    let notifier: CapturingNotifier
    let directory: TemporaryDirectory
    /// Set once closed, so a second `close()` gives nothing back twice.
    let closed = ClosedFlag()

    static func open(
        _ environment: [String: String] = [:], logs: InMemoryLogHandler? = nil,
        directory reused: TemporaryDirectory? = nil, registry: PluginRegistry = .standard
    ) async throws -> APIHarness {
        await limiter.acquire()
        let directory: TemporaryDirectory
        do {
            directory = try reused ?? TemporaryDirectory("zc-api")
        } catch {
            await limiter.release()
            throw error
        }
        var variables = [
            "ZCPLATFORM_STORE_PATH": directory.file("zcplatform.db"), "ZCPLATFORM_SERVER_PORT": "0",
            "ZCPLATFORM_VAULT_KEY_PATH": directory.file("vault.key"),
            "ZCPLATFORM_RUNTIME_DATA_DIR": directory.file("tenants"),
            // Hundreds of platforms open at once in the access matrix: few descriptors each.
            "ZCPLATFORM_STORE_READERS": "1",
            "ZCPLATFORM_RUNTIME_AGENT_COMMAND": AgentSimulator.executable,
            // Placement refuses a deploy past the node's memory; the default is the host's RAM, which
            // differs between machines. Tests of placement set their own.
            "ZCPLATFORM_CLUSTER_MEMORY_CAPACITY": "1024GiB",
        ]
        for (key, value) in environment { variables[key] = value }
        do {
            let configuration = try ConfigurationLoader.load(
                explicitPath: nil, environment: variables, context: ConfigurationTests.noDocker,
                workingDirectory: directory.path)
            let notifier = CapturingNotifier()
            let logger = logs.map { Logger(label: "test", minimumLevel: .trace, handler: $0) } ?? .disabled
            let platform = try await Platform.open(
                configuration, registry: registry, logger: logger, notifier: notifier)
            return APIHarness(platform: platform, notifier: notifier, directory: directory)
        } catch {
            await limiter.release()
            throw error
        }
    }

    func close(removingDirectory: Bool = true) async {
        guard closed.close() else { return }
        await platform.close()
        if removingDirectory { directory.remove() }
        await Self.limiter.release()
    }

    var store: any Store { platform.store }

    /// Calls the API; `token` goes in `Authorization: Bearer`.
    func call(
        _ method: HTTPMethod, _ target: String, token: String? = nil, json: String? = nil,
        headers extra: HTTPHeaders = [:], from address: String = "203.0.113.7"
    ) async -> APIResponse {
        var headers = extra
        if let token { headers.add("Authorization", "Bearer \(token)") }
        if json != nil { headers.add("Content-Type", "application/json") }
        let response = await platform.api.responder.test(
            method, target, headers: headers, body: Array((json ?? "").utf8), remoteAddress: address)
        return APIResponse(response)
    }

    /// Creates a user directly in the store.
    @discardableResult
    func user(_ email: String, admin: Bool = false) async throws -> User {
        try await store.withTransaction {
            try await $0.insertUser(try NewUser(email: email, isSuperAdmin: admin, createdAt: .now()))
        }
    }

    /// Signs `email` in through the one-time code flow; returns the session token.
    func signIn(_ email: String) async throws -> String {
        let requested = await call(.post, "/api/auth/otp/request", json: #"{"email":"\#(email)"}"#)
        #expect(requested.status == 202)
        let code = try #require(notifier.code(for: email))
        let verified = await call(.post, "/api/auth/otp/verify", json: #"{"email":"\#(email)","code":"\#(code)"}"#)
        #expect(verified.status == 200, "\(verified.text)")
        return try #require(verified.json["token"] as? String)
    }
}

/// A response with its JSON decoded loosely, for assertions.
struct APIResponse {
    let status: Int
    let headers: HTTPHeaders
    let text: String

    init(_ response: HTTPResponse) {
        status = response.status.code
        headers = response.headers
        if case .bytes(let bytes) = response.body {
            text = String(decoding: bytes, as: UTF8.self)
        } else {
            text = ""
        }
    }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    var array: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
    }

    var error: String? { json["error"] as? String }
}

final class ClosedFlag: Sendable {
    private let value = Atomic<Bool>(false)
    /// True the first time only.
    func close() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}
