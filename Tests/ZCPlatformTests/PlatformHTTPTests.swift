import Foundation
import TestSupport
import Testing
import ZCCore
import ZCHTTP

@testable import ZCPlatform

/// The platform's HTTP API through the real server: health, its own metrics, errors.
@Suite("Platform HTTP: /healthz, /metrics")
struct PlatformHTTPTests {
    func withPlatform(
        _ environment: [String: String] = [:], _ body: (Platform, HTTPEndpoint) async throws -> Void
    ) async throws {
        let directory = try TemporaryDirectory("zc-http")
        defer { directory.remove() }
        var variables = [
            "ZCPLATFORM_STORE_PATH": directory.file("zcplatform.db"), "ZCPLATFORM_SERVER_PORT": "0",
            "ZCPLATFORM_VAULT_KEY_PATH": directory.file("vault.key"),
            "ZCPLATFORM_RUNTIME_DATA_DIR": directory.file("tenants"),
            "ZCPLATFORM_RUNTIME_AGENT_COMMAND": AgentSimulator.executable,
        ]
        for (key, value) in environment { variables[key] = value }
        let configuration = try ConfigurationLoader.load(
            explicitPath: nil, environment: variables, context: ConfigurationTests.noDocker,
            workingDirectory: directory.path)
        let platform = try await Platform.open(configuration, logger: .disabled)
        let running = Task { try await platform.run() }
        let port = try await platform.api.port()
        do {
            try await body(platform, .tcp(host: "127.0.0.1", port: port))
        } catch {
            running.cancel()
            _ = await running.result
            throw error
        }
        running.cancel()
        try await running.value
    }

    @Test("GET /healthz answers ok with the version")
    func healthz() async throws {
        try await withPlatform { _, endpoint in
            let client = try HTTPClient()
            let response = try await client.execute(.get, endpoint, "/healthz")
            #expect(response.status == .ok)
            #expect(response.headers["Content-Type"] == "application/json")
            #expect(response.text == #"{"status":"ok","version":"\#(Platform.version)"}"#)
            await client.shutdown()
        }
    }

    @Test("a store read made for a request is answered on the event loop's own connection, and /metrics counts it")
    func loopReads() async throws {
        try await withPlatform { _, endpoint in
            let client = try HTTPClient()
            var headers = HTTPHeaders()
            // An unknown token: looked up in the store (a read) before it is refused.
            headers.add("Authorization", "Bearer zcp_\(String(repeating: "A", count: 43))")
            for _ in 0..<3 {
                #expect(try await client.execute(.get, endpoint, "/api/tenants", headers: headers).status.code == 401)
            }
            let text = try await client.execute(.get, endpoint, "/metrics").text
            let answered = text.split(separator: "\n").first {
                $0.hasPrefix(#"zcplatform_store_loop_reads_total{outcome="answered"} "#)
            }
            let count = answered.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            #expect(count >= 3, "\(answered ?? "no zcplatform_store_loop_reads_total")")
            await client.shutdown()
        }
    }

    @Test("GET /metrics counts requests by route and status, latency, open connections, refusals")
    func metrics() async throws {
        try await withPlatform { _, endpoint in
            let client = try HTTPClient()
            for _ in 0..<3 { _ = try await client.execute(.get, endpoint, "/healthz") }
            _ = try await client.execute(.get, endpoint, "/nope")
            _ = try await client.execute(.delete, endpoint, "/healthz")
            let response = try await client.execute(.get, endpoint, "/metrics")
            let text = response.text
            #expect(response.headers["Content-Type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(text.contains(#"zcplatform_http_requests_total{route="/healthz",status="200"} 3"#))
            #expect(text.contains(#"zcplatform_http_requests_total{route="unmatched",status="404"} 1"#))
            #expect(text.contains(#"zcplatform_http_requests_total{route="/healthz",status="405"} 1"#))
            #expect(text.contains(#"zcplatform_http_request_duration_seconds_count{route="/healthz"} 4"#))
            #expect(text.contains("zcplatform_http_open_connections 1"), "this client's one kept-alive connection")
            #expect(text.contains(#"zcplatform_build_info{version="\#(Platform.version)",store="sqlite"} 1"#))
            await client.shutdown()
        }
    }

    @Test("errors are JSON with their status; malformed requests are counted as refused")
    func errors() async throws {
        try await withPlatform { platform, endpoint in
            let client = try HTTPClient()
            let missing = try await client.execute(.get, endpoint, "/none")
            #expect(missing.status == .notFound)
            #expect(missing.text.hasPrefix(#"{"error":"#))
            let unauthenticated = try await client.execute(.get, endpoint, "/api/none")
            #expect(unauthenticated.status == .unauthorized, "no route probing without a token")
            let wrong = try await client.execute(.post, endpoint, "/metrics")
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers["Allow"] == "GET, HEAD")
            let oversized = try await client.execute(
                .post, endpoint, "/healthz", body: [UInt8](repeating: 65, count: 2 << 20))
            #expect(oversized.status == .payloadTooLarge)
            let metrics = platform.metrics.render()
            #expect(metrics.contains(#"zcplatform_http_refused_total{status="413"} 1"#))
            await client.shutdown()
        }
    }

    @Test("with server.metrics_public = false, /metrics is served to loopback clients only")
    func privateMetrics() async throws {
        try await withPlatform(["ZCPLATFORM_SERVER_METRICS_PUBLIC": "false"]) { platform, _ in
            let local = await platform.api.responder.test(.get, "/metrics", remoteAddress: "127.0.0.1")
            #expect(local.status == .ok)
            let remote = await platform.api.responder.test(.get, "/metrics", remoteAddress: "203.0.113.9")
            #expect(remote.status == .forbidden)
        }
    }
}
